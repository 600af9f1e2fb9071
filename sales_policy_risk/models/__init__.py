from . import sales_policy_market_info
from . import sales_policy_risk
