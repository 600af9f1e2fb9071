from odoo import api, fields, models
from odoo.exceptions import UserError

from .sales_policy_workflow_guard import ALL_FIELDS


class SalesPolicyBudgetAdjustment(models.Model):
    """A traced change of an approved expense budget (篇四 §17.4).

    The requester gives the category, the new amount and the reason; the sales director
    approves it (approval engine); then it is applied: the budget line takes the new
    amount, the old one is recorded here, and the budget's chatter records the change.
    """

    _name = "sales.policy.budget.adjustment"
    _description = "Sales Expense Budget Adjustment"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    budget_id = fields.Many2one(
        "sales.policy.budget",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        domain="[('policy_approval_state', '=', 'approved')]",
    )
    category_id = fields.Many2one("sales.policy.expense.category", required=True, tracking=True)
    user_id = fields.Many2one(related="budget_id.user_id")
    team_id = fields.Many2one(related="budget_id.team_id", store=True, index=True)
    year = fields.Integer(related="budget_id.year", store=True, aggregator=False)
    company_id = fields.Many2one(related="budget_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="budget_id.currency_id")
    current_amount = fields.Monetary(
        compute="_compute_current_amount",
        compute_sudo=True,
        help="The amount of the category in the budget now.",
    )
    new_amount = fields.Monetary(required=True, tracking=True)
    reason = fields.Text(required=True, tracking=True)
    old_amount = fields.Monetary(
        readonly=True, copy=False, help="The amount of the category before the adjustment."
    )
    line_id = fields.Many2one("sales.policy.budget.line", readonly=True, copy=False)
    applied = fields.Boolean(readonly=True, copy=False, tracking=True)
    applied_date = fields.Datetime(readonly=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("pending", "Waiting Approval"),
            ("applied", "Applied"),
            ("rejected", "Rejected"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )

    _new_amount_positive = models.Constraint(
        "CHECK(new_amount >= 0)", "A budget amount cannot be negative."
    )

    @api.depends("budget_id.name", "category_id.name")
    def _compute_name(self):
        for adjustment in self:
            adjustment.name = " / ".join(
                name for name in (adjustment.budget_id.name, adjustment.category_id.name) if name
            )

    @api.depends("budget_id.line_ids.amount", "category_id")
    def _compute_current_amount(self):
        for adjustment in self:
            line = adjustment.budget_id.line_ids.filtered(
                lambda line, a=adjustment: line.category_id == a.category_id
            )
            adjustment.current_amount = line.amount

    @api.depends("policy_approval_state", "applied")
    def _compute_state(self):
        for adjustment in self:
            if adjustment.applied:
                adjustment.state = "applied"
            elif adjustment.policy_approval_state in ("pending", "rejected"):
                adjustment.state = adjustment.policy_approval_state
            else:
                adjustment.state = "draft"

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        return ["director"]

    def _policy_approval_control(self):
        return "expense_budget_adjustment"

    def _policy_approval_is_watched(self):
        return self.policy_approval_state == "pending"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return {
            "budget_id": self.budget_id.id,
            "category_id": self.category_id.id,
            "new_amount": self.new_amount,
            "reason": self.reason or "",
        }

    def _policy_approval_check_submit(self):
        self.ensure_one()
        article = self.env["sales.policy.control"]._cite("expense_budget_adjustment")
        if self.budget_id.policy_approval_state != "approved":
            raise UserError(
                self.env._(
                    "Only approved budgets are adjusted; change %(budget)s directly and "
                    "submit it (%(article)s).",
                    budget=self.budget_id.display_name,
                    article=article,
                )
            )
        if not (self.reason or "").strip():
            raise UserError(
                self.env._("Give the reason of the adjustment (%(article)s).", article=article)
            )
        if self.currency_id.compare_amounts(self.new_amount, self.current_amount) == 0:
            raise UserError(
                self.env._(
                    "The new amount equals the current budget of %(category)s: nothing to adjust.",
                    category=self.category_id.name,
                )
            )

    def _on_policy_approved(self):
        self._sales_policy_apply()

    # ------------------------------------------------------------------------------
    # Workflow guard: applied by its approval only, then a record of the budget's history
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "state",
            "old_amount",
            "applied",
            "applied_date",
            "line_id",
        }

    def _policy_guard_locked_fields(self):
        return {"applied": ALL_FIELDS}

    def _policy_guard_deletable_states(self):
        return ("draft", "rejected")

    def _policy_guard_hint(self, kind):
        if kind == "locked":
            return self.env._("Request a new adjustment for a further change.")
        return super()._policy_guard_hint(kind)

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _sales_policy_apply(self):
        """Apply the approved adjustment to the budget and record it in its history."""
        for adjustment in self.sudo():
            budget = adjustment.budget_id
            line = budget.line_ids.filtered(
                lambda line, a=adjustment: line.category_id == a.category_id
            )
            old_amount = line.amount
            if line:
                line.amount = adjustment.new_amount
            else:
                line = line.create(
                    {
                        "budget_id": budget.id,
                        "category_id": adjustment.category_id.id,
                        "amount": adjustment.new_amount,
                    }
                )
            adjustment.write(
                {
                    "old_amount": old_amount,
                    "line_id": line.id,
                    "applied": True,
                    "applied_date": fields.Datetime.now(),
                }
            )
            approvers = adjustment.policy_approval_ids.filtered(
                lambda s: s.state == "approved"
            ).decided_by_id
            budget.message_post(
                body=self.env._(
                    "Budget adjusted (%(article)s): %(category)s %(old)s → %(new)s. "
                    "Reason: %(reason)s. Requested by %(requester)s, approved by %(approvers)s.",
                    article=self.env["sales.policy.control"]._cite("expense_budget_adjustment"),
                    category=adjustment.category_id.name,
                    old=budget._sales_policy_format_amount(old_amount),
                    new=budget._sales_policy_format_amount(adjustment.new_amount),
                    reason=adjustment.reason,
                    requester=adjustment.create_uid.name or "",
                    approvers=", ".join(approvers.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
