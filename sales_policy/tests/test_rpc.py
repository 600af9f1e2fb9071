from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcMixin


@tagged("post_install", "-at_install")
class TestRpc(SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """The hierarchy scopes hold over a real HTTP JSON-RPC call to the running server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()

    def test_rep_reads_own_order_over_rpc(self):
        order = self.orders[self.rep_n1a]
        reply = self._execute_kw(self.rep_n1a, "sale.order", "read", [order.ids, ["name"]])
        self.assertNotIn("error", reply)
        self.assertEqual(reply["result"][0]["name"], order.name)

    def test_rep_cannot_read_other_team_order_over_rpc(self):
        order = self.orders[self.rep_s1]
        reply = self._execute_kw(self.rep_n1a, "sale.order", "read", [order.ids, ["name"]])
        self.assertIn("error", reply)
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertNotIn(order.name, str(reply))

    def test_rep_search_over_rpc_returns_only_own_orders(self):
        reply = self._execute_kw(self.rep_n1a, "sale.order", "search", [[]])
        self.assertEqual(set(reply["result"]), set(self.orders[self.rep_n1a].ids))

    def test_quotation_gates_hold_over_rpc(self):
        """As the rep over JSON-RPC: no approval written by hand, no confirmation of an
        unapproved quotation, whatever context is sent."""
        order = self.orders[self.rep_n1a]
        forged = {"context": {"sales_policy_engine": True, "policy_approval_bypass": True}}
        reply = self._execute_kw(
            self.rep_n1a,
            "sale.order",
            "write",
            [order.ids, {"policy_approval_state": "approved"}],
            forged,
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        for method, args in (
            ("action_confirm", [order.ids]),
            ("write", [order.ids, {"state": "sale"}]),
        ):
            reply = self._execute_kw(self.rep_n1a, "sale.order", method, args, forged)
            self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        order.invalidate_recordset()
        self.assertEqual((order.state, order.policy_approval_state), ("draft", "draft"))

    def test_legal_reads_but_cannot_write_orders_over_rpc(self):
        order = self.orders[self.rep_s1]
        note = order.note
        reply = self._execute_kw(self.legal, "sale.order", "read", [order.ids, ["name"]])
        self.assertEqual(reply["result"][0]["name"], order.name)
        reply = self._execute_kw(self.legal, "sale.order", "write", [order.ids, {"note": "x"}])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        order.invalidate_recordset()
        self.assertEqual(order.note, note)

    def test_finance_posts_an_invoice_over_rpc(self):
        """Odoo's "Confirm" on an invoice (action_post on the records sent) works as
        finance: the collection marks on account.move keep it a record method."""
        invoice = self.invoices[self.rep_n1a]
        self.assertEqual(invoice.state, "draft")
        answer = self._execute_kw(self.finance, "account.move", "action_post", [invoice.ids])
        self.assertNotIn("error", answer)
        invoice.invalidate_recordset()
        self.assertEqual(invoice.state, "posted")
