from odoo import Command, fields
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import SalesPolicyFixtures

# a 1x1 transparent PNG, as the portal's signature widget sends it
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestPortalGate(SalesPolicyFixtures, HttpCase):
    """The customer cannot sign or pay an unapproved quotation on the portal (篇四 §12)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customers[cls.rep_n1a][0].id,
                "user_id": cls.rep_n1a.id,
                "require_signature": True,
                "payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
                "order_line": [Command.create({"product_id": cls.product.id})],
            }
        )
        cls.token = cls.order._portal_ensure_token()

    def _accept(self):
        return self.make_jsonrpc_request(
            f"/my/orders/{self.order.id}/accept",
            {"access_token": self.token, "name": "Buyer", "signature": SIGNATURE},
        )

    def test_accept_of_unapproved_quotation_is_refused_over_http(self):
        result = self._accept()
        self.assertIn("error", result)
        self.order.invalidate_recordset()
        self.assertFalse(self.order.signature)
        self.assertEqual(self.order.state, "draft")

    def test_payment_of_unapproved_quotation_is_refused_over_http(self):
        with self.assertRaises(JsonRpcException) as error:
            self.make_jsonrpc_request(
                f"/my/orders/{self.order.id}/transaction",
                {"access_token": self.token, "amount": self.order.amount_total},
            )
        self.assertIn("ValidationError", str(error.exception))
        self.assertFalse(self.order.transaction_ids)

    def test_approved_quotation_can_be_signed(self):
        # complete, and small enough to need no contract: it could be confirmed
        self.company.sales_policy_contract_exempt_amount = 1_000_000
        self.order.commitment_date = fields.Datetime.now()
        self.order.with_user(self.rep_n1a).action_policy_submit()
        self.order.with_user(self.sup_n1).action_policy_approve()
        self.assertTrue(self.order._has_to_be_signed())
