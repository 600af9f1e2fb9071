"""Credit exposure, the credit gate, overrides, limit requests and the scorecard, as the
real role users, against figures computed by hand."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sales_policy.tests.test_collection import TODAY, CollectionCommon


class CreditCommon(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"account_use_credit_limit": True, "sales_policy_credit_overdue_days": 60}
        )
        cls.acme = cls.customer[cls.rep_n1a]
        cls.acme_buyer = cls.customers[cls.rep_n1a][1]
        cls.service = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "list_price": 100.0, "taxes_id": []}
        )

    def _set_limit(self, partner, limit, grade=False):
        partner.with_company(self.company).sudo().write(
            {"credit_limit": limit, "sales_policy_credit_grade": grade}
        )

    def _order(self, rep, amount, partner=None, currency=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer[rep]).id,
                "user_id": rep.id,
                "payment_term_id": self.env.ref("account.account_payment_term_immediate").id,
                "currency_id": (currency or self.company.currency_id).id,
                "order_line": [
                    Command.create(
                        {"product_id": self.service.id, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        return order

    def _confirmed(self, rep, amount, partner=None):
        order = self._order(rep, amount, partner=partner)
        order.sudo().write({"state": "sale"})  # set up: the order is confirmed
        return order

    def _approved_quotation(self, rep, amount, partner=None):
        order = self._order(rep, amount, partner=partner)
        order.with_user(rep).action_policy_submit()
        while order.policy_approval_state == "pending":
            step = order._policy_approval_pending_step()
            order.with_user(step.approver_id).action_policy_approve()
        self.company.sales_policy_contract_exempt_amount = 10_000_000  # no contract here
        return order

    def _queries(self, function, *args, **kwargs):
        """The number of SQL queries ``function`` runs with cold record caches (the
        second of two runs: the first one also fills the registry's caches)."""
        counts = []
        for _run in range(2):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            function(*args, **kwargs)
            counts.append(self.env.cr.sql_log_count - before)
        return counts[-1]

    def _figures(self, partner, today=TODAY):
        return partner._sales_policy_credit_figures(self.company, today)[partner.id]


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditCommon):
    def test_exposure_by_hand(self):
        with freeze_time(TODAY):
            # 1,000 due 10 days ago, 300 paid: 700 open, overdue
            late = self._invoice(self.rep_n1a, 1000.0, TODAY - timedelta(days=10))
            self._pay(late, 300.0, TODAY - timedelta(days=5))
            # 500 due later, 100 credited: 400 open, not overdue
            later = self._invoice(self.rep_n1a, 500.0, TODAY + timedelta(days=20))
            self._credit_note(later, 100.0, TODAY)
            # an invoice to a contact counts for the company: 200
            self._invoice(self.rep_n1a, 200.0, TODAY + timedelta(days=5), partner=self.acme_buyer)
            # a foreign-currency invoice: 400 EUR at 2.5 per company unit = 160
            eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.5)])
            self._invoice(self.rep_n1a, 400.0, TODAY + timedelta(days=5), currency=eur)
            # a paid invoice counts for nothing
            paid = self._invoice(self.rep_n1a, 50.0, TODAY)
            self._pay(paid, 50.0, TODAY)
            # another customer's and another company's debt count for nothing
            self._invoice(self.rep_n2, 999.0, TODAY)
            company_b = self.setup_other_company(name="Company B")["company"]
            self._invoice(self.rep_n1a, 777.0, TODAY, company=company_b)
            # a confirmed order of 250 not invoiced yet
            self._confirmed(self.rep_n1a, 250.0)
            # the fixtures' own draft invoice and quotation count for nothing
            figure = self._figures(self.acme)
        receivable = 700.0 + 400.0 + 200.0 + 160.0
        self.assertAlmostEqual(figure["receivable"], receivable)
        self.assertAlmostEqual(figure["overdue"], 700.0)
        self.assertEqual(figure["overdue_days"], 10)
        self.assertAlmostEqual(figure["to_invoice"], 250.0)
        self.assertAlmostEqual(figure["exposure"], receivable + 250.0)
        # the contact shows its company's figures
        self.assertEqual(
            self.acme_buyer._sales_policy_credit_figures(self.company, TODAY),
            {self.acme.id: figure},
        )

    def test_down_payment_is_not_counted_twice(self):
        order = self._confirmed(self.rep_n1a, 1000.0)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 300.0})
        )
        wizard.create_invoices()
        down_payment = order.invoice_ids
        down_payment.action_post()
        figure = self._figures(self.acme, today=down_payment.invoice_date)
        self.assertAlmostEqual(figure["receivable"], 300.0)
        self.assertAlmostEqual(figure["to_invoice"], 700.0)
        self.assertAlmostEqual(figure["exposure"], 1000.0)
        self._pay(down_payment, 300.0, down_payment.invoice_date)
        figure = self._figures(self.acme, today=down_payment.invoice_date)
        self.assertAlmostEqual(figure["exposure"], 700.0)

    def test_figures_take_the_same_queries_for_one_or_many_customers(self):
        for rep in self.reps:
            self._invoice(rep, 100.0, TODAY)
        one = self.acme
        many = self.env["res.partner"].browse([self.customer[rep].id for rep in self.reps])
        self.env.flush_all()
        many._sales_policy_credit_figures(self.company, TODAY)  # warm the ORM caches
        one_count = self._queries(one._sales_policy_credit_figures, self.company, TODAY)
        many_count = self._queries(many._sales_policy_credit_figures, self.company, TODAY)
        self.assertEqual(one_count, many_count)
        self.assertLessEqual(one_count, 5)


@tagged("post_install", "-at_install")
class TestCreditGate(CreditCommon):
    def setUp(self):
        super().setUp()
        freezer = freeze_time(TODAY)
        freezer.start()
        self.addCleanup(freezer.stop)

    def test_over_the_limit_is_refused_with_the_figures(self):
        self._set_limit(self.acme, 1000.0)
        self._invoice(self.rep_n1a, 700.0, TODAY + timedelta(days=30))
        order = self._approved_quotation(self.rep_n1a, 400.0)
        self.assertTrue(order.sales_policy_credit_warning)
        with self.assertRaises(UserError) as error:
            order.with_user(self.rep_n1a).action_confirm()
        message = str(error.exception)
        for figure in ("1,000.00", "700.00", "400.00", "篇四 §22"):
            self.assertIn(figure, message)
        self.assertEqual(order.state, "draft")
        # every path: a direct write of the state, with forged context keys
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).with_context(
                skip_credit_check=True, sales_policy_credit_ok=True
            ).write({"state": "sale"})
        self.assertEqual(order.state, "draft")
        # within the limit it passes
        small = self._approved_quotation(self.rep_n1a, 300.0)
        self.assertFalse(small.sales_policy_credit_warning)
        small.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(small.state, "sale")

    def test_overdue_debt_and_grade_d_block(self):
        self._invoice(
            self.rep_n1a,
            100.0,
            TODAY - timedelta(days=90),
            invoice_date=TODAY - timedelta(days=120),
        )
        order = self._approved_quotation(self.rep_n1a, 10.0)
        with self.assertRaises(UserError) as error:
            order.with_user(self.rep_n1a).action_confirm()
        self.assertIn("overdue", str(error.exception))
        self.company.sales_policy_credit_overdue_days = 0  # overdue debt never blocks
        self._set_limit(self.acme, 0.0, grade="D")
        with self.assertRaises(UserError) as error:
            order.with_user(self.rep_n1a).action_confirm()
        self.assertIn("grade is D", str(error.exception))
        self._set_limit(self.acme, 0.0, grade="B")
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_override_by_finance_for_this_order_and_amount_only(self):
        self._set_limit(self.acme, 100.0)
        order = self._approved_quotation(self.rep_n1a, 400.0)
        Override = self.env["sales.policy.credit.override"]
        override = Override.with_user(self.rep_n1a).create(
            {"order_id": order.id, "reason": "Bank guarantee received"}
        )
        override.action_policy_submit()
        self.assertEqual(override._policy_approval_pending_step().level, "finance")
        for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.legal):
            with self.assertRaises(AccessError, msg=user.login):
                override.with_user(user).action_policy_approve()
        with self.assertRaises(AccessError):
            override.with_user(self.rep_n1a).write({"policy_approval_state": "approved"})
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).action_confirm()
        self.assertIn(
            override,
            Override.with_user(self.finance).search([("policy_approval_can_decide", "=", True)]),
        )
        override.with_user(self.finance).action_policy_approve()
        self.assertEqual(override.policy_approval_state, "approved")
        self.assertIn("Bank guarantee", order.message_ids[0].body)
        self.assertIn("Bank guarantee", self.acme.message_ids[0].body)
        # a larger amount is not covered: the override was for 400
        order.with_user(self.rep_n1a).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 500.0})]}
        )
        self._approved_again(order)
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).action_confirm()
        order.with_user(self.rep_n1a).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 400.0})]}
        )
        self._approved_again(order)
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")
        # another order of the customer is not covered
        other = self._approved_quotation(self.rep_n1a, 50.0)
        with self.assertRaises(UserError):
            other.with_user(self.rep_n1a).action_confirm()

    def _approved_again(self, order):
        if order.policy_approval_state != "approved":
            order.with_user(order.user_id).action_policy_submit()
            while order.policy_approval_state == "pending":
                step = order._policy_approval_pending_step()
                order.with_user(step.approver_id).action_policy_approve()

    def test_large_override_needs_the_director(self):
        self.company.sales_policy_credit_director_amount = 1000.0
        self._set_limit(self.acme, 100.0)
        order = self._approved_quotation(self.rep_n1a, 5000.0)
        override = (
            self.env["sales.policy.credit.override"]
            .with_user(self.rep_n1a)
            .create({"order_id": order.id, "reason": "Strategic project"})
        )
        override.action_policy_submit()
        override.with_user(self.finance).action_policy_approve()
        self.assertEqual(override._policy_approval_pending_step().level, "director")
        override.with_user(self.director).action_policy_approve()
        self.assertEqual(override.policy_approval_state, "approved")


@tagged("post_install", "-at_install")
class TestCreditLimitRequest(CreditCommon):
    def test_limit_and_grade_change_only_through_an_approved_request(self):
        for user in (self.rep_n1a, self.sup_n1, self.finance, self.director):
            for vals in (
                {"credit_limit": 5000.0},
                {"sales_policy_credit_grade": "A"},
                {"use_partner_credit_limit": True},
            ):
                with self.assertRaises(AccessError, msg=f"{user.login} {vals}"):
                    self.acme.with_user(user).write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.rep_n1a).create(
                {"name": "Pre-approved", "credit_limit": 1e9}
            )
        with self.assertRaises(AccessError):
            self.acme.with_user(self.rep_n1a).write({"sales_policy_credit_manual_score": 90})
        self.acme.with_user(self.finance).write({"sales_policy_credit_manual_score": 90})

        Request = self.env["sales.policy.credit.limit.request"]
        request = Request.with_user(self.rep_n1a).create(
            {
                "partner_id": self.acme.id,
                "new_limit": 50_000.0,
                "new_grade": "B",
                "reason": "Framework agreement signed",
            }
        )
        request.action_policy_submit()
        for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.director):
            with self.assertRaises(AccessError, msg=user.login):
                request.with_user(user).action_policy_approve()
        request.with_user(self.finance).action_policy_approve()
        self.assertEqual(request.policy_approval_state, "approved")
        partner = self.acme.with_company(self.company).sudo()
        self.assertEqual(partner.credit_limit, 50_000.0)
        self.assertEqual(partner.sales_policy_credit_grade, "B")
        self.assertEqual(request.current_limit, 0.0)
        self.assertTrue(request.date_applied)
        self.assertIn("Framework agreement", self.acme.message_ids[0].body)
        with self.assertRaises(UserError):
            request.with_user(self.rep_n1a).write({"new_limit": 1.0})

    def test_above_the_amount_the_director_approves_too_and_four_eyes(self):
        self.company.sales_policy_credit_director_amount = 10_000.0
        finance_2 = new_test_user(
            self.env, login="sp_finance_2", groups="sales_policy.group_finance"
        )
        request = (
            self.env["sales.policy.credit.limit.request"]
            .with_user(self.finance)
            .create({"partner_id": self.acme.id, "new_limit": 80_000.0, "reason": "Growth"})
        )
        request.action_policy_submit()
        # finance does not approve its own request: another finance user does
        with self.assertRaises(AccessError):
            request.with_user(self.finance).action_policy_approve()
        request.with_user(finance_2).action_policy_approve()
        self.assertEqual(request._policy_approval_pending_step().level, "director")
        request.with_user(self.director).action_policy_approve()
        self.assertEqual(self.acme.with_company(self.company).sudo().credit_limit, 80_000.0)

    def test_reason_required_and_rejection_changes_nothing(self):
        request = (
            self.env["sales.policy.credit.limit.request"]
            .with_user(self.rep_n1a)
            .create({"partner_id": self.acme.id, "new_limit": 9000.0, "reason": " "})
        )
        with self.assertRaises(UserError):
            request.action_policy_submit()
        request.reason = "Bigger orders"
        request.action_policy_submit()
        request.with_user(self.finance)._policy_approval_decide(
            "rejected", "Payment record too short"
        )
        self.assertEqual(request.policy_approval_state, "rejected")
        self.assertEqual(self.acme.with_company(self.company).sudo().credit_limit, 0.0)


@tagged("post_install", "-at_install")
class TestCreditAssessment(CreditCommon):
    def test_scorecard_by_hand(self):
        # a customer for 12 months: 600 paid on time, 1,200 paid 10 days late, 300 open
        # and 30 days overdue
        first = self._invoice(
            self.rep_n1a, 600.0, date(2024, 7, 15), invoice_date=date(2024, 6, 15)
        )
        self._pay(first, 600.0, date(2024, 7, 10))
        late = self._invoice(self.rep_n1a, 1200.0, date(2025, 3, 1), invoice_date=date(2025, 2, 1))
        self._pay(late, 1200.0, date(2025, 3, 11))
        self._invoice(
            self.rep_n1a, 300.0, TODAY - timedelta(days=30), invoice_date=date(2025, 4, 1)
        )
        self.company.sales_policy_credit_volume_reference = 3000.0
        assessment = self.env["sales.policy.credit.assessment"]._sales_policy_assess(
            self.acme, self.company, today=TODAY
        )
        days_late = (600.0 * 0 + 1200.0 * 10) / 1800.0
        late_share = 1200.0 / 1800.0
        volume = 600.0 + 1200.0 + 300.0
        self.assertAlmostEqual(assessment.avg_days_late, days_late, places=4)
        self.assertAlmostEqual(assessment.late_share, 100.0 * late_share, places=4)
        self.assertEqual(assessment.overdue_days, 30)
        self.assertAlmostEqual(assessment.overdue_amount, 300.0)
        self.assertEqual(assessment.relationship_months, 12)
        self.assertAlmostEqual(assessment.volume, volume)
        factors = {
            "payment_days": 100 - 100 * days_late / 60,
            "late_share": 100 * (1 - late_share),
            "overdue": 100 - 100 * 30 / 90,
            "relationship": 100 * 12 / 36,
            "volume": 100 * volume / 3000.0,
            "manual": 50.0,
        }
        weights = {
            "payment_days": 25,
            "late_share": 15,
            "overdue": 25,
            "relationship": 10,
            "volume": 10,
            "manual": 15,
        }
        score = sum(factors[k] * weights[k] for k in weights) / 100
        self.assertAlmostEqual(assessment.score, round(score, 2))
        self.assertEqual(assessment.grade, "B")  # 60 <= 61.7 < 80
        self.assertAlmostEqual(assessment.suggested_limit, round(volume / 12 * 2, 2))
        # finance's judgement moves the score; the limit and grade do not change by
        # themselves
        self.acme.with_user(self.finance).write({"sales_policy_credit_manual_score": 100})
        again = self.env["sales.policy.credit.assessment"]._sales_policy_assess(
            self.acme, self.company, today=TODAY
        )
        self.assertAlmostEqual(again.score, round(score + 50 * 15 / 100, 2))
        self.assertEqual(again.previous_grade, "B")
        self.assertFalse(self.acme.with_company(self.company).sudo().sales_policy_credit_grade)

    def test_assessing_many_customers_takes_the_queries_of_one(self):
        for rep in self.reps:
            self._invoice(rep, 100.0, TODAY)
        Assessment = self.env["sales.policy.credit.assessment"]
        partners = self.env["res.partner"].browse([self.customer[r].id for r in self.reps])
        Assessment._sales_policy_assess(partners, self.company, today=TODAY)  # warm caches
        self.env.flush_all()
        one = self._queries(Assessment._sales_policy_assess, self.acme, self.company, today=TODAY)
        self.env.flush_all()
        many = self._queries(Assessment._sales_policy_assess, partners, self.company, today=TODAY)
        # grouped queries and one INSERT for every assessment: four customers cost what
        # one costs, where a query per customer would cost three more per factor
        self.assertLessEqual(many, one)
        due = Assessment._sales_policy_due_partners(self.company, today=TODAY)
        self.assertFalse(due & partners, "just assessed")
        self.assertTrue(
            Assessment._sales_policy_due_partners(self.company, today=TODAY + timedelta(days=200))
            >= partners
        )

    def test_only_finance_assesses_on_demand(self):
        with self.assertRaises(AccessError):
            self.acme.with_user(self.rep_n1a).action_sales_policy_credit_assess()
        action = self.acme.with_user(self.finance).action_sales_policy_credit_assess()
        assessment = self.env["sales.policy.credit.assessment"].search(action["domain"])
        self.assertEqual(assessment.partner_id, self.acme)
