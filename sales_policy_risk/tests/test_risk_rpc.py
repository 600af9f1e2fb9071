from odoo.tests import HttpCase, tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures, SalesPolicyRpcMixin


@tagged("post_install", "-at_install")
class TestRiskRpc(SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """The risk register's gates hold over a real JSON-RPC call, as the reporter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.risk = (
            cls.env["sales.policy.risk"]
            .with_user(cls.rep_n1a)
            .create(
                {
                    "name": "Late payer",
                    "description": "<p>Pays later every month.</p>",
                    "proposed_response": "<p>Down payment.</p>",
                }
            )
            .with_env(cls.env)
        )

    def _error(self, reply):
        self.assertIn("error", reply, reply)
        return reply["error"]["data"]["name"]

    def test_reporter_cannot_write_state_score_or_close_over_rpc(self):
        forged = {"context": {"sales_policy_engine": True, "policy_approval_bypass": True}}
        for vals in ({"state": "closed"}, {"score": 1, "level": "low"}, {"likelihood": "1"}):
            reply = self._execute_kw(
                self.rep_n1a, "sales.policy.risk", "write", [self.risk.ids, vals], forged
            )
            self.assertEqual(self._error(reply), "odoo.exceptions.AccessError")
        for method in ("action_assess", "action_close"):
            reply = self._execute_kw(self.rep_n1a, "sales.policy.risk", method, [self.risk.ids])
            self.assertEqual(self._error(reply), "odoo.exceptions.AccessError")
        self.risk.invalidate_recordset()
        self.assertEqual((self.risk.state, self.risk.score), ("reported", 9))

    def test_owner_assesses_over_rpc_and_proposed_response_required(self):
        reply = self._execute_kw(
            self.rm_north, "sales.policy.risk", "action_assess", [self.risk.ids]
        )
        self.assertNotIn("error", reply, reply)
        self.risk.invalidate_recordset()
        self.assertEqual(self.risk.state, "assessed")
        reply = self._execute_kw(
            self.rep_n1a,
            "sales.policy.risk",
            "create",
            [{"name": "No response", "description": "<p>x</p>", "proposed_response": "<p></p>"}],
        )
        self.assertEqual(self._error(reply), "odoo.exceptions.ValidationError")
        reply = self._execute_kw(self.rep_n1a, "sales.policy.risk", "search", [[]])
        self.assertEqual(reply["result"], self.risk.ids)
