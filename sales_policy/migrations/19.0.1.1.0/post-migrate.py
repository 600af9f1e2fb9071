"""Alert rules name the method that selects their records; N counts from each rule's
``since`` alike (issue #9). The rules are noupdate data: set what changed on them, and
remove the bad-debt cron (the ``bad_debt`` alert rule replaces it)."""

from odoo import SUPERUSER_ID, api

METHODS = {
    "lead_follow_up": "_sales_policy_alert_lead_follow_up",
    "visit_frequency": "_sales_policy_alert_visit_overdue",
    "customer_data_stale": "_sales_policy_alert_data_stale",
    "customer_data_incomplete": "_sales_policy_alert_data_incomplete",
    "contract_unfiled": "_sales_policy_alert_contract_unfiled",
    "collection_rep": "_sales_policy_alert_invoice_overdue",
    "collection_supervisor": "_sales_policy_alert_invoice_overdue",
    "collection_manager": "_sales_policy_alert_invoice_overdue",
    "collection_broken_promise": "_sales_policy_alert_promise_broken",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Rule = env["sales.policy.alert.rule"].with_context(active_test=False)
    for code, method in METHODS.items():
        Rule.search([("code", "=", code)]).write({"candidates_method": method, "date_field": False})
    # a date is counted from its start now: the day after the deadline is N = 1
    for rule in Rule.search([("code", "=", "complaint_overdue")]):
        rule.days += 1
    Rule.search([("code", "=", "policy_unacknowledged")]).date_field = "create_date"
    cron = env.ref("sales_policy.ir_cron_sales_policy_bad_debt", raise_if_not_found=False)
    if cron:
        cron.unlink()
