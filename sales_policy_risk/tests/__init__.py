from . import test_credit
from . import test_credit_rpc
from . import test_credit_warning
from . import test_market_info
from . import test_risk_register
from . import test_risk_rpc
from . import test_screenshots
