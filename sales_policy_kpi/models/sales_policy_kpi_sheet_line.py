from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.sales_policy.models.sales_policy_workflow_guard import ALL_FIELDS


class SalesPolicyKpiSheetLine(models.Model):
    """One item of an appraisal sheet: an indicator's actual, target, achievement and
    score, or a qualitative item scored by the manager."""

    _name = "sales.policy.kpi.sheet.line"
    _description = "Appraisal Sheet Item"
    _inherit = ["sales.policy.workflow.guard"]
    _order = "sheet_id, sequence, id"

    sheet_id = fields.Many2one(
        "sales.policy.kpi.sheet", required=True, ondelete="cascade", index=True
    )
    state = fields.Selection(related="sheet_id.state")
    user_id = fields.Many2one(
        related="sheet_id.user_id", store=True, precompute=True, string="Salesperson"
    )
    company_id = fields.Many2one(related="sheet_id.company_id", store=True, precompute=True)
    template_line_id = fields.Many2one("sales.policy.kpi.template.line", ondelete="set null")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("quantitative", "Quantitative"), ("qualitative", "Qualitative")], required=True
    )
    indicator = fields.Selection(
        selection=lambda self: self.env["sales.policy.kpi.indicator"]._kpi_selection()
    )
    name = fields.Char(
        string="Item",
        required=True,
        translate=True,
        help="The template item's name, with its translations, as of the last computation.",
    )
    weight = fields.Float(string="Weight (%)")
    cap = fields.Float(string="Cap (%)", default=120.0)
    actual = fields.Float(digits=(16, 2))
    has_actual = fields.Boolean(string="Has a Figure", default=True)
    target = fields.Float(digits=(16, 2))
    manager_score = fields.Float(
        string="Manager's Score",
        digits=(16, 1),
        help="Score of a qualitative item, 0–100, given by the supervisor.",
    )
    comment = fields.Text()
    applicable = fields.Boolean(
        compute="_compute_score",
        store=True,
        precompute=True,
        help="Quantitative items without a figure or a target are left out of the total.",
    )
    achievement = fields.Float(
        string="Achievement (%)",
        compute="_compute_score",
        store=True,
        precompute=True,
        digits=(16, 1),
        help="Actual ÷ target, in %.",
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        precompute=True,
        digits=(16, 1),
        help="The achievement, capped at the item's cap (never below 0); for a qualitative "
        "item, the manager's score.",
    )

    @api.depends("kind", "actual", "has_actual", "target", "cap", "manager_score")
    def _compute_score(self):
        for line in self:
            line.update(
                self._kpi_score_values(
                    line.kind,
                    line.actual,
                    line.has_actual,
                    line.target,
                    line.cap,
                    line.manager_score,
                )
            )

    @api.model
    def _kpi_score_values(self, kind, actual, has_actual, target, cap, manager_score):
        """``{applicable, achievement, score}`` of an item (pure: what
        :meth:`_compute_score` stores, also for the items the run inserts in bulk)."""
        if kind == "qualitative":
            return {"applicable": True, "achievement": manager_score, "score": manager_score}
        applicable = bool(has_actual and target > 0)
        achievement = actual * 100.0 / target if applicable else 0.0
        return {
            "applicable": applicable,
            "achievement": achievement,
            "score": min(max(achievement, 0.0), cap or 100.0),
        }

    @api.constrains("manager_score", "kind")
    def _check_manager_score(self):
        for line in self:
            if line.kind == "quantitative" and line.manager_score:
                raise ValidationError(
                    self.env._(
                        "%(item)s is computed from the records: it has no manager's score.",
                        item=line.name,
                    )
                )
            if not 0 <= line.manager_score <= 100:
                raise ValidationError(
                    self.env._("The score of %(item)s must be between 0 and 100.", item=line.name)
                )

    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | (
            set(self._fields) - {"manager_score", "comment"} - set(models.MAGIC_COLUMNS)
        )

    def _policy_guard_locked_fields(self):
        return {
            "scored": ALL_FIELDS,
            "reviewed": ALL_FIELDS,
            "confirmed": ALL_FIELDS,
            "published": ALL_FIELDS,
        }

    def _policy_guard_field_groups(self):
        return {
            "manager_score": ("sales_policy.group_sales_supervisor",),
            "comment": ("sales_policy.group_sales_supervisor",),
        }

    def _policy_guard_deletable_states(self):
        return ()

    def _policy_guard_control(self):
        return "kpi_appraisal"

    def write(self, vals):
        res = super().write(vals)
        if "manager_score" in vals and not self.env.su:
            for run in self.sheet_id.run_id:
                run._kpi_update_ranks()
        return res
