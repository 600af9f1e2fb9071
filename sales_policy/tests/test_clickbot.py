"""Every screen of every role, in a real browser (headless Chromium).

By default, for each of the nine roles: a crawl of our menus (the three addons') and
the documents they lead to (``static/tests/crawler``): every menu of ours the user sees,
the first record of its list or kanban and every view of its action (and every filter
of its search view with ``SP_FULL_CRAWL=1``, for time).

With ``SP_FULL_CRAWL=1``, also Odoo's own click-everywhere (``web/static/src/webclient/
clickbot``, as in ``web/tests/test_click_everywhere.py``) for each role on each of the
Sales, Invoicing, Expenses and CRM apps the role sees: every menu of the app, with every
view and every filter. It takes far longer, so it is a separate command (README).
"""

import datetime
import json
import logging
import os
import time

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures

_logger = logging.getLogger(__name__)

OUR_ADDONS = ["sales_policy", "sales_policy_risk", "sales_policy_kpi"]
APPS = (
    "sale.sale_menu_root",
    "account.menu_finance",
    "hr_expense.menu_hr_expense_root",
    "crm.crm_menu_root",
)
ROLES = (
    "rep",
    "supervisor",
    "regional_manager",
    "director",
    "assistant",
    "presales",
    "legal",
    "contract_admin",
    "finance",
)
FULL_CRAWL = os.environ.get("SP_FULL_CRAWL") == "1"
CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('%s');"
)
SUCCESS = "clickbot test succeeded"


@tagged("post_install", "-at_install")
class TestClickbot(SalesPolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.roles = cls._role_users()
        cls._setup_employees(cls.roles.values())
        # Documents on the screens: overdue invoices with a collection log and a
        # bad-debt case, quotations waiting for approval, a contract in legal review,
        # visits planned and done.
        overdue = datetime.date.today() - datetime.timedelta(days=40)
        for invoice in cls.invoices.values():
            invoice.invoice_date_due = overdue
            invoice.action_post()
        invoice = cls.invoices[cls.rep_n1a]
        cls.env["sales.policy.collection.log"].create(
            {
                "partner_id": invoice.partner_id.id,
                "user_id": cls.rep_n1a.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "reason": "Waiting for its own customer",
            }
        )
        cls.env["sales.policy.bad.debt"]._sales_policy_open_cases(cls.invoices[cls.rep_n1b])
        term = cls.env.ref("account.account_payment_term_30days")
        for rep, order in cls.orders.items():
            order.write(
                {
                    "payment_term_id": term.id,
                    "commitment_date": datetime.datetime.now() + datetime.timedelta(days=30),
                }
            )
            order.with_user(rep).action_policy_submit()
        order = cls.orders[cls.rep_n2]
        order.with_user(cls.sup_n2).action_policy_approve()
        contract = (
            cls.env["sales.policy.contract"].with_user(cls.rep_n2).create({"order_id": order.id})
        )
        contract.action_submit_review()
        now = datetime.datetime.now()
        cls.env["sales.policy.visit"].create(
            [
                {
                    "partner_id": cls.customers[rep][0].id,
                    "user_id": rep.id,
                    "date_planned": now + datetime.timedelta(days=1),
                }
                for rep in cls.reps
            ]
        )

    def _run(self, what, user, code, ready):
        started = time.monotonic()
        self.browser_js(
            "/odoo", code, ready, login=user.login, timeout=1200, success_signal=SUCCESS
        )
        _logger.info("%s as %s: %.1f s", what, user.login, time.monotonic() - started)

    def _crawl_our_menus(self, role):
        self._run(
            "crawl of our menus",
            self.roles[role],
            f"window.salesPolicyCrawl({json.dumps(OUR_ADDONS)}, "
            f"{{filters: {json.dumps(FULL_CRAWL)}}});",
            "odoo.isReady === true && !!window.salesPolicyCrawl",
        )

    def _click_everywhere(self, role):
        if not FULL_CRAWL:
            self.skipTest("Odoo's clickbot on every app: run with SP_FULL_CRAWL=1")
        user = self.roles[role]
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        visible = {menus[app_id]["xmlid"] for app_id in menus["root"]["children"]}
        for app in APPS:
            if app not in visible:
                continue
            with self.subTest(app=app):
                self._run(f"clickbot on {app}", user, CLICKBOT % app, "odoo.isReady === true")


def _make_tests(role):
    def crawl(self):
        self._crawl_our_menus(role)

    def click_everywhere(self):
        self._click_everywhere(role)

    crawl.__doc__ = f"Our menus and their documents, as the {role.replace('_', ' ')}."
    click_everywhere.__doc__ = f"Odoo's clickbot on each app, as the {role.replace('_', ' ')}."
    setattr(TestClickbot, f"test_crawl_our_menus_{role}", crawl)
    setattr(TestClickbot, f"test_clickbot_apps_{role}", click_everywhere)


for _role in ROLES:
    _make_tests(_role)
