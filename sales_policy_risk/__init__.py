from . import models


def _sales_policy_risk_post_init(env):
    """Credit limits are enforced: turn on Odoo's own credit limit setting."""
    env["res.company"].search([]).write({"account_use_credit_limit": True})
