"""Issue #10, the policy holds on every path: the approval matrix's invariant.

Each test calls the running server over JSON-RPC as the real role, asserts the refusal
by its message and that nothing was written, and runs the legitimate path too.
"""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions


@tagged("post_install", "-at_install")
class TestIntegrityMatrixRpc(SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.matrix = cls.env.ref("sales_policy.approval_matrix_default")

    def _band(self, above, up_to):
        return self.matrix.band_ids.filtered(
            lambda b: b.dimension == "discount" and (b.above, b.up_to) == (above, up_to)
        )

    def _limits(self):
        self.matrix.invalidate_recordset()
        return sorted((b.dimension, b.above, b.up_to, b.level) for b in self.matrix.band_ids)

    # -- 5. the no gap / no overlap rule on every path ------------------------------
    def test_bands_cover_every_value_on_every_path(self):
        limits = self._limits()
        Band = "sales.policy.approval.matrix.band"
        low, middle = self._band(0, 10), self._band(10, 20)
        for method, args, pattern in (
            ("write", [low.ids, {"up_to": 15}], "overlap"),
            ("write", [low.ids, {"up_to": 8}], "gap"),
            ("write", [middle.ids, {"dimension": "amount"}], "overlap|gap"),
            ("unlink", [middle.ids], "gap"),
            (
                "create",
                [
                    {
                        "matrix_id": self.matrix.id,
                        "dimension": "discount",
                        "above": 5,
                        "up_to": 12,
                        "level": "supervisor",
                    }
                ],
                "overlap",
            ),
            (
                "load",
                [
                    ["matrix_id/.id", "dimension", "above", "up_to", "level"],
                    [[str(self.matrix.id), "discount", "50", "60", "director"]],
                ],
                "overlap",
            ),
        ):
            with self.subTest(method=method, args=args):
                reply = self._call(self.director, Band, method, args)
                if method == "load":
                    messages = self._ok(reply)["messages"]
                    self.assertRegex(str(messages), pattern)
                else:
                    self._refused(reply, pattern, "odoo.exceptions.ValidationError")
                self.assertEqual(self._limits(), limits, "nothing was written")
        # the director moves a limit on the matrix form: both bands at once
        reply = self._call(
            self.director,
            "sales.policy.approval.matrix",
            "write",
            [
                self.matrix.ids,
                {
                    "discount_band_ids": [
                        Command.update(low.id, {"up_to": 12}),
                        Command.update(middle.id, {"above": 12}),
                    ]
                },
            ],
        )
        self._ok(reply)
        self.matrix.band_ids.invalidate_recordset()
        self.assertEqual((low.up_to, middle.above), (12, 12))
        # and on a band record directly, when the result still covers every value
        self._ok(self._call(self.director, Band, "write", [middle.ids, {"level": "director"}]))
