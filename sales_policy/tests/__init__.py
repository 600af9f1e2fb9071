from . import test_hierarchy
from . import test_rpc
from . import test_visibility
from . import test_quotation_approval
from . import test_portal_gate
