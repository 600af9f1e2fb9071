from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures


@tagged("post_install", "-at_install")
class TestTour(SalesPolicyFixtures, HttpCase):
    """The main path in a real browser (headless Chromium): the rep submits a
    quotation, the supervisor approves it from the inbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        order = cls.orders[cls.rep_n1a]
        order.write(
            {
                "payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
                "commitment_date": "2030-01-15 10:00:00",
            }
        )

    def test_rep_submits_supervisor_approves(self):
        order = self.orders[self.rep_n1a]
        self.start_tour(
            "/odoo/action-sale.action_quotations_with_onboarding",
            "sales_policy_rep_submit",
            login=self.rep_n1a.login,
        )
        self.assertEqual(order.policy_approval_state, "pending")
        self.start_tour(
            "/odoo/action-sales_policy.sales_policy_approval_action_to_approve",
            "sales_policy_supervisor_approve",
            login=self.sup_n1.login,
        )
        self.assertEqual(order.policy_approval_state, "approved")
        step = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "approved")
        self.assertEqual(step.comment, "Prices checked.")
