from odoo.addons.sales_policy.tests.common import SalesPolicyCommon


class RiskCommon(SalesPolicyCommon):
    """The sales hierarchy of :class:`SalesPolicyCommon` plus helpers to report market
    information and risks as a given user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Risk = cls.env["sales.policy.risk"]
        cls.MarketInfo = cls.env["sales.policy.market.info"]
        cls.article_21 = cls.env.ref("sales_policy.article_p4_21").code

    @classmethod
    def _report_risk(cls, user, **values):
        vals = {
            "name": f"Risk reported by {user.login}",
            "risk_type": "credit",
            "description": "<p>The customer pays later every month.</p>",
            "proposed_response": "<p>Ask for a down payment on the next order.</p>",
        }
        vals.update(values)
        return cls.Risk.with_user(user).create(vals).with_env(cls.env)

    @classmethod
    def _report_market(cls, user, **values):
        vals = {"name": f"Competitor price seen by {user.login}", "price_seen": 1700.0}
        vals.update(values)
        return cls.MarketInfo.with_user(user).create(vals).with_env(cls.env)

    @staticmethod
    def _reporters(Model, user, records):
        """The reporters of ``records`` that ``user`` can see."""
        return set(Model.with_user(user).search([("id", "in", records.ids)]).user_id)
