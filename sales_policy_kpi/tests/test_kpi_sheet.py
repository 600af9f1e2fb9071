from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import KpiCommon


@tagged("post_install", "-at_install")
class TestKpiSheet(KpiCommon):
    """The sheet's flow per role: draft → scored → reviewed → confirmed → published,
    and the lock of confirmed sheets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_target_and_sales()

    def _score(self, sheet, user, value=80.0):
        sheet = sheet.with_user(user)
        for line in sheet.line_ids.filtered(lambda line: line.kind == "qualitative"):
            line.manager_score = value
        sheet.supervisor_comment = "Solid quarter."
        sheet.improvement = "Visit class A customers monthly."

    def test_regional_manager_generates_own_region_only(self):
        run = self._run(user=self.rm_north)
        self.assertEqual(run.sheet_ids.user_id, self.rep_n1a | self.rep_n1b | self.rep_n2)
        with self.assertRaises(AccessError):
            self._run(user=self.sup_n1)

    def test_flow_per_role_and_lock(self):
        run = self._run()
        sheet = self._sheet(run, self.rep_n1a)
        self.assertEqual(self._line(sheet, "sales_amount").achievement, 80.0)
        # the rep does not see their sheet before it is published
        with self.assertRaises(AccessError):
            sheet.with_user(self.rep_n1a).read(["total_score"])
        # another team's supervisor neither reads nor scores it
        with self.assertRaises(AccessError):
            sheet.with_user(self.sup_n2).read(["total_score"])
        # qualitative items first
        with self.assertRaisesRegex(UserError, "Score the qualitative items"):
            sheet.with_user(self.sup_n1).action_score()
        # a rep cannot score, and nobody writes a computed figure
        with self.assertRaises(AccessError):
            self._line(sheet, "sales_amount").with_user(self.sup_n1).write({"actual": 5000.0})
        with self.assertRaises(ValidationError):
            self._line(sheet, name="Teamwork").with_user(self.sup_n1).write(
                {"manager_score": 130.0}
            )
        self._score(sheet, self.sup_n1)
        with self.assertRaises(AccessError):
            sheet.with_user(self.rep_n1b).action_score()
        sheet.with_user(self.sup_n1).action_score()
        self.assertEqual(sheet.state, "scored")
        # scored: the supervisor's part is locked
        with self.assertRaises(UserError):
            sheet.with_user(self.sup_n1).write({"supervisor_comment": "Changed my mind"})
        with self.assertRaises(UserError):
            self._line(sheet, name="Teamwork").with_user(self.sup_n1).manager_score = 20.0
        # the supervisor cannot review; the regional manager of the rep does
        with self.assertRaises(AccessError):
            sheet.with_user(self.sup_n1).action_policy_approve()
        with self.assertRaises(AccessError):
            sheet.with_user(self.rm_south).action_policy_approve()
        sheet.with_user(self.rm_north).manager_comment = "Agreed."
        sheet.with_user(self.rm_north).action_policy_approve()
        self.assertEqual(sheet.state, "reviewed")
        sheet.with_user(self.director).action_policy_approve()
        self.assertEqual(sheet.state, "confirmed")
        # confirmed: locked, and recomputing never changes it
        frozen = sheet.line_ids.read(["actual", "target", "score"]), sheet.total_score
        with self.assertRaises(UserError):
            sheet.with_user(self.director).write({"manager_comment": "x"})
        with self.assertRaises(UserError):
            sheet.with_user(self.rm_north).unlink()
        self._invoice(self.rep_n1a, 5000.0, date(2025, 3, 1), date(2025, 3, 1))
        self.env["sales.policy.kpi.target"].sudo().search(
            [("user_id", "=", self.rep_n1a.id)]
        ).amount = 1
        run.action_recompute()
        self.template.sudo().grade_s_min = 99.0
        self.env.flush_all()
        sheet.invalidate_recordset()
        self.assertEqual(
            (sheet.line_ids.read(["actual", "target", "score"]), sheet.total_score), frozen
        )
        # published: the rep reads it and acknowledges it, nobody else does
        with self.assertRaises(AccessError):
            sheet.with_user(self.sup_n1).action_publish()
        sheet.with_user(self.rm_north).action_publish()
        self.assertEqual(sheet.with_user(self.rep_n1a).total_score, sheet.total_score)
        with self.assertRaises(AccessError):
            sheet.with_user(self.rep_n1b).action_acknowledge()
        sheet.with_user(self.rep_n1a).action_acknowledge()
        self.assertTrue(sheet.acknowledged_date)
        with self.assertRaises(AccessError):
            sheet.with_user(self.rep_n1a).write({"improvement": "none"})

    def test_send_back_returns_to_draft(self):
        run = self._run()
        sheet = self._sheet(run, self.rep_n1b)
        self._score(sheet, self.sup_n1)
        sheet.with_user(self.sup_n1).action_score()
        sheet.with_user(self.rm_north)._policy_approval_decide("rejected", "Score teamwork again")
        self.assertEqual(sheet.state, "draft")
        self._line(sheet, name="Teamwork").with_user(self.sup_n1).manager_score = 60.0

    def test_ranks_in_team_and_region(self):
        run = self._run()
        a, b = self._sheet(run, self.rep_n1a), self._sheet(run, self.rep_n1b)
        self._score(a, self.sup_n1, 90.0)
        self._score(b, self.sup_n1, 50.0)
        self.assertEqual((a.rank_team, b.rank_team), (1, 2))
        self.assertGreater(a.total_score, b.total_score)
        self.assertEqual(self._sheet(run, self.rep_s1).rank_team, 1)
        self.assertEqual(a.rank_region, 1)

    def test_improvement_followed_up_next_period(self):
        q1 = self._run()
        sheet = self._sheet(q1, self.rep_n1a)
        self._score(sheet, self.sup_n1)
        q2 = self._run(quarter="2")
        self.assertEqual(self._sheet(q2, self.rep_n1a).previous_sheet_id, sheet)
        self.assertEqual(
            self._sheet(q2, self.rep_n1a).previous_improvement, "Visit class A customers monthly."
        )

    def _stored_items(self, run):
        """Every stored column of the run's items and of its sheets' totals, by
        salesperson and template item (names in every language)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT sheet.user_id, line.template_line_id, line.name, line.kind, line.indicator,
                   line.sequence, line.weight, line.cap, line.actual, line.has_actual,
                   line.target, line.manager_score, line.comment, line.applicable,
                   line.achievement, line.score, line.user_id, line.company_id,
                   sheet.total_score, sheet.grade, sheet.rank_team, sheet.rank_region
              FROM sales_policy_kpi_sheet_line line
              JOIN sales_policy_kpi_sheet sheet ON sheet.id = line.sheet_id
             WHERE sheet.run_id = %s
          ORDER BY sheet.user_id, line.template_line_id
            """,
            [run.id],
        )
        return self.env.cr.fetchall()

    def test_items_inserted_as_the_orm_creates_them(self):
        """The run inserts the sheets' items in bulk (not through the ORM's create):
        the same rows, names in every language, totals, grades and ranks as creating
        them through the ORM (the former way)."""
        self._invoice(self.rep_n1b, 333.33, date(2025, 1, 20), date(2025, 3, 1))
        Sheet = type(self.env["sales.policy.kpi.sheet"])
        computed = {"applicable", "achievement", "score", "user_id", "company_id"}

        def orm_insert(sheets, vals_list):
            return sheets.env["sales.policy.kpi.sheet.line"].create(
                [
                    {k: v for k, v in vals.items() if k not in computed and v is not None}
                    for vals in vals_list
                ]
            )

        savepoint = self.env.cr.savepoint()
        with patch.object(Sheet, "_kpi_insert_lines", orm_insert):
            expected = self._stored_items(self._run())
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        Line = type(self.env["sales.policy.kpi.sheet.line"])
        with patch.object(Line, "create", side_effect=AssertionError("ORM create")) as create:
            run = self._run()
        create.assert_not_called()
        got = self._stored_items(run)
        self.assertEqual(len(got), len(run.sheet_ids) * len(self.template.line_ids))
        self.assertTrue(any(row[9] is False for row in got), "an item without a figure")
        self.assertEqual(got, expected)
