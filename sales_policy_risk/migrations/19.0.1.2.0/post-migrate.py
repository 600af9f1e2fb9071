from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Flag the customers' latest credit assessments (the credit dashboard)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sales.policy.credit.assessment"]._sales_policy_refresh_latest()
