from . import res_company
from . import res_config_settings
from . import res_partner
from . import sales_policy_credit_assessment
from . import sales_policy_credit_limit_request
from . import sales_policy_credit_override
from . import sale_order
