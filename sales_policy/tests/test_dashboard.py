"""The policy dashboard (Dashboards → Sales → Sales Policy), loaded as each role.

The dashboard is an Odoo spreadsheet: the web client fetches its JSON from
``/spreadsheet/dashboard/data/<id>`` and loads each data source through the ORM as the
user (``formatted_read_grouping_sets`` for a pivot, ``web_search_read`` for a list). The
test does the same over HTTP with each role's session, so the record rules of the
hierarchy scope every figure.
"""

import datetime
import json

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import SalesPolicyFixtures


@tagged("post_install", "-at_install")
class TestDashboard(SalesPolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.dashboard = cls.env.ref("sales_policy.spreadsheet_dashboard_sales_policy")
        cls.contracts_dashboard = cls.env.ref(
            "sales_policy.spreadsheet_dashboard_sales_policy_contracts"
        )
        cls.finance_dashboard = cls.env.ref(
            "sales_policy.spreadsheet_dashboard_sales_policy_finance"
        )
        # one overdue invoice of 100 (no taxes) and one visit due per rep
        for invoice in cls.invoices.values():
            invoice.invoice_line_ids.tax_ids = False
        cls._setup_overdue_invoices_and_due_visits()
        yesterday = fields.Datetime.now() - datetime.timedelta(days=1)
        # a visit planned for next week is not due
        cls.env["sales.policy.visit"].create(
            {
                "partner_id": cls.customers[cls.rep_n1a][0].id,
                "user_id": cls.rep_n1a.id,
                "date_planned": yesterday + datetime.timedelta(days=8),
            }
        )
        # each rep's lead assigned 10 days ago, never contacted: follow-up overdue
        leads = cls.env["crm.lead"].concat(*cls.leads.values())
        leads.write({"date_open": fields.Datetime.now() - datetime.timedelta(days=10)})
        # one open alert per rep (the collection ladder's first step)
        cls.env["sales.policy.alert.rule"].search([("code", "=", "collection_rep")])._run()
        # the rep's quotation waits for the supervisor
        terms = cls.env.ref("account.account_payment_term_30days")
        order = cls.orders[cls.rep_n1a]
        order.payment_term_id = terms
        order.with_user(cls.rep_n1a).action_policy_submit()
        # the South rep's contract waits for legal
        order = cls.orders[cls.rep_s1]
        order.write(
            {
                "payment_term_id": terms.id,
                "commitment_date": fields.Datetime.now() + datetime.timedelta(days=30),
            }
        )
        order.with_user(cls.rep_s1).action_policy_submit()
        order.with_user(cls.sup_s1).action_policy_approve()
        contract = (
            cls.env["sales.policy.contract"].with_user(cls.rep_s1).create({"order_id": order.id})
        )
        contract.with_user(cls.rep_s1).action_submit_review()
        cls.roles = cls._role_users(
            "rep", "supervisor", "regional_manager", "director", "assistant", "finance"
        )

    # --- loading the dashboard as the web client does ----------------------------------
    def _snapshot(self, user, dashboard):
        self.authenticate(user.login, user.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{dashboard.id}")
        self.assertEqual(response.status_code, 200, user.login)
        return json.loads(response.content)["snapshot"]

    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    @staticmethod
    def _aggregate(measure):
        if measure["fieldName"] == "__count":
            return "__count"
        return f"{measure['fieldName']}:{measure['aggregator']}"

    def _load(self, user, dashboard=None):
        """{pivot name: {measure id: value}} and {list name: rows}, as ``user``."""
        snapshot = self._snapshot(user, dashboard or self.dashboard)
        figures = {}
        for pivot in snapshot["pivots"].values():
            aggregates = [self._aggregate(m) for m in pivot["measures"]]
            [[total]] = self._call(
                pivot["model"],
                "formatted_read_grouping_sets",
                [pivot["domain"], [[]], aggregates],
            )
            figures[pivot["name"]] = {
                measure["id"]: total[aggregate]
                for measure, aggregate in zip(pivot["measures"], aggregates, strict=True)
            }
        lists = {}
        for spec in snapshot["lists"].values():
            fields_info = self._call(spec["model"], "fields_get", [spec["columns"], ["type"]])
            specification = {
                name: {"fields": {"display_name": {}}}
                if fields_info[name]["type"] == "many2one"
                else {}
                for name in spec["columns"]
            }
            order = ", ".join(
                f"{o['name']} {'ASC' if o['asc'] else 'DESC'}" for o in spec["orderBy"]
            )
            lists[spec["name"]] = self._call(
                spec["model"],
                "web_search_read",
                [spec["domain"], specification],
                {"order": order, "limit": 10},
            )["records"]
        return figures, lists

    # --- the tests ---------------------------------------------------------------------
    def test_every_figure_loads_for_every_role(self):
        for role, user in self.roles.items():
            if role == "finance":
                continue
            with self.subTest(role=role):
                figures, lists = self._load(user)
                self.assertEqual(
                    set(figures),
                    {
                        "To Approve",
                        "Overdue Follow-ups",
                        "Visits Due",
                        "Open Alerts",
                        "Overdue Invoices",
                        "Contracts in Legal Review",
                        "Contracts to File",
                    },
                )
                self.assertEqual(set(lists), {"Waiting for My Approval", "Overdue Invoices"})
        with self.subTest(user=self.finance.login):
            figures, lists = self._load(self.finance, self.finance_dashboard)
            self.assertEqual(set(figures), {"To Approve", "Open Alerts", "Overdue Invoices"})
            self.assertEqual(set(lists), {"Waiting for My Approval", "Overdue Invoices"})
        for user in (self.legal, self.contract_admin):
            with self.subTest(user=user.login):
                figures, lists = self._load(user, self.contracts_dashboard)
                self.assertEqual(
                    set(figures),
                    {"To Approve", "Open Alerts", "Contracts in Legal Review", "Contracts to File"},
                )
                self.assertEqual(
                    set(lists), {"Waiting for My Approval", "Contracts to Review or File"}
                )

    def test_figures_follow_the_scope(self):
        # (overdue invoices = open alerts = overdue follow-ups = visits due, to approve,
        # contracts in review)
        expected = {
            "rep": (1, 0, 0),
            "supervisor": (2, 1, 0),
            "regional_manager": (3, 0, 0),
            "director": (4, 0, 1),
            "assistant": (2, 0, 0),
        }
        for role, (invoices, to_approve, in_review) in expected.items():
            with self.subTest(role=role):
                figures, lists = self._load(self.roles[role])
                overdue = figures["Overdue Invoices"]
                self.assertEqual(overdue["move_id:count_distinct"], invoices)
                self.assertAlmostEqual(overdue["residual:sum"], 100.0 * invoices)
                self.assertEqual(len(lists["Overdue Invoices"]), invoices)
                self.assertEqual(figures["Visits Due"]["__count"], invoices)
                self.assertEqual(figures["Open Alerts"]["__count"], invoices)
                self.assertEqual(figures["Overdue Follow-ups"]["__count"], invoices)
                self.assertEqual(figures["To Approve"]["__count"], to_approve)
                self.assertEqual(len(lists["Waiting for My Approval"]), to_approve)
                self.assertEqual(figures["Contracts in Legal Review"]["__count"], in_review)
        # finance reads every invoice and alert (its own dashboard: no visits, no leads)
        with self.subTest(user=self.finance.login):
            figures, lists = self._load(self.finance, self.finance_dashboard)
            self.assertEqual(figures["Overdue Invoices"]["move_id:count_distinct"], 4)
            self.assertAlmostEqual(figures["Overdue Invoices"]["residual:sum"], 400.0)
            self.assertEqual(len(lists["Overdue Invoices"]), 4)
            self.assertEqual(figures["Open Alerts"]["__count"], 4)
            self.assertEqual(figures["To Approve"]["__count"], 0)
        # legal decides the contract; the contract administrator sees it, not to decide
        for user, to_approve in ((self.legal, 1), (self.contract_admin, 0)):
            with self.subTest(user=user.login):
                figures, lists = self._load(user, self.contracts_dashboard)
                self.assertEqual(figures["To Approve"]["__count"], to_approve)
                self.assertEqual(figures["Contracts in Legal Review"]["__count"], 1)
                self.assertEqual(figures["Open Alerts"]["__count"], 4)
                self.assertEqual(len(lists["Contracts to Review or File"]), 1)

    def test_roles_without_the_dashboard_do_not_get_it(self):
        """Legal, contract admin and pre-sales do not read the collection ageing: the
        dashboard is not theirs, neither in the Dashboards app nor by its URL (legal and
        contract admin have their own; pre-sales none)."""
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertNotIn(self.contracts_dashboard, Dashboard.with_user(self.rep_n1a).search([]))
        self.assertNotIn(self.contracts_dashboard, Dashboard.with_user(self.presales).search([]))
        # finance has its own (no visits, no leads); the sales line does not get finance's
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.finance).search([]))
        self.assertNotIn(self.finance_dashboard, Dashboard.with_user(self.rep_n1a).search([]))
        for user in (self.legal, self.contract_admin, self.presales):
            with self.subTest(user=user.login):
                Dashboard = self.env["spreadsheet.dashboard"].with_user(user)
                self.assertNotIn(self.dashboard, Dashboard.search([]))
                self.authenticate(user.login, user.login)
                response = self.url_open(f"/spreadsheet/dashboard/data/{self.dashboard.id}")
                self.assertNotEqual(response.status_code, 200)
                with self.assertRaises(JsonRpcException):
                    self._call(
                        "sales.policy.collection.report", "search_count", [[]]
                    )  # the reason: the ageing is not theirs

    def test_the_dashboard_is_one_click_from_sales(self):
        """One "What Waits for Me" in Sales for every role, opening the role's own
        dashboard (a rep who also reviews contracts gets the sales line's)."""
        menu = self.env.ref("sales_policy.sales_policy_dashboard_menu")
        self.assertFalse(
            self.env["ir.ui.menu"].search_count([("name", "=", menu.name), ("id", "!=", menu.id)])
        )
        reviewing_rep = self.rep_n1b
        reviewing_rep.group_ids += self.env.ref("sales_policy.group_legal")
        expected = {
            **dict.fromkeys(self.roles.values(), self.dashboard),
            self.finance: self.finance_dashboard,
            self.legal: self.contracts_dashboard,
            self.contract_admin: self.contracts_dashboard,
            reviewing_rep: self.dashboard,
        }
        for user, dashboard in expected.items():
            with self.subTest(user=user.login):
                self.assertIn(
                    menu.id, self.env["ir.ui.menu"].with_user(user).load_web_menus(debug=False)
                )
                self.authenticate(user.login, user.login)
                action = self.make_jsonrpc_request("/web/action/run", {"action_id": menu.action.id})
                self.assertEqual(action["tag"], "action_spreadsheet_dashboard")
                self.assertEqual(action["params"], {"dashboard_id": dashboard.id})
        self.assertNotIn(
            menu.id, self.env["ir.ui.menu"].with_user(self.presales).load_web_menus(debug=False)
        )

    def test_every_figure_opens_a_menu_its_readers_see(self):
        """A click on a figure opens a menu: for every role a dashboard is meant for, each
        of its figures' menus is one that role sees (no dead end)."""
        Menu = self.env["ir.ui.menu"]
        readers = {
            self.dashboard: [user for role, user in self.roles.items() if role != "finance"],
            self.finance_dashboard: [self.finance],
            self.contracts_dashboard: [self.legal, self.contract_admin],
        }
        for dashboard, users in readers.items():
            snapshot = json.loads(dashboard.spreadsheet_data)
            menus = snapshot["chartOdooMenusReferences"]
            self.assertEqual(len(menus), sum(len(sheet["figures"]) for sheet in snapshot["sheets"]))
            for user in users:
                visible = Menu.with_user(user)._visible_menu_ids()
                for figure, xmlid in menus.items():
                    with self.subTest(dashboard=dashboard.name, user=user.login, figure=figure):
                        self.assertIn(self.env.ref(xmlid).id, visible)
                        self.assertIn(
                            dashboard, self.env[dashboard._name].with_user(user).search([])
                        )

    def test_each_figure_is_one_grouped_query(self):
        """The figures are grouped queries: loading a pivot costs a few queries whatever
        the number of records (no query per record), as the supervisor."""
        snapshot = json.loads(self.dashboard.spreadsheet_data)
        user = self.sup_n1
        counts = {}
        for pivot in snapshot["pivots"].values():
            Model = self.env[pivot["model"]].with_user(user)
            aggregates = [self._aggregate(m) for m in pivot["measures"]]
            Model.formatted_read_grouping_sets(pivot["domain"], [[]], aggregates)  # warm up
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Model.formatted_read_grouping_sets(pivot["domain"], [[]], aggregates)
            counts[pivot["name"]] = self.env.cr.sql_log_count - before
        self.assertLessEqual(max(counts.values()), 4, counts)
