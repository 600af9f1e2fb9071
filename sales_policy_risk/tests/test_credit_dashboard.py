"""The credit dashboard: the customers' latest assessments by region, team and grade,
each role seeing its scope."""

from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.sales_policy.tests.test_collection import TODAY

from .test_credit import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditDashboard(CreditCommon):
    def _grades(self, user):
        """{(region, team, grade): count} of the latest assessments ``user`` sees."""
        groups = (
            self.env["sales.policy.credit.assessment"]
            .with_user(user)
            ._read_group([("is_latest", "=", True)], ["region_id", "team_id", "grade"], ["__count"])
        )
        return {(r.name, t.name, grade): count for r, t, grade, count in groups}

    def test_latest_assessment_by_region_team_and_grade_per_role(self):
        Assessment = self.env["sales.policy.credit.assessment"]
        customers = self.env["res.partner"].browse([self.customer[r].id for r in self.reps])
        first = Assessment._sales_policy_assess(customers, self.company, today=TODAY)
        self.assertEqual(first.mapped("is_latest"), [True] * 4)
        self.assertEqual(
            {(a.partner_id, a.user_id, a.team_id, a.region_id) for a in first},
            {
                (self.acme, self.rep_n1a, self.team_n1, self.region_north),
                (self.customer[self.rep_n1b], self.rep_n1b, self.team_n1, self.region_north),
                (self.customer[self.rep_n2], self.rep_n2, self.team_n2, self.region_north),
                (self.customer[self.rep_s1], self.rep_s1, self.team_s1, self.region_south),
            },
        )
        # acme now pays late and finance thinks little of it: reassessed, a worse grade
        self._invoice(
            self.rep_n1a,
            900.0,
            TODAY - timedelta(days=85),
            invoice_date=TODAY - timedelta(days=100),
        )
        self.acme.with_user(self.finance).write({"sales_policy_credit_manual_score": 1})
        again = Assessment._sales_policy_assess(self.acme, self.company, today=TODAY)
        acme_first = first.filtered(lambda a: a.partner_id == self.acme)
        self.assertTrue(again.is_latest)
        self.assertFalse(acme_first.is_latest, "no longer the latest")
        self.assertEqual((first - acme_first).mapped("is_latest"), [True] * 3)
        grade = {a.partner_id: a.grade for a in (first - acme_first) | again}
        expected = {}
        for rep, team, region in (
            (self.rep_n1a, self.team_n1, self.region_north),
            (self.rep_n1b, self.team_n1, self.region_north),
            (self.rep_n2, self.team_n2, self.region_north),
            (self.rep_s1, self.team_s1, self.region_south),
        ):
            key = (region.name, team.name, grade[self.customer[rep]])
            expected[key] = expected.get(key, 0) + 1
        self.assertEqual(sum(expected.values()), 4, "one row per customer: its latest")
        self.assertEqual(self._grades(self.finance), expected)
        self.assertEqual(self._grades(self.director), expected)
        north = {key: n for key, n in expected.items() if key[0] == "North"}
        self.assertEqual(self._grades(self.rm_north), north)
        self.assertEqual(
            self._grades(self.sup_n1), {key: n for key, n in north.items() if key[1] == "N1"}
        )
        self.assertEqual(
            self._grades(self.rep_s1), {("South", "S1", grade[self.customer[self.rep_s1]]): 1}
        )
