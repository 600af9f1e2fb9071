from . import sales_policy_approval_wizard
from . import sales_policy_collection_report_wizard
from . import sales_policy_invoice_salesperson_wizard
from . import mail_compose_message
