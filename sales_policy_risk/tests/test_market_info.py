from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import RiskCommon


@tagged("post_install", "-at_install")
class TestMarketInfo(RiskCommon):
    """Market information reports (市场信息、竞争对手动态, 篇一 §4.3, 篇四 §8.4)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.competitor = cls.env["res.partner"].create({"name": "Rival Gates Ltd"})
        cls.reports = cls.MarketInfo
        for rep in cls.reps:
            cls.reports |= cls._report_market(rep, partner_id=cls.customers[rep][0].id)

    def test_report_records_reporter_team_region_and_category(self):
        report = self._report_market(
            self.rep_n1a,
            competitor_id=self.competitor.id,
            product_id=self.product.id,
            partner_id=self.customers[self.rep_n1a][0].id,
            notes="<p>Rival offers 15% less.</p>",
        )
        self.assertEqual(report.user_id, self.rep_n1a)
        self.assertEqual(report.team_id, self.team_n1)
        self.assertEqual(report.region_id, self.region_north)
        self.assertEqual(report.product_categ_id, self.product.categ_id)
        self.assertEqual(report.currency_id, self.company.currency_id)
        self.assertEqual(report.company_id, self.company)

    def test_rep_sees_only_own_reports(self):
        self.assertEqual(
            self._reporters(self.MarketInfo, self.rep_n1a, self.reports), {self.rep_n1a}
        )
        self.assertEqual(self._reporters(self.MarketInfo, self.rep_s1, self.reports), {self.rep_s1})
        other = self.reports.filtered(lambda r: r.user_id == self.rep_n1b)
        with self.assertRaises(AccessError):
            other.with_user(self.rep_n1a).read(["name"])

    def test_supervisor_reads_team_reports_but_does_not_edit_them(self):
        self.assertEqual(
            self._reporters(self.MarketInfo, self.sup_n1, self.reports),
            {self.rep_n1a, self.rep_n1b},
        )
        team_report = self.reports.filtered(lambda r: r.user_id == self.rep_n1a)
        with self.assertRaises(AccessError):
            team_report.with_user(self.sup_n1).write({"name": "Rewritten"})

    def test_regional_manager_reads_region_and_director_all(self):
        self.assertEqual(
            self._reporters(self.MarketInfo, self.rm_north, self.reports),
            {self.rep_n1a, self.rep_n1b, self.rep_n2},
        )
        self.assertEqual(
            self._reporters(self.MarketInfo, self.rm_south, self.reports), {self.rep_s1}
        )
        self.assertEqual(
            self._reporters(self.MarketInfo, self.director, self.reports), set(self.reps)
        )

    def test_finance_and_legal_have_no_access(self):
        for user in (self.finance, self.legal):
            with self.assertRaises(AccessError):
                self.MarketInfo.with_user(user).search([])

    def test_raise_a_risk_from_a_report(self):
        report = self._report_market(
            self.rep_n1a,
            competitor_id=self.competitor.id,
            partner_id=self.customers[self.rep_n1a][0].id,
            notes="<p>Rival offers 15% less and free installation.</p>",
        )
        action = report.with_user(self.rep_n1a).action_raise_risk()
        self.assertEqual(action["res_model"], "sales.policy.risk")
        Risk = self.Risk.with_user(self.rep_n1a).with_context(**action["context"])
        with Form(Risk) as form:
            self.assertEqual(form.risk_type, "market")
            self.assertEqual(form.owner_id, self.rm_north)
            self.assertIn("Rival Gates Ltd", form.name)
            form.proposed_response = "<p>Offer three years of free maintenance.</p>"
        risk = form.record
        self.assertEqual(risk.market_info_id, report)
        self.assertEqual(risk.partner_id, self.customers[self.rep_n1a][0])
        self.assertEqual(risk.user_id, self.rep_n1a)
        self.assertIn("free installation", risk.description)
        self.assertEqual(report.risk_count, 1)
        self.assertEqual(report.action_view_risks()["domain"], [("market_info_id", "=", report.id)])

    def test_supervisor_raises_a_risk_from_a_team_report(self):
        report = self.reports.filtered(lambda r: r.user_id == self.rep_n1b)
        action = report.with_user(self.sup_n1).action_raise_risk()
        Risk = self.Risk.with_user(self.sup_n1).with_context(**action["context"])
        with Form(Risk) as form:
            form.description = "<p>Prices fall in the North.</p>"
            form.proposed_response = "<p>Review the price list.</p>"
        self.assertEqual(form.record.user_id, self.sup_n1)
        self.assertEqual(form.record.owner_id, self.rm_north)
