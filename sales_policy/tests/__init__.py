from . import test_hierarchy
from . import test_rpc
from . import test_visibility
