"""The credit early-warning rules (风险预警机制, 篇四 §22.4): instances of the alert
engine, routed to the salesperson and up the hierarchy, de-duplicated."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_credit import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditWarnings(CreditCommon):
    def setUp(self):
        super().setUp()
        self.today = fields.Date.today()

    def _run(self, code):
        rule = self._rule(code)
        self.assertTrue(rule, code)
        rule._run()
        return rule

    def _dated_order(self, amount, days_ago, state="sale"):
        order = self._order(self.rep_n1a, amount)
        order.sudo().write(
            {"state": state, "date_order": fields.Datetime.now() - timedelta(days=days_ago)}
        )
        return order

    def test_overdue_debt_warns_the_supervisor_once(self):
        self._invoice(
            self.rep_n1a,
            500.0,
            self.today - timedelta(days=40),
            invoice_date=self.today - timedelta(days=70),
        )
        self._invoice(self.rep_n2, 500.0, self.today - timedelta(days=10))  # not yet
        self._run("credit_overdue")
        alert = self._open_alerts("credit_overdue", self.acme)
        self.assertEqual(alert.user_id, self.rep_n1a, "the customer's salesperson")
        self.assertEqual(alert.notify_user_id, self.sup_n1, "the supervisor is notified")
        self.assertFalse(self._open_alerts("credit_overdue", self.customer[self.rep_n2]))
        self._run("credit_overdue")
        self.assertEqual(self._open_alerts("credit_overdue", self.acme), alert, "de-duplicated")

    def test_credit_use_near_the_limit_warns_the_salesperson(self):
        self._set_limit(self.acme, 1000.0)
        self._set_limit(self.customer[self.rep_n2], 1000.0)
        self._invoice(self.rep_n1a, 600.0, self.today + timedelta(days=30))
        self._confirmed(self.rep_n1a, 350.0)  # 950: 95 % of the limit
        self._invoice(self.rep_n2, 500.0, self.today + timedelta(days=30))  # 50 %
        self._run("credit_use")
        alert = self._open_alerts("credit_use", self.acme)
        self.assertEqual((alert.user_id, alert.notify_user_id), (self.rep_n1a, self.rep_n1a))
        self.assertFalse(self._open_alerts("credit_use", self.customer[self.rep_n2]))

    def test_grade_drop_at_the_last_assessment(self):
        Assessment = self.env["sales.policy.credit.assessment"]
        Assessment._sales_policy_assess(self.acme, self.company)
        self._run("credit_grade_drop")
        self.assertFalse(self._open_alerts("credit_grade_drop", self.acme))
        # the customer now pays late: the next assessment is worse
        self._invoice(
            self.rep_n1a,
            900.0,
            self.today - timedelta(days=85),
            invoice_date=self.today - timedelta(days=100),
        )
        self.acme.with_user(self.finance).write({"sales_policy_credit_manual_score": 1})
        latest = Assessment._sales_policy_assess(self.acme, self.company)
        self.assertGreater(latest.grade, latest.previous_grade)
        self._run("credit_grade_drop")
        self.assertTrue(self._open_alerts("credit_grade_drop", self.acme))

    def test_order_far_above_the_usual_size(self):
        for days_ago in (60, 120, 200):
            self._dated_order(100.0, days_ago)
        usual = self._order(self.rep_n1a, 250.0)
        large = self._order(self.rep_n1a, 1000.0)
        self._run("credit_large_order")
        self.assertTrue(self._open_alerts("credit_large_order", large))
        self.assertEqual(self._open_alerts("credit_large_order", large).notify_user_id, self.sup_n1)
        self.assertFalse(self._open_alerts("credit_large_order", usual))

    def test_sharp_drop_of_a_customers_orders(self):
        self._dated_order(1000.0, 120)
        self._dated_order(300.0, 10)  # -70 %
        self._run("credit_orders_drop")
        self.assertTrue(self._open_alerts("credit_orders_drop", self.acme))
        self._dated_order(500.0, 5)  # -20 % only: the breach is gone
        self._run("credit_orders_drop")
        self.assertFalse(self._open_alerts("credit_orders_drop", self.acme))
