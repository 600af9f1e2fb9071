"""The credit gate holds on the customer's portal link and over JSON-RPC, whatever the
context sent."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures, SalesPolicyRpcMixin
from odoo.addons.sales_policy.tests.test_portal_gate import SIGNATURE

FORGED = {"skip_credit_check": True, "sales_policy_credit_ok": True, "bypass_risk": True}


@tagged("post_install", "-at_install")
class TestCreditGateOverHttp(SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.company.write(
            {"account_use_credit_limit": True, "sales_policy_contract_exempt_amount": 1e9}
        )
        cls.customer = cls.customers[cls.rep_n1a][0]
        cls.customer.with_company(cls.company).sudo().credit_limit = 50.0
        service = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "list_price": 100.0, "taxes_id": []}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.rep_n1a.id,
                "require_signature": True,
                "require_payment": False,
                "payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
                "order_line": [Command.create({"product_id": service.id, "tax_ids": []})],
            }
        )
        cls.order.with_user(cls.rep_n1a).action_policy_submit()
        cls.order.with_user(cls.sup_n1).action_policy_approve()
        cls.token = cls.order._portal_ensure_token()

    def test_portal_signature_does_not_confirm_over_the_limit(self):
        # the portal does not offer to sign what the credit gate would refuse to confirm
        self.assertIn("Credit check", self.order._confirmation_error_message())
        self.assertFalse(self.order._has_to_be_signed())
        reply = self.make_jsonrpc_request(
            f"/my/orders/{self.order.id}/accept",
            {"access_token": self.token, "name": "Buyer", "signature": SIGNATURE},
        )
        self.assertEqual(
            reply, {"error": "The order is not in a state requiring customer signature."}
        )
        self.order.invalidate_recordset()
        self.assertFalse(self.order.signature)
        self.assertEqual(self.order.state, "draft")

    def test_rpc_confirmation_and_state_write_are_refused(self):
        for method, args in (
            ("action_confirm", [self.order.ids]),
            ("write", [self.order.ids, {"state": "sale"}]),
        ):
            answer = self._execute_kw(self.rep_n1a, "sale.order", method, args, {"context": FORGED})
            self.assertIn("error", answer, method)
            self.assertIn("Credit check", answer["error"]["data"]["message"], method)
        # nor can the rep lift the limit over RPC
        answer = self._execute_kw(
            self.rep_n1a,
            "res.partner",
            "write",
            [self.customer.ids, {"credit_limit": 1e9}],
            {"context": FORGED},
        )
        self.assertIn("error", answer)
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "draft")
