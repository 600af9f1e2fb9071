from . import sales_policy_approval_tester
