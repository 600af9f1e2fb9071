from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures


@tagged("post_install", "-at_install")
class TestRpc(SalesPolicyFixtures, HttpCase):
    """The hierarchy scopes hold over a real HTTP JSON-RPC call to the running server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()

    def _execute_kw(self, user, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    user.login,
                    model,
                    method,
                    args,
                    kwargs or {},
                ],
            },
        }
        response = self.url_open("/jsonrpc", json=payload)
        self.assertEqual(response.status_code, 200)
        return response.json()

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
