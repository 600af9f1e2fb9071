from . import crm_team
from . import crm_team_member
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_users
from . import sales_policy_region
