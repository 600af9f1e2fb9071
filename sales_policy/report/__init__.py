from . import sales_policy_collection_report
