from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import Q1, KpiCommon


@tagged("post_install", "-at_install")
class TestKpiIndicators(KpiCommon):
    """Each indicator on hand-built data, one grouped query for all salespeople."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])

    def _figures(self, code, users=None, period=Q1, categ=None):
        users = self.reps if users is None else users
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        figures = getattr(self.Indicator.with_company(self.company), f"_kpi_{code}")(
            *period, users, categ or self.env["product.category"]
        )
        return figures, self.env.cr.sql_log_count - before

    def test_sales_amount_net_of_credit_notes_in_company_currency(self):
        invoice = self._invoice(self.rep_n1a, 1000.0, date(2025, 3, 10), date(2025, 2, 10))
        self._credit_note(invoice, 300.0, date(2025, 3, 1))
        # 100 EUR at 2 EUR per unit of company currency: 50
        self._invoice(self.rep_n1a, 100.0, date(2025, 2, 15), date(2025, 2, 15), currency=self.eur)
        # outside the period, cancelled, or draft: not counted
        self._invoice(self.rep_n1a, 400.0, date(2025, 4, 2), date(2025, 4, 2))
        cancelled = self._invoice(self.rep_n1a, 200.0, date(2025, 2, 1), date(2025, 2, 1))
        cancelled.button_draft()
        cancelled.button_cancel()
        self._invoice(self.rep_n2, 80.0, date(2025, 1, 5), date(2025, 1, 5))
        figures, queries = self._figures("sales_amount")
        self.assertEqual(queries, 1, "one grouped query for every salesperson")
        self.assertAlmostEqual(figures[self.rep_n1a.id], 750.0)
        self.assertAlmostEqual(figures[self.rep_n2.id], 80.0)
        self.assertEqual(figures[self.rep_s1.id], 0.0, "no sales: zero, not missing")

    def test_sales_amount_per_product_category(self):
        categ = self.env["product.category"].create({"name": "Locks"})
        lock = self.env["product.product"].create(
            {"name": "Lock", "categ_id": categ.id, "list_price": 10.0}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer[self.rep_n1b].id,
                "invoice_user_id": self.rep_n1b.id,
                "invoice_date": date(2025, 2, 1),
                "invoice_line_ids": [
                    Command.create({"product_id": lock.id, "price_unit": 30.0, "tax_ids": []}),
                    Command.create(
                        {"product_id": self.product.id, "price_unit": 70.0, "tax_ids": []}
                    ),
                ],
            }
        )
        invoice.action_post()
        figures, queries = self._figures("sales_amount", categ=categ)
        self.assertEqual(queries, 1)
        self.assertAlmostEqual(figures[self.rep_n1b.id], 30.0)
        figures, _queries = self._figures("sales_amount")
        self.assertAlmostEqual(figures[self.rep_n1b.id], 100.0)

    def test_new_customers_first_confirmed_order_in_period(self):
        Partner = self.env["res.partner"]
        new = Partner.create({"name": "New Co", "is_company": True})
        new_contact = Partner.create({"name": "Buyer", "parent_id": new.id})
        known = Partner.create({"name": "Known Co", "is_company": True})
        cancelled = Partner.create({"name": "Cancelled Co", "is_company": True})
        late = Partner.create({"name": "Late Co", "is_company": True})
        self._order(self.rep_n1a, new, date(2025, 1, 20))
        self._order(self.rep_n1a, new_contact, date(2025, 2, 20))  # same customer
        self._order(self.rep_n1b, known, date(2024, 11, 3))  # bought before
        self._order(self.rep_n1a, known, date(2025, 2, 3))
        self._order(self.rep_n1a, cancelled, date(2025, 2, 5), state="cancel")
        self._order(self.rep_n2, cancelled, date(2025, 3, 5))  # its first confirmed order
        self._order(self.rep_n2, late, date(2025, 4, 5))
        self._order(self.rep_n2, Partner.create({"name": "Quote"}), date(2025, 2, 1), "draft")
        figures, queries = self._figures("new_customers")
        self.assertEqual(queries, 1)
        self.assertEqual(
            figures,
            {self.rep_n1a.id: 1, self.rep_n1b.id: 0, self.rep_n2.id: 1, self.rep_s1.id: 0},
        )

    def test_collection_rate_from_sales_policy(self):
        invoice = self._invoice(self.rep_n2, 1000.0, date(2025, 2, 28), date(2025, 1, 28))
        self._pay(invoice, 400.0, date(2025, 3, 10))
        figures, _queries = self._figures("collection_rate")
        self.assertAlmostEqual(figures[self.rep_n2.id], 40.0)
        self.assertIsNone(figures[self.rep_s1.id], "nothing due: no figure")

    def test_visits_and_satisfaction_from_sales_policy(self):
        Visit = self.env["sales.policy.visit"]
        for day, state in ((5, "done"), (6, "planned"), (7, "cancelled")):
            visit = Visit.create(
                {
                    "partner_id": self.customer[self.rep_n1b].id,
                    "user_id": self.rep_n1b.id,
                    "date_planned": datetime(2025, 2, day, 3, 0),
                }
            )
            if state != "planned":
                visit.sudo().write({"state": state})
        survey = self.env["sales.policy.satisfaction"].create(
            {"partner_id": self.customer[self.rep_n1b].id}
        )
        survey.action_mark_sent()
        with freeze_time("2025-03-02"):
            survey.sudo()._sales_policy_answer(4)
        visits, _queries = self._figures("visits")
        self.assertEqual(visits[self.rep_n1b.id], 50.0)
        self.assertNotIn(self.rep_s1.id, visits)
        satisfaction, _queries = self._figures("satisfaction")
        self.assertEqual(satisfaction[self.rep_n1b.id], 4.0)
        self.assertIsNone(satisfaction.get(self.rep_s1.id))

    def test_market_share(self):
        self._invoice(self.rep_n1a, 500.0, date(2025, 2, 10), date(2025, 2, 10))
        self.env["sales.policy.kpi.market.size"].sudo().create(
            {
                "region_id": self.region_north.id,
                "period_type": "quarter",
                "year": 2025,
                "quarter": "1",
                "amount": 10000.0,
            }
        )
        figures, _queries = self._figures("market_share")
        self.assertAlmostEqual(figures[self.rep_n1a.id], 5.0)
        self.assertEqual(figures[self.rep_n1b.id], 0.0)
        self.assertIsNone(figures[self.rep_s1.id], "no market size for the South")

    def test_run_all_indicators_queries_independent_of_salespeople(self):
        run = self._run()
        self.assertEqual(run.sheet_ids.user_id, self.reps)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        run.action_recompute()
        self.env.flush_all()
        few = self.env.cr.sql_log_count - before
        for index in range(6):
            rep = self.env["res.users"].create(
                {
                    "name": f"Extra {index}",
                    "login": f"kpi_extra_{index}",
                    "group_ids": [Command.link(self.env.ref("sales_policy.group_sales_rep").id)],
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                }
            )
            self.team_s1.crm_team_member_ids = [Command.create({"user_id": rep.id})]
        run.action_generate()
        self.assertEqual(len(run.sheet_ids), 10)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        run.action_recompute()
        self.env.flush_all()
        many = self.env.cr.sql_log_count - before
        self.assertLessEqual(many, few + 6 * 2, "figures are fetched once for all salespeople")

    def test_rep_moving_team_mid_period(self):
        self._invoice(self.rep_n1a, 600.0, date(2025, 1, 15), date(2025, 1, 15))
        # moved to the South team in February
        self.team_n1.crm_team_member_ids.filtered(lambda m: m.user_id == self.rep_n1a).unlink()
        self.team_s1.crm_team_member_ids = [Command.create({"user_id": self.rep_n1a.id})]
        self._invoice(self.rep_n1a, 400.0, date(2025, 3, 15), date(2025, 3, 15))
        run = self._run()
        sheet = self._sheet(run, self.rep_n1a)
        self.assertEqual((sheet.team_id, sheet.region_id), (self.team_s1, self.region_south))
        self.assertEqual(self._line(sheet, "sales_amount").actual, 1000.0, "the whole period")
        # ranked in the new team (with rep_s1) and the new region
        self.assertEqual(
            run.sheet_ids.filtered(lambda s: s.team_id == self.team_s1).user_id,
            self.rep_n1a | self.rep_s1,
        )

    def _move_rep(self, rep, old_team, new_team):
        old_team.crm_team_member_ids.filtered(lambda m: m.user_id == rep).unlink()
        new_team.crm_team_member_ids = [Command.create({"user_id": rep.id})]

    def test_open_sheets_follow_a_move_after_generation(self):
        """A salesperson moved after the run was generated: generating the run again or
        recomputing it moves their open sheet (one per salesperson still) to the new
        team and region; a confirmed sheet stays where it was confirmed."""
        run = self._run()
        sheet = self._sheet(run, self.rep_n1a)
        self.assertEqual((sheet.team_id, sheet.region_id), (self.team_n1, self.region_north))
        self._move_rep(self.rep_n1a, self.team_n1, self.team_s1)
        run.action_generate()
        self.assertEqual(self._sheet(run, self.rep_n1a), sheet, "no second sheet")
        self.assertEqual((sheet.team_id, sheet.region_id), (self.team_s1, self.region_south))
        self._move_rep(self.rep_n1a, self.team_s1, self.team_n1)
        run.action_recompute()
        self.assertEqual((sheet.team_id, sheet.region_id), (self.team_n1, self.region_north))
        # a confirmed sheet does not move
        sheet.sudo().state = "confirmed"
        self._move_rep(self.rep_n1a, self.team_n1, self.team_s1)
        run.action_generate()
        run.action_recompute()
        self.assertEqual(sheet.team_id, self.team_n1)

    def test_period_with_no_sales_and_scoring(self):
        self.env["sales.policy.kpi.target"].sudo().create(
            {
                "level": "salesperson",
                "user_id": self.rep_n1a.id,
                "period_type": "quarter",
                "year": 2025,
                "quarter": "1",
                "amount": 1000.0,
            }
        )
        run = self._run()
        sheet = self._sheet(run, self.rep_n1a)
        sales = self._line(sheet, "sales_amount")
        self.assertRecordValues(
            sales, [{"actual": 0.0, "target": 1000.0, "achievement": 0.0, "applicable": True}]
        )
        self.assertFalse(self._line(sheet, "collection_rate").applicable, "nothing due")
        self.assertFalse(self._line(sheet, "satisfaction").applicable)
        self.assertTrue(self._line(sheet, "new_customers").applicable)
        # the sales amount beyond the cap counts as the cap
        self._invoice(self.rep_n1a, 2000.0, date(2025, 2, 1), date(2025, 2, 1))
        run.action_recompute()
        self.assertRecordValues(sales, [{"achievement": 200.0, "score": 120.0}])
        # no sales target for rep_n1b: the item is left out of the total
        self.assertFalse(self._line(self._sheet(run, self.rep_n1b), "sales_amount").applicable)
        # total = weighted average over the applicable items
        applicable = sheet.line_ids.filtered("applicable")
        expected = sum(line.score * line.weight for line in applicable) / sum(
            applicable.mapped("weight")
        )
        self.assertAlmostEqual(sheet.total_score, expected, delta=0.05)
        self.assertEqual(sheet.grade, self.template._grade(sheet.total_score))
