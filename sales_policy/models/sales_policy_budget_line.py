from datetime import date

from odoo import api, fields, models

#: Expense states that consume the budget: approved by the manager, posted or paid.
BUDGET_USED_STATES = ("approved", "posted", "in_payment", "paid")


class SalesPolicyBudgetLine(models.Model):
    """The budget of one expense category in a team's annual budget.

    ``used`` is the total (in company currency) of the team's approved, posted and paid
    expenses of the category dated in the budget's year; it is computed for all lines at
    once with one grouped query (:meth:`_sales_policy_used_amounts`).
    """

    _name = "sales.policy.budget.line"
    _description = "Sales Expense Budget Line"
    _inherit = ["sales.policy.workflow.guard"]
    _order = "budget_id, sequence, id"
    _check_company_auto = True
    #: the lines follow their budget: the budget's guard checks a change of its lines
    _policy_guard_parent_field = "budget_id"

    budget_id = fields.Many2one(
        "sales.policy.budget",
        string="Expense Budget",
        required=True,
        index=True,
        ondelete="cascade",
    )
    category_id = fields.Many2one(
        "sales.policy.expense.category",
        required=True,
        ondelete="restrict",
        index=True,
    )
    sequence = fields.Integer(related="category_id.sequence", store=True)
    amount = fields.Monetary(string="Budget", required=True, default=0.0)
    currency_id = fields.Many2one(related="budget_id.currency_id")
    team_id = fields.Many2one(related="budget_id.team_id", store=True, index=True)
    year = fields.Integer(related="budget_id.year", store=True, aggregator=False)
    company_id = fields.Many2one(related="budget_id.company_id", store=True, index=True)
    budget_state = fields.Selection(
        related="budget_id.policy_approval_state", string="Budget Status", store=True
    )
    used = fields.Monetary(compute="_compute_used", compute_sudo=True)
    remaining = fields.Monetary(compute="_compute_used", compute_sudo=True)
    used_rate = fields.Float(
        string="Used (%)", compute="_compute_used", compute_sudo=True, aggregator="avg"
    )

    _budget_category_uniq = models.UniqueIndex(
        "(budget_id, category_id)", "A budget has one line per expense category."
    )
    _amount_positive = models.Constraint(
        "CHECK(amount >= 0)", "A budget amount cannot be negative."
    )

    @api.depends("amount", "category_id", "budget_id.team_id", "budget_id.year")
    def _compute_used(self):
        used = self._sales_policy_used_amounts(
            {line._sales_policy_key() for line in self if line._sales_policy_key()}
        )
        for line in self:
            line.used = used.get(line._sales_policy_key(), 0.0)
            line.remaining = line.amount - line.used
            line.used_rate = 100.0 * line.used / line.amount if line.amount else 0.0

    def _sales_policy_key(self):
        """``(company id, team id, category id, year)`` of the line, or None if incomplete."""
        self.ensure_one()
        budget = self.budget_id
        if not (budget.company_id and budget.team_id and self.category_id and budget.year):
            return None
        return (budget.company_id.id, budget.team_id.id, self.category_id.id, budget.year)

    @api.model
    def _sales_policy_used_amounts(self, keys):
        """The budget used per ``(company id, team id, category id, year)`` key.

        One grouped query over the expenses of all the keys: the sum of the company-
        currency totals of the expenses charged to the team and category, dated in the
        year, approved, posted or paid.
        """
        keys = set(keys)
        if not keys:
            return {}
        companies, teams, categories, years = (set(part) for part in zip(*keys, strict=True))
        groups = (
            self.env["hr.expense"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "in", list(companies)),
                    ("sales_policy_team_id", "in", list(teams)),
                    ("sales_policy_category_id", "in", list(categories)),
                    ("state", "in", BUDGET_USED_STATES),
                    ("date", ">=", date(min(years), 1, 1)),
                    ("date", "<=", date(max(years), 12, 31)),
                ],
                [
                    "company_id",
                    "sales_policy_team_id",
                    "sales_policy_category_id",
                    "date:year_number",
                ],
                ["total_amount:sum"],
            )
        )
        result = {}
        for company, team, category, year, total in groups:
            key = (company.id, team.id, category.id, int(year))
            if key in keys:
                result[key] = total
        return result

    # ------------------------------------------------------------------------------
    # CRUD: a change of the lines voids the approval of a submitted budget (the lines
    # of an approved one change through adjustments only: the workflow guard)
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.budget_id._policy_approval_recheck()
        return lines

    def write(self, vals):
        res = super().write(vals)
        self.budget_id._policy_approval_recheck()
        return res

    def unlink(self):
        budgets = self.budget_id
        res = super().unlink()
        budgets.exists()._policy_approval_recheck()
        return res
