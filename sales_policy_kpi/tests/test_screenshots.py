"""Screenshot of an appraisal sheet (``SP_SCREENSHOTS=<dir>``; see sales_policy's)."""

from odoo.tests import HttpCase, tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures
from odoo.addons.sales_policy.tests.test_screenshots import ScreenshotMixin


@tagged("post_install", "-at_install")
class TestKpiScreenshots(ScreenshotMixin, SalesPolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        run = (
            cls.env["sales.policy.kpi.run"]
            .sudo()
            .create(
                {
                    "period_type": "quarter",
                    "year": 2025,
                    "quarter": "1",
                    "template_id": cls.env.ref("sales_policy_kpi.kpi_template_sales_rep").id,
                    "company_id": cls.company.id,
                }
            )
        )
        run.action_generate()
        cls.sheet = run.sheet_ids.filtered(lambda s: s.user_id == cls.rep_n1a)

    def test_screenshots(self):
        self._shoot(
            "appraisal_sheet",
            f"/odoo/action-sales_policy_kpi.sales_policy_kpi_sheet_action/{self.sheet.id}",
            ".o_form_view .o_form_sheet",
            self.sup_n1,
        )
