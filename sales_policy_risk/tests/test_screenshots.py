"""Screenshot of the risk register (``SP_SCREENSHOTS=<dir>``; see sales_policy's)."""

from odoo.tests import HttpCase, tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures
from odoo.addons.sales_policy.tests.test_screenshots import ScreenshotMixin

RISKS = [
    ("credit", "Payments later every month", "Ask for a down payment on the next order."),
    ("market", "A competitor cut its price by 15 %", "Offer the service contract bundle."),
    ("contract", "Penalty clause without a cap", "Legal to cap the penalty at 10 %."),
    ("credit", "Customer's bank account frozen", "Stop deliveries until paid."),
]


@tagged("post_install", "-at_install")
class TestRiskScreenshots(ScreenshotMixin, SalesPolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        for rep, (risk_type, name, response) in zip(cls.reps, RISKS, strict=True):
            cls.env["sales.policy.risk"].with_user(rep).create(
                {
                    "name": name,
                    "risk_type": risk_type,
                    "partner_id": cls.customers[rep][0].id,
                    "description": f"<p>{name}.</p>",
                    "proposed_response": f"<p>{response}</p>",
                }
            )

    def test_screenshots(self):
        self._shoot(
            "risk_register",
            "/odoo/action-sales_policy_risk.sales_policy_risk_action",
            ".o_kanban_record, .o_list_view .o_data_row",
            self.director,
        )
