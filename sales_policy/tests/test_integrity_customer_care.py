"""Issue #10, the policy holds on every path: the customer's satisfaction answers.

Over JSON-RPC as the real role: refused with its message, nothing written; the
legitimate path still works.
"""

from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions


@tagged("post_install", "-at_install")
class TestIntegritySatisfactionRpc(SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()

    def test_a_sent_survey_is_frozen(self):
        rep = self.rep_n1a
        Survey = "sales.policy.satisfaction"
        customer = self.customers[rep][0]
        survey_id = self._ok(self._call(rep, Survey, "create", [{"partner_id": customer.id}]))
        survey = self.env[Survey].browse(survey_id)
        self.assertEqual(survey.user_id, rep)
        # before sending, the survey is still prepared freely
        self._ok(self._call(self.sup_n1, Survey, "write", [[survey_id], {"user_id": rep.id}]))
        self._ok(self._call(rep, Survey, "action_mark_sent", [[survey_id]]))
        for user, vals in (
            (rep, {"user_id": self.rep_n1b.id}),
            (self.sup_n1, {"user_id": self.rep_n1b.id}),
            (rep, {"order_id": self.orders[rep].id}),
        ):
            with self.subTest(user=user.login, vals=vals):
                reply = self._call(user, Survey, "write", [[survey_id], vals])
                self._refused(reply, "belongs to the customer")
        survey.invalidate_recordset()
        self.assertEqual((survey.user_id, survey.order_id), (rep, self.env["sale.order"]))
        # the customer still answers (the portal route, with sudo)
        survey.sudo()._sales_policy_answer(5, "Fine")
        self.assertEqual((survey.state, survey.score), ("answered", 5))
