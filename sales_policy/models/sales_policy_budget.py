from odoo import api, fields, models
from odoo.exceptions import UserError


class SalesPolicyBudget(models.Model):
    """The annual sales expense budget of a sales team (篇四 §17, 篇一 §13).

    One budget per team, year and company, with an amount per expense category
    (travel 差旅费, entertainment 招待费, marketing 市场推广费). It is an instance of the
    approval engine: submitted by the team's management, approved by the sales director.
    Once approved it is locked: its amounts change only through a
    ``sales.policy.budget.adjustment`` (reason, old and new amount, approved by the
    director), whose application is recorded in the budget's chatter.

    Used and remaining amounts come from the approved, posted and paid expenses of the
    team in the category and year (see ``sales.policy.budget.line``).
    """

    _name = "sales.policy.budget"
    _description = "Sales Expense Budget"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "year desc, team_id, id"
    _check_company_auto = True
    _policy_guard_state_field = "policy_approval_state"

    name = fields.Char(compute="_compute_name", store=True)
    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        tracking=True,
        aggregator=False,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    user_id = fields.Many2one(
        related="team_id.user_id",
        string="Team Leader",
        help="The team's supervisor: the approval is routed along their hierarchy.",
    )
    region_id = fields.Many2one(related="team_id.region_id")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "sales.policy.budget.line", "budget_id", string="Budget Lines", copy=True
    )
    adjustment_ids = fields.One2many(
        "sales.policy.budget.adjustment", "budget_id", string="Adjustments"
    )
    adjustment_count = fields.Integer(compute="_compute_adjustment_count")
    amount_total = fields.Monetary(
        string="Budget", compute="_compute_amount_total", store=True, tracking=True
    )
    used_total = fields.Monetary(string="Used", compute="_compute_used_total")
    remaining_total = fields.Monetary(string="Remaining", compute="_compute_used_total")
    note = fields.Html(string="Notes")

    _team_year_uniq = models.UniqueIndex(
        "(company_id, team_id, year)", "A sales team has one expense budget per year."
    )
    _year_check = models.Constraint(
        "CHECK(year BETWEEN 1900 AND 9999)", "The budget year must be a year, e.g. 2025."
    )

    @api.depends("team_id.name", "year")
    def _compute_name(self):
        for budget in self:
            budget.name = f"{budget.team_id.name or ''} {budget.year or ''}".strip()

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for budget in self:
            budget.amount_total = sum(budget.line_ids.mapped("amount"))

    @api.depends("line_ids.used", "line_ids.amount")
    def _compute_used_total(self):
        # the lines of every budget in self compute their usage in one grouped query
        for budget in self:
            budget.used_total = sum(budget.line_ids.mapped("used"))
            budget.remaining_total = budget.amount_total - budget.used_total

    def _compute_adjustment_count(self):
        counts = dict(
            self.env["sales.policy.budget.adjustment"]._read_group(
                [("budget_id", "in", self.ids)], ["budget_id"], ["__count"]
            )
        )
        for budget in self:
            budget.adjustment_count = counts.get(budget._origin, 0)

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        return ["director"]

    def _policy_approval_control(self):
        return "expense_budget"

    def _policy_approval_is_watched(self):
        # approved budgets are locked: their amounts change through adjustments only
        return self.policy_approval_state == "pending"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        snapshot = {"team_id": self.team_id.id, "year": self.year, "company_id": self.company_id.id}
        for line in self.line_ids:
            snapshot[f"line.{line.category_id.id}"] = line.amount
        return snapshot

    def _policy_approval_describe(self, keys):
        labels = []
        for key in keys:
            if key.startswith("line."):
                category = self.env["sales.policy.expense.category"].browse(int(key[5:]))
                labels.append(category.exists().name or key)
            else:
                labels.append(self._fields[key]._description_string(self.env))
        return labels

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(
                self.env._(
                    "Give the budget of each expense category before submitting %(budget)s.",
                    budget=self.display_name,
                )
            )

    def _on_policy_approved(self):
        self.sudo().message_post(
            body=self.env._(
                "Budget approved (%(article)s): %(amount)s. It is locked now; its amounts "
                "change only through an approved adjustment.",
                article=self.env["sales.policy.control"]._cite("expense_budget"),
                amount=self._sales_policy_format_amount(self.amount_total),
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------------------
    # Workflow guard: an approved budget is locked (amounts change by adjustment only)
    # ------------------------------------------------------------------------------
    def _policy_guard_locked_fields(self):
        return {"approved": frozenset({"team_id", "year", "company_id", "line_ids"})}

    def _policy_guard_deletable_states(self):
        return ("draft", "rejected")

    def _policy_guard_hint(self, kind):
        if kind == "locked":
            return self.env._(
                "Request an adjustment of the approved budget, with its reason (%(article)s).",
                article=self.env["sales.policy.control"]._cite("expense_budget_adjustment"),
            )
        return super()._policy_guard_hint(kind)

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if not (default or {}).get("year"):
            for budget, vals in zip(self, vals_list, strict=True):
                vals["year"] = budget.year + 1
        return vals_list

    def _sales_policy_format_amount(self, amount):
        self.ensure_one()
        return self.currency_id.format(amount) if self.currency_id else f"{amount:.2f}"

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_request_adjustment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Budget Adjustment"),
            "res_model": "sales.policy.budget.adjustment",
            "view_mode": "form",
            "context": {"default_budget_id": self.id},
        }

    def action_view_adjustments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjustments"),
            "res_model": "sales.policy.budget.adjustment",
            "view_mode": "list,form",
            "domain": [("budget_id", "=", self.id)],
            "context": {"default_budget_id": self.id},
        }

    def action_view_expenses(self):
        """The expenses counted in (or charged to) this budget."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Expenses of %(budget)s", budget=self.display_name),
            "res_model": "hr.expense",
            "view_mode": "list,form",
            "domain": [
                ("sales_policy_team_id", "=", self.team_id.id),
                ("sales_policy_category_id", "in", self.line_ids.category_id.ids),
                ("company_id", "=", self.company_id.id),
                ("date", ">=", f"{self.year}-01-01"),
                ("date", "<=", f"{self.year}-12-31"),
            ],
            "context": {"create": False},
        }
