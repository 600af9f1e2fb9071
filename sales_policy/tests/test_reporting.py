"""Sales → Reporting for supervisors, regional managers and finance, on their scope."""

from odoo.tests import tagged

from .common import SalesPolicyCommon

OUR_REPORTS = (
    "sales_policy.sales_policy_collection_report_menu",
    "sales_policy.sales_policy_visit_analysis_menu",
    "sales_policy.sales_policy_alert_menu",
    "sales_policy.sales_policy_approval_analysis_menu",
)


@tagged("post_install", "-at_install")
class TestReporting(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_overdue_invoices_and_due_visits()
        for rep, order in cls.orders.items():
            order.payment_term_id = cls.env.ref("account.account_payment_term_30days")
            order.with_user(rep).action_policy_submit()
        cls.env["sales.policy.alert.rule"].search([("code", "=", "collection_rep")])._run()

    def _menus(self, user):
        return self.env["ir.ui.menu"].with_user(user).load_web_menus(debug=False)

    def _reported_users(self, user, model, field):
        """The salespeople a report shows ``user``, grouped as the pivot does."""
        groups = self.env[model].with_user(user).formatted_read_group([], [field], ["__count"])
        return {group[field][0] for group in groups if group[field]}

    def test_reporting_menu_for_managers_and_finance(self):
        reporting = self.env.ref("sale.menu_sale_report")
        visits = "sales_policy.sales_policy_visit_analysis_menu"
        for user in (self.sup_n1, self.rm_north, self.director, self.finance):
            with self.subTest(user=user.login):
                menus = self._menus(user)
                self.assertIn(reporting.id, menus)
                children = set(menus[reporting.id]["children"])
                for xmlid in OUR_REPORTS:
                    if user == self.finance and xmlid == visits:
                        # finance reads no visits: no Visits Analysis either
                        self.assertNotIn(self.env.ref(xmlid).id, children, xmlid)
                        continue
                    self.assertIn(self.env.ref(xmlid).id, children, xmlid)
        # as in plain Odoo, no Reporting for reps and the supporting roles
        for user in (self.rep_n1a, self.presales, self.legal, self.contract_admin):
            with self.subTest(user=user.login):
                self.assertNotIn(reporting.id, self._menus(user))

    def test_finance_finds_the_ageing_under_sales_and_invoicing(self):
        menus = self._menus(self.finance)
        for xmlid in (
            "sales_policy.sales_policy_collection_report_menu",
            "sales_policy.sales_policy_collection_report_account_menu",
        ):
            self.assertIn(self.env.ref(xmlid).id, menus, xmlid)

    def test_reports_follow_the_scope(self):
        team = {self.rep_n1a.id, self.rep_n1b.id}
        region = team | {self.rep_n2.id}
        everyone = set(self.reps.ids)
        reports = (
            ("sales.policy.collection.report", "user_id"),
            ("sales.policy.visit", "user_id"),
            ("sales.policy.alert", "user_id"),
            ("sales.policy.approval", "salesperson_id"),
        )
        for user, scope in (
            (self.sup_n1, team),
            (self.rm_north, region),
            (self.rm_south, {self.rep_s1.id}),
            (self.director, everyone),
            (self.finance, everyone),
        ):
            for model, field in reports:
                # finance reads no visits (the visit rules)
                seen = set() if (user, model) == (self.finance, "sales.policy.visit") else scope
                with self.subTest(user=user.login, model=model):
                    self.assertEqual(self._reported_users(user, model, field), seen)

    def test_approval_analysis_opens_in_pivot_and_graph(self):
        action = self.env.ref("sales_policy.sales_policy_approval_action_analysis")
        self.assertEqual(action.view_mode.split(",")[:2], ["pivot", "graph"])
        Approval = self.env["sales.policy.approval"].with_user(self.rm_north)
        views = Approval.get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertIn('name="level"', views["pivot"]["arch"])
        groups = Approval.formatted_read_group([], ["level", "state"], ["__count"])
        # the region's three quotations wait at the supervisors' level
        self.assertEqual(
            sum(
                g["__count"]
                for g in groups
                if g["level"] == "supervisor" and g["state"] == "pending"
            ),
            3,
        )
