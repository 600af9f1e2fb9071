"""Issue #10, the policy holds on every path: the customer's satisfaction answers.

Over JSON-RPC as the real role: refused with its message, nothing written; the
legitimate path still works.
"""

import re

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
        # the link was shared by the assistant (the salesperson never holds it)
        self._ok(self._call(self.assistant_n1, Survey, "action_mark_sent", [[survey_id]]))
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

    def test_the_salesperson_never_sees_the_answer_link(self):
        """The answer feeds the rep's appraisal: the company sends the link to the
        customer; the rep sees that it was sent and the answer, never the link."""
        rep, Survey = self.rep_n1a, "sales.policy.satisfaction"
        customer = self.customers[rep][0]
        customer.email = "buyer@n1a.example.cn"
        survey_id = self._ok(self._call(rep, Survey, "create", [{"partner_id": customer.id}]))
        survey = self.env[Survey].browse(survey_id)
        token = survey.access_token
        self.assertTrue(token)
        replies = []
        # not in a field …
        reply = self._ok(
            self._call(rep, Survey, "read", [[survey_id], ["survey_url", "access_url"]])
        )
        self.assertFalse(reply[0]["survey_url"])
        replies.append(reply)
        reply = self._call(rep, Survey, "read", [[survey_id], ["access_token"]])
        self._refused(reply, "access the field", error="odoo.exceptions.AccessError")
        replies.append(reply)
        # … nor through the portal's ways to the link, nor by marking it shared
        for method in ("get_portal_url", "_get_share_url", "action_mark_sent"):
            with self.subTest(method=method):
                reply = self._call(rep, Survey, method, [[survey_id]])
                if method.startswith("_"):
                    self._refused(reply, "rivate", error="odoo.exceptions.AccessError")
                else:
                    self._refused(reply, "goes to the customer only")
                replies.append(reply)
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "draft")
        # … nor by giving the customer the rep's own e-mail address
        rep.partner_id.email = "rep.n1a@company.example.cn"
        customer.email = rep.partner_id.email
        reply = self._call(rep, Survey, "action_send", [[survey_id]])
        self._refused(reply, "is the e-mail address of a user of the company")
        replies.append(reply)
        customer.email = "buyer@n1a.example.cn"
        # the company sends it; the rep sees that it was sent …
        self._ok(self._call(rep, Survey, "action_send", [[survey_id]]))
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "sent")
        mail = self.env["mail.mail"].search([("body_html", "like", token)])
        self.assertEqual(mail.recipient_ids, customer)
        reply = self._ok(
            self._call(
                rep,
                "mail.message",
                "search_read",
                [
                    [
                        "|",
                        ("body", "like", token),
                        "&",
                        ("model", "=", Survey),
                        ("res_id", "=", survey_id),
                    ],
                    ["body"],
                ],
            )
        )
        self.assertTrue(any("Survey link sent" in message["body"] for message in reply))
        replies.append(reply)
        reply = self._call(rep, "mail.message", "read", [mail.mail_message_id.ids, ["body"]])
        self._refused(reply, "security restrictions", error="odoo.exceptions.AccessError")
        replies.append(reply)
        # … and may not send it again; the supervisor or the assistant may
        reply = self._call(rep, Survey, "action_resend", [[survey_id]])
        self._refused(reply, "goes to the customer only")
        replies.append(reply)
        for user in (self.sup_n1, self.assistant_n1):
            self._ok(self._call(user, Survey, "action_resend", [[survey_id]]))
            reply = self._ok(self._call(user, Survey, "read", [[survey_id], ["survey_url"]]))
            self.assertIn(token, reply[0]["survey_url"])
        self.assertEqual(self.env["mail.mail"].search_count([("body_html", "like", token)]), 3)
        for reply in replies:
            self.assertNotIn(token, str(reply))
        # the customer answers through the link; the rep reads the answer
        page = self.url_open(f"/sales_policy/satisfaction/{survey_id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.url_open(
            f"/sales_policy/satisfaction/{survey_id}/submit",
            data={"csrf_token": csrf, "access_token": token, "score": "5", "comment": "Fine"},
        )
        self.assertIn("Thank you", answer.text)
        reply = self._ok(self._call(rep, Survey, "read", [[survey_id], ["state", "score"]]))
        self.assertEqual((reply[0]["state"], reply[0]["score"]), ("answered", 5))
