from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_collection import CollectionCommon

PERIOD = (date(2025, 6, 1), date(2025, 6, 30))


@tagged("post_install", "-at_install")
class TestCollectionRate(CollectionCommon):
    """The collection rate per salesperson and period, for the appraisal addon.

    due = owed at the start of the period on installments falling due by its end,
    less credit notes of the period; collected = settled by payments in the period.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"]
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2025-06-10", 2.5)])

    def _figures(self, users=None, period=PERIOD, env=None):
        Move = (env or self.env)["account.move"]
        return Move._sales_policy_collection_figures(
            *period, user_ids=users.ids if users is not None else None
        )

    def test_full_and_partial_payments(self):
        a = self._invoice(self.rep_n1a, 1000.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6))
        b = self._invoice(self.rep_n1a, 600.0, date(2025, 6, 20), invoice_date=date(2025, 5, 21))
        self._pay(a, 1000.0, date(2025, 6, 7))
        self._pay(b, 150.0, date(2025, 6, 25))
        self.assertEqual(b.payment_state, "partial")
        figures = self._figures(self.rep_n1a | self.rep_s1)
        self.assertEqual(
            figures[self.rep_n1a.id], {"due": 1600.0, "collected": 1150.0, "rate": 1150.0 / 1600.0}
        )
        self.assertEqual(figures[self.rep_s1.id], {"due": 0.0, "collected": 0.0, "rate": None})

    def test_period_boundaries(self):
        # paid before the period: nothing left to collect in it
        early = self._invoice(self.rep_n2, 100.0, date(2025, 5, 20), invoice_date=date(2025, 5, 1))
        self._pay(early, 100.0, date(2025, 5, 31))
        # overdue from before the period, paid half in it
        old = self._invoice(self.rep_n2, 400.0, date(2025, 4, 30), invoice_date=date(2025, 4, 1))
        self._pay(old, 100.0, date(2025, 5, 15))
        self._pay(old, 200.0, date(2025, 6, 3))
        # falls due after the period: not due yet, even if paid early
        later = self._invoice(self.rep_n2, 800.0, date(2025, 7, 15), invoice_date=date(2025, 6, 15))
        self._pay(later, 800.0, date(2025, 6, 20))
        # paid after the period: due, not collected in it
        late = self._invoice(self.rep_n2, 50.0, date(2025, 6, 30), invoice_date=date(2025, 6, 1))
        self._pay(late, 50.0, date(2025, 7, 1))
        figures = self._figures(self.rep_n2)[self.rep_n2.id]
        self.assertEqual(figures["due"], 300.0 + 50.0)
        self.assertEqual(figures["collected"], 200.0)

    def test_credit_note_lowers_due_not_collected(self):
        invoice = self._invoice(
            self.rep_n1b, 1000.0, date(2025, 6, 10), invoice_date=date(2025, 5, 11)
        )
        self._credit_note(invoice, 300.0, date(2025, 6, 12))
        self.assertEqual(invoice.amount_residual, 700.0)
        self._pay(invoice, 350.0, date(2025, 6, 20))
        figures = self._figures(self.rep_n1b)[self.rep_n1b.id]
        self.assertEqual(figures, {"due": 700.0, "collected": 350.0, "rate": 0.5})
        # a credit note before the period lowers what is owed at its start
        figures = self._figures(self.rep_n1b, period=(date(2025, 6, 15), date(2025, 6, 30)))
        self.assertEqual(figures[self.rep_n1b.id]["due"], 700.0)

    def test_write_off_is_not_collected(self):
        invoice = self._invoice(
            self.rep_n1b, 500.0, date(2025, 6, 10), invoice_date=date(2025, 5, 11)
        )
        misc = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2025, 6, 20),
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": invoice.line_ids.filtered(
                                lambda line: line.display_type == "payment_term"
                            ).account_id.id,
                            "partner_id": invoice.partner_id.id,
                            "credit": 500.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_expense"].id,
                            "debit": 500.0,
                        }
                    ),
                ],
            }
        )
        misc.action_post()
        (invoice + misc).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.payment_state, "paid")
        figures = self._figures(self.rep_n1b)[self.rep_n1b.id]
        self.assertEqual(figures, {"due": 500.0, "collected": 0.0, "rate": 0.0})

    def test_foreign_currency_invoice_paid_at_another_rate(self):
        # 1000 EUR at 2.0 EUR per USD: 500 USD booked
        invoice = self._invoice(
            self.rep_s1, 1000.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6), currency=self.eur
        )
        self.assertEqual(invoice.amount_residual_signed, 500.0)
        # paid 1000 EUR at 2.5 EUR per USD: 400 USD received, 100 USD exchange loss
        self._pay(invoice, 1000.0, date(2025, 6, 12), currency=self.eur)
        self.assertEqual(invoice.payment_state, "paid")
        figures = self._figures(self.rep_s1)[self.rep_s1.id]
        self.assertEqual(figures, {"due": 500.0, "collected": 500.0, "rate": 1.0})

    def test_foreign_currency_invoice_paid_in_company_currency(self):
        invoice = self._invoice(
            self.rep_s1, 1000.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6), currency=self.eur
        )
        # half the debt in company currency: 250 USD
        self._pay(invoice, 250.0, date(2025, 6, 8), currency=self.company.currency_id)
        self.assertEqual(invoice.amount_residual, 500.0)
        figures = self._figures(self.rep_s1)[self.rep_s1.id]
        self.assertEqual(figures, {"due": 500.0, "collected": 250.0, "rate": 0.5})
        # the ageing shows the rest in company currency, the EUR for display
        with freeze_time(date(2025, 6, 15)):
            row = self.env["sales.policy.collection.report"].search([("move_id", "=", invoice.id)])
            self.assertEqual(row.residual, 250.0)
            self.assertEqual(row.residual_currency, 500.0)
            self.assertEqual(row.document_currency_id, self.eur)

    def test_constant_queries(self):
        self._invoice(self.rep_n1a, 10.0, date(2025, 6, 5))
        self.env.flush_all()
        self._figures()
        # one query, and two to run it without JIT compilation
        with self.assertQueryCount(3):
            few = self._figures()
        for i in range(20):
            invoice = self._invoice(self.reps[i % 4], 100.0 + i, date(2025, 6, 1 + i))
            self._pay(invoice, 50.0, date(2025, 6, 25))
        self.env.flush_all()
        with self.assertQueryCount(3):
            many = self._figures()
        self.assertGreater(
            sum(f["due"] for f in many.values()), sum(f["due"] for f in few.values())
        )


@tagged("post_install", "-at_install")
class TestCollectionCompanies(CollectionCommon):
    """Two companies, and a branch paid from its parent company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.company_b.sales_policy_director_id = cls.director
        cls.rep_b = new_test_user(
            cls.env,
            login="sp_rep_b",
            groups="sales_policy.group_sales_rep",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.finance_b = new_test_user(
            cls.env,
            login="sp_finance_b",
            groups="sales_policy.group_finance",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.director.company_ids = [Command.link(cls.company_b.id)]
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Customer B", "is_company": True, "user_id": cls.rep_n1a.id}
        )
        cls.invoice_a = cls._invoice(
            cls.rep_n1a, 1000.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6)
        )
        cls.invoice_b = cls._invoice(
            cls.rep_n1a,
            3000.0,
            date(2025, 6, 5),
            invoice_date=date(2025, 5, 6),
            company=cls.company_b,
            partner=cls.customer_b,
        )
        cls.invoice_b_own = cls._invoice(
            cls.rep_b,
            70.0,
            date(2025, 6, 5),
            invoice_date=date(2025, 5, 6),
            company=cls.company_b,
            partner=cls.customer_b,
        )

    def test_figures_per_company(self):
        self._pay(self.invoice_b, 3000.0, date(2025, 6, 10), company=self.company_b)
        env_a = self.env(context=dict(self.env.context, allowed_company_ids=self.company.ids))
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=self.company_b.ids))
        fig_a = env_a["account.move"]._sales_policy_collection_figures(*PERIOD)
        fig_b = env_b["account.move"]._sales_policy_collection_figures(*PERIOD)
        self.assertEqual(fig_a[self.rep_n1a.id], {"due": 1000.0, "collected": 0.0, "rate": 0.0})
        self.assertEqual(fig_b[self.rep_n1a.id], {"due": 3000.0, "collected": 3000.0, "rate": 1.0})
        self.assertNotIn(self.rep_b.id, fig_a)
        self.assertEqual(fig_b[self.rep_b.id]["due"], 70.0)

    @freeze_time(date(2025, 6, 15))
    def test_company_b_invisible_to_company_a(self):
        Report = self.env["sales.policy.collection.report"]
        rows = Report.with_user(self.finance).search([])
        self.assertIn(self.invoice_a, rows.move_id)
        self.assertNotIn(self.invoice_b, rows.move_id)
        self.assertEqual(
            Report.with_user(self.finance_b).search([]).move_id, self.invoice_b | self.invoice_b_own
        )
        self.assertEqual(Report.with_user(self.rep_b).search([]).move_id, self.invoice_b_own)
        # a rep names on a log only a customer of their scope (篇一 §15): rep_b's customer
        self.customer_b.user_id = self.rep_b
        log_b = self._log(self.rep_b, self.invoice_b_own)
        self.assertEqual(log_b.company_id, self.company_b)
        Log = self.env["sales.policy.collection.log"]
        self.assertFalse(Log.with_user(self.finance).search([("id", "=", log_b.id)]))
        self.assertEqual(Log.with_user(self.finance_b).search([]), log_b)
        # the director of both companies sees both, per selected company
        env_both = self.env(
            user=self.director,
            context={"allowed_company_ids": (self.company | self.company_b).ids},
        )
        both = env_both["sales.policy.collection.report"].search([]).move_id
        self.assertIn(self.invoice_a, both)
        self.assertIn(self.invoice_b, both)

    @freeze_time(date(2025, 6, 15))
    def test_daily_jobs_per_company(self):
        self.company.sales_policy_bad_debt_days = 5
        self.company_b.sales_policy_bad_debt_days = 0
        self.env.ref("sales_policy.alert_rule_bad_debt")._run()
        cases = self.env["sales.policy.bad.debt"].search([])
        self.assertEqual(cases.invoice_id, self.invoice_a)
        rule = self.env["sales.policy.alert.rule"].search([("code", "=", "collection_rep")])
        rule.company_id = self.company_b
        candidates = rule._get_candidates()
        self.assertEqual(set(candidates), {self.invoice_b.id, self.invoice_b_own.id})

    def test_branch_invoice_paid_by_parent_company(self):
        branch = self._create_company(name="Branch A1", parent_id=self.company.id)
        invoice = self._invoice(
            self.rep_n1a, 400.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6), company=branch
        )
        # one payment of the parent company for the branch's and its own invoice
        parent_invoice = self._invoice(
            self.rep_n1b, 100.0, date(2025, 6, 5), invoice_date=date(2025, 5, 6)
        )
        payment = self._pay(
            invoice | parent_invoice, 500.0, date(2025, 6, 9), company=self.company | branch
        )
        self.assertEqual(payment.company_id, self.company)
        self.assertEqual(invoice.payment_state, "paid")
        env_branch = self.env(context=dict(self.env.context, allowed_company_ids=branch.ids))
        figures = env_branch["account.move"]._sales_policy_collection_figures(*PERIOD)
        self.assertEqual(figures[self.rep_n1a.id], {"due": 400.0, "collected": 400.0, "rate": 1.0})
        with freeze_time(date(2025, 6, 15)):
            rows = env_branch["sales.policy.collection.report"].search(
                [("move_id", "=", invoice.id)]
            )
            self.assertFalse(rows, "paid by the parent company: nothing left open")
