"""Screenshots of the key screens, taken in headless Chromium by the tests.

Off by default (the test command spends no time on them): set ``SP_SCREENSHOTS=<dir>``
to write one PNG per screen under that directory, e.g. in place:

    SP_SCREENSHOTS=$PWD setup/test.sh -k screenshots

Each screen is opened as the role that works there, on the fixtures' hierarchy; the
picture is taken once the view shows its data.
"""

import base64
import datetime
import os
from pathlib import Path
from unittest import SkipTest
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import SalesPolicyFixtures

WAIT_JS = """
(async () => {
    const found = () => document.querySelector(%(selector)r);
    for (let i = 0; i < 300 && !found(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!found()) {
        throw new Error("not shown: " + %(selector)r);
    }
    await new Promise((resolve) => setTimeout(resolve, %(settle)d));
    console.log("test successful");
})()
"""


class ScreenshotMixin:
    """For HttpCase tests: ``_shoot`` saves a screenshot of a screen, opened as a user,
    as ``$SP_SCREENSHOTS/<addon>/static/description/<name>.png`` (the class is skipped
    when ``SP_SCREENSHOTS`` is not set; set it to the repository to update the pictures
    in place)."""

    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        cls.directory = os.environ.get("SP_SCREENSHOTS")
        if not cls.directory:
            raise SkipTest("set SP_SCREENSHOTS=<dir> to take the screenshots")
        super().setUpClass()

    def _shoot(self, name, url, selector, user, settle=800):
        """Open ``url`` as ``user``, wait for ``selector``, save ``<name>.png``."""
        addon = type(self).__module__.split(".")[2]  # odoo.addons.<addon>.tests.…
        out = Path(self.directory) / addon / "static" / "description" / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        original_stop = ChromeBrowser.stop

        def stop(browser):
            if hasattr(browser, "ws") and not out.exists():
                shot = browser._websocket_request("Page.captureScreenshot", params={})
                out.write_bytes(base64.b64decode(shot["data"]))
            return original_stop(browser)

        with patch.object(ChromeBrowser, "stop", stop):
            self.browser_js(
                url, WAIT_JS % {"selector": selector, "settle": settle}, login=user.login
            )
        self.assertTrue(out.exists(), out)


@tagged("post_install", "-at_install")
class TestScreenshots(ScreenshotMixin, SalesPolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        env = cls.env
        cls.company.sales_policy_contract_exempt_amount = 0.0
        terms = env.ref("account.account_payment_term_30days")
        morning = datetime.datetime.combine(fields.Date.today(), datetime.time(9))
        for index, (rep, invoice) in enumerate(cls.invoices.items()):
            invoice.invoice_line_ids.price_unit = 12_800.0 * (index + 1)
            invoice.invoice_date_due = fields.Date.today() - datetime.timedelta(
                days=25 * index + 10
            )
            invoice.action_post()
            for days in (-1, 1, 3):
                env["sales.policy.visit"].create(
                    {
                        "partner_id": cls.customers[rep][0].id,
                        "user_id": rep.id,
                        "date_planned": morning + datetime.timedelta(days=days, hours=2 * index),
                        "purpose": ("needs", "presentation", "negotiation")[days % 3],
                    }
                )
            order = cls.orders[rep]
            order.write(
                {
                    "payment_term_id": terms.id,
                    "commitment_date": fields.Datetime.now() + datetime.timedelta(days=30),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 40 + 10 * index,
                                "price_unit": 100.0,
                                "discount": 12.0,
                            }
                        )
                    ],
                }
            )
            order.with_user(rep).action_policy_submit()
        env["sales.policy.alert.rule"].search([("code", "like", "collection_%")])._run()
        # a contract in legal review: the South rep's quotation approved, then submitted
        cls.contract_order = cls.orders[cls.rep_s1]
        while cls.contract_order.policy_approval_state == "pending":
            step = cls.contract_order.sudo().policy_approval_ids.filtered(
                lambda s: s.state == "pending"
            )
            cls.contract_order.with_user(step.approver_id).action_policy_approve()
        cls.contract = (
            env["sales.policy.contract"]
            .with_user(cls.rep_s1)
            .create({"order_id": cls.contract_order.id})
        )
        cls.contract.with_user(cls.rep_s1).action_submit_review()

    def test_screenshots(self):
        order = self.orders[self.rep_n1a]
        self._shoot(
            "quotation_approval",
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            ".o_form_view .o_form_sheet",
            self.sup_n1,
        )
        self._shoot(
            "approvals_inbox",
            "/odoo/action-sales_policy.sales_policy_approval_action_to_approve",
            ".o_list_view .o_data_row",
            self.sup_n1,
        )
        self._shoot(
            "contract_review",
            f"/odoo/action-sales_policy.sales_policy_contract_action/{self.contract.id}",
            ".o_form_view .o_form_sheet",
            self.legal,
        )
        self._shoot(
            "visit_calendar",
            "/odoo/action-sales_policy.sales_policy_visit_action?view_type=calendar",
            ".o_calendar_view .fc-event",
            self.sup_n1,
        )
        self._shoot(
            "collection_ageing",
            "/odoo/action-sales_policy.sales_policy_collection_report_action",
            ".o_pivot table, .o_list_view .o_data_row, .o_graph_renderer canvas",
            self.rm_north,
        )
        self._shoot(
            "policy_dashboard",
            "/odoo/action-sales_policy.spreadsheet_dashboard_sales_policy_action",
            ".o-figure",
            self.sup_n1,
            settle=3000,
        )
