from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.sales_policy.tests.common import SalesPolicyCommon


class RefusedMixin:
    @contextmanager
    def assertRefused(self, exception, regex):
        """The operation raises ``exception`` matching ``regex`` (constraints checked at
        flush included) and leaves nothing behind."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestKpiTarget(RefusedMixin, SalesPolicyCommon):
    """Targets split down the hierarchy by the right roles; bad input refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Target = cls.env["sales.policy.kpi.target"]

    def _target(self, user=None, **vals):
        Target = self.Target.with_user(user) if user else self.Target
        return Target.create(
            {"period_type": "quarter", "year": 2025, "quarter": "1", "amount": 100.0, **vals}
        )

    def test_period_dates(self):
        target = self._target(level="company", period_type="month", month="2", year=2024)
        self.assertEqual(
            (str(target.date_from), str(target.date_to), target.period_name),
            ("2024-02-01", "2024-02-29", "2024-02"),
        )

    def test_negative_target_refused(self):
        with self.assertRefused(ValidationError, "negative"):
            self._target(level="company", amount=-5.0)
        target = self._target(level="company")
        with self.assertRefused(ValidationError, "negative"):
            target.amount = -1.0

    def test_overlapping_periods_refused(self):
        self._target(level="salesperson", user_id=self.rep_n1a.id)
        with self.assertRefused(ValidationError, "overlaps"):
            self._target(level="salesperson", user_id=self.rep_n1a.id, amount=50.0)
        # other scope, other product line, or a yearly plan of the same scope: fine
        self._target(level="salesperson", user_id=self.rep_n1b.id)
        categ = self.env["product.category"].create({"name": "Locks"})
        self._target(level="salesperson", user_id=self.rep_n1a.id, categ_id=categ.id)
        self._target(level="salesperson", user_id=self.rep_n1a.id, period_type="year")
        q2 = self._target(level="salesperson", user_id=self.rep_n1a.id, quarter="2")
        with self.assertRefused(ValidationError, "overlaps"):
            q2.quarter = "1"

    def test_scope_required(self):
        with self.assertRefused(ValidationError, "needs its"):
            self._target(level="team")

    def test_split_shown_on_the_parent(self):
        company = self._target(level="company", amount=1000.0)
        self.assertEqual(company.allocation_state, "none")
        self._target(level="region", region_id=self.region_north.id, amount=600.0)
        south = self._target(level="region", region_id=self.region_south.id, amount=300.0)
        company.invalidate_recordset()
        self.assertRecordValues(
            company,
            [
                {
                    "allocated_amount": 900.0,
                    "unallocated_amount": 100.0,
                    "allocation_state": "partial",
                }
            ],
        )
        south.amount = 400.0
        company.invalidate_recordset()
        self.assertEqual(company.allocation_state, "balanced")
        south.amount = 500.0
        company.invalidate_recordset()
        self.assertRecordValues(
            company, [{"unallocated_amount": -100.0, "allocation_state": "over"}]
        )
        # a team's split: its salespeople
        team = self._target(level="team", team_id=self.team_n1.id, amount=200.0)
        self.assertEqual(team.region_id, self.region_north)
        rep = self._target(level="salesperson", user_id=self.rep_n1a.id, amount=150.0)
        self.assertEqual(rep.team_id, self.team_n1)
        team.invalidate_recordset()
        self.assertEqual((team.allocated_amount, team.allocation_state), (150.0, "partial"))

    def test_roles_split_their_own_part(self):
        # the director sets the company's target and the regions'
        self._target(self.director, level="company", amount=1000.0)
        self._target(self.director, level="region", region_id=self.region_north.id)
        # a regional manager splits their region into teams, not another region's
        self._target(self.rm_north, level="team", team_id=self.team_n1.id)
        with self.assertRaises(AccessError):
            self._target(self.rm_north, level="team", team_id=self.team_s1.id)
        with self.assertRaises(AccessError):
            self._target(self.rm_north, level="region", region_id=self.region_north.id, year=2026)
        # a supervisor splits their team into salespeople
        self._target(self.sup_n1, level="salesperson", user_id=self.rep_n1a.id)
        with self.assertRaises(AccessError):
            self._target(self.sup_n1, level="salesperson", user_id=self.rep_n2.id)
        with self.assertRaises(AccessError):
            self._target(self.sup_n1, level="team", team_id=self.team_n1.id, year=2026)
        # a rep reads their own target only, and sets none
        with self.assertRaises(AccessError):
            self._target(self.rep_n1a, level="salesperson", user_id=self.rep_n1a.id, year=2026)
        visible = self.Target.with_user(self.rep_n1a).search([])
        self.assertEqual(visible.user_id, self.rep_n1a)
        self.assertEqual(len(self.Target.with_user(self.director).search([])), 4)


@tagged("post_install", "-at_install")
class TestKpiTemplate(RefusedMixin, SalesPolicyCommon):
    def _template(self, weights):
        return self.env["sales.policy.kpi.template"].create(
            {
                "name": "T",
                "line_ids": [
                    Command.create({"kind": "qualitative", "name": f"Item {i}", "weight": w})
                    for i, w in enumerate(weights)
                ],
            }
        )

    def test_weights_must_sum_to_100(self):
        with self.assertRefused(ValidationError, "add up to 90.0 %"):
            self._template([50, 40])
        template = self._template([60, 40])
        # moving weight between items in one save is fine
        first, second = template.line_ids
        template.write(
            {
                "line_ids": [
                    Command.update(first.id, {"weight": 30}),
                    Command.update(second.id, {"weight": 70}),
                ]
            }
        )
        self.assertEqual(template.weight_total, 100.0)
        with self.assertRefused(ValidationError, "must add up to 100 %"):
            first.weight = 20

    def test_default_template_and_line_checks(self):
        template = self.env.ref("sales_policy_kpi.kpi_template_sales_rep")
        self.assertEqual(template.weight_total, 100.0)
        self.assertEqual(template._grade(96), "S")
        self.assertEqual(template._grade(59.9), "D")
        with self.assertRefused(ValidationError, "fixed target"):
            self.env["sales.policy.kpi.template.line"].create(
                {
                    "template_id": template.id,
                    "indicator": "visits",
                    "target_source": "sales_target",
                    "weight": 0,
                }
            )
        with self.assertRefused(ValidationError, "grade thresholds"):
            template.grade_a_min = 99.0
