from odoo.tests import HttpCase, tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyFixtures, SalesPolicyRpcMixin


@tagged("post_install", "-at_install")
class TestKpiRpc(SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """Appraisal visibility per role over real JSON-RPC: rep own (once published),
    supervisor team, regional manager region, director all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.kpi_run = (
            cls.env["sales.policy.kpi.run"]
            .sudo()
            .create(
                {
                    "period_type": "quarter",
                    "year": 2025,
                    "quarter": "1",
                    "template_id": cls.env.ref("sales_policy_kpi.kpi_template_sales_rep").id,
                }
            )
        )
        cls.kpi_run.action_generate()
        cls.sheets = {sheet.user_id: sheet for sheet in cls.kpi_run.sheet_ids}

    def _visible(self, user):
        reply = self._execute_kw(user, "sales.policy.kpi.sheet", "search", [[]])
        self.assertNotIn("error", reply)
        return {self.env["sales.policy.kpi.sheet"].browse(i).user_id for i in reply["result"]}

    def test_visibility_per_role(self):
        self.assertEqual(set(self.sheets), set(self.reps))
        self.assertEqual(self._visible(self.rep_n1a), set(), "not published yet")
        self.sheets[self.rep_n1a].sudo().state = "published"
        self.assertEqual(self._visible(self.rep_n1a), {self.rep_n1a})
        self.assertEqual(self._visible(self.sup_n1), {self.rep_n1a, self.rep_n1b})
        self.assertEqual(self._visible(self.rm_north), {self.rep_n1a, self.rep_n1b, self.rep_n2})
        self.assertEqual(self._visible(self.director), set(self.reps))
        # an assistant has no access to appraisals at all
        reply = self._execute_kw(self.assistant_n1, "sales.policy.kpi.sheet", "search", [[]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        # items follow their sheet
        reply = self._execute_kw(self.rep_n1b, "sales.policy.kpi.sheet.line", "search", [[]])
        self.assertEqual(reply["result"], [])

    def test_target_vs_actual_visibility_over_rpc(self):
        Target = self.env["sales.policy.kpi.target"].sudo()
        period = {"period_type": "quarter", "year": 2025, "quarter": "1", "amount": 100.0}
        targets = {
            "company": Target.create({**period, "level": "company"}),
            "north": Target.create(
                {**period, "level": "region", "region_id": self.region_north.id}
            ),
            "south": Target.create(
                {**period, "level": "region", "region_id": self.region_south.id}
            ),
            "n1": Target.create({**period, "level": "team", "team_id": self.team_n1.id}),
            "n1a": Target.create({**period, "level": "salesperson", "user_id": self.rep_n1a.id}),
            "s1": Target.create({**period, "level": "salesperson", "user_id": self.rep_s1.id}),
        }
        keys = {target.id: key for key, target in targets.items()}

        def visible(user):
            reply = self._execute_kw(
                user,
                "sales.policy.kpi.target.report",
                "search_read",
                [[]],
                {"fields": ["target_id", "target_amount", "actual_amount"]},
            )
            self.assertNotIn("error", reply)
            return {keys[row["target_id"][0]] for row in reply["result"]}

        self.assertEqual(visible(self.rep_n1a), {"n1a"})
        self.assertEqual(visible(self.sup_n1), {"n1", "n1a"})
        self.assertEqual(visible(self.rm_north), {"company", "north", "n1", "n1a"})
        self.assertEqual(visible(self.rm_south), {"company", "south", "s1"})
        self.assertEqual(visible(self.director), set(targets))
        reply = self._execute_kw(
            self.assistant_n1, "sales.policy.kpi.target.report", "search", [[]]
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")

    def test_gates_hold_over_rpc(self):
        sheet = self.sheets[self.rep_n1a]
        forged = {"context": {"policy_approval_bypass": True, "sales_policy_engine": True}}
        reply = self._execute_kw(
            self.sup_n1,
            "sales.policy.kpi.sheet",
            "write",
            [sheet.ids, {"state": "confirmed"}],
            forged,
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        line = sheet.line_ids.filtered(lambda line: line.kind == "quantitative")[:1]
        reply = self._execute_kw(
            self.sup_n1, "sales.policy.kpi.sheet.line", "write", [line.ids, {"actual": 1e9}], forged
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        # the rep neither reads nor scores their own draft sheet
        reply = self._execute_kw(
            self.rep_n1a, "sales.policy.kpi.sheet", "action_score", [sheet.ids]
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        sheet.invalidate_recordset()
        self.assertEqual(sheet.state, "draft")
