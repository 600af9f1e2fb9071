from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .sales_policy_budget_line import BUDGET_USED_STATES


class HrExpense(models.Model):
    """Sales expenses on Odoo's Expenses app (篇四 §17–18, 篇三 4.1–4.2, 篇一 §13–14).

    An expense of a member of the sales line (a rep, supervisor or regional manager; the
    director's own claims follow Odoo's standard flow) is a *sales expense*:

    * it is charged to the claimant's sales team and to the budget category of its
      product; the form shows the budget, used and remaining amounts of that team,
      category and year;
    * it is submitted only with its receipt attached;
    * its approval is an instance of the approval engine: the claimant's regional manager
      approves (篇四 §6.6; the director above a regional manager, the level's group on a
      gap), nobody else, never the claimant; ``manager_id`` follows the pending approver;
    * a claim that would exceed the approved budget is refused or also needs the sales
      director's approval, after the regional manager's (company setting);
    * once approved, finance audits it (the engine's last level, ``finance``: any
      finance user but the claimant); only an audited expense is posted and paid.

    Odoo's own buttons (Submit, Approve, Refuse, Reset, Post) keep working and go
    through these rules; approval data cannot be written directly.
    """

    _name = "hr.expense"
    _inherit = ["hr.expense", "sales.policy.approval.mixin"]

    policy_approval_can_decide = fields.Boolean(string="Can Approve (Sales Policy)")
    sales_policy_is_sales = fields.Boolean(
        string="Sales Expense",
        compute="_compute_sales_policy_is_sales",
        compute_sudo=True,
        help="A claim of the sales line: approved along the sales hierarchy, checked "
        "against the team's budget and audited by finance.",
    )
    sales_policy_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The sales team whose budget the expense is charged to (set on submission).",
    )
    sales_policy_category_id = fields.Many2one(
        "sales.policy.expense.category",
        string="Budget Category",
        compute="_compute_sales_policy_category_id",
        store=True,
        index="btree_not_null",
        help="The sales expense budget category of the expense's product.",
    )
    sales_policy_budget_amount = fields.Monetary(
        string="Budget",
        currency_field="company_currency_id",
        compute="_compute_sales_policy_budget",
        compute_sudo=True,
        help="The approved budget of the team in this category for the year of the expense.",
    )
    sales_policy_budget_used = fields.Monetary(
        string="Budget Used",
        currency_field="company_currency_id",
        compute="_compute_sales_policy_budget",
        compute_sudo=True,
        help="Approved, posted and paid expenses of the team in this category this year.",
    )
    sales_policy_budget_remaining = fields.Monetary(
        string="Budget Remaining",
        currency_field="company_currency_id",
        compute="_compute_sales_policy_budget",
        compute_sudo=True,
    )
    sales_policy_budget_found = fields.Boolean(
        compute="_compute_sales_policy_budget", compute_sudo=True
    )
    sales_policy_over_budget = fields.Boolean(
        string="Over Budget",
        compute="_compute_sales_policy_budget",
        compute_sudo=True,
        help="With this claim, the team's expenses of the category exceed the approved "
        "budget of the year (or there is no approved budget).",
    )
    sales_policy_budget_escalated = fields.Boolean(
        string="Escalated to the Director",
        readonly=True,
        copy=False,
        help="The claim exceeded the budget when it was submitted: the sales director "
        "approves it too.",
    )
    sales_policy_audited = fields.Boolean(
        string="Audited by Finance",
        compute="_compute_sales_policy_audit",
        search="_search_sales_policy_audited",
        compute_sudo=True,
        help="Finance approved the claim (the last level of its approval).",
    )
    sales_policy_audited_by_id = fields.Many2one(
        "res.users",
        string="Audited By",
        compute="_compute_sales_policy_audit",
        compute_sudo=True,
    )
    sales_policy_audit_date = fields.Datetime(
        string="Audited On", compute="_compute_sales_policy_audit", compute_sudo=True
    )

    @api.depends("policy_approval_state", "policy_approval_ids.state")
    def _compute_sales_policy_audit(self):
        for expense in self:
            step = expense._policy_approval_current_steps().filtered(
                lambda s: s.level == "finance" and s.state == "approved"
            )[:1]
            expense.sales_policy_audited = bool(step)
            expense.sales_policy_audited_by_id = step.decided_by_id
            expense.sales_policy_audit_date = step.decision_date

    def _search_sales_policy_audited(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._policy_approval_steps_domain(
            [("level", "=", "finance"), ("state", "=", "approved")]
        )
        return domain if (True in value) == (operator == "in") else ["!", *domain]

    @api.depends("employee_id")
    def _compute_sales_policy_is_sales(self):
        sales = self._sales_policy_filter_sales()
        for expense in self:
            expense.sales_policy_is_sales = expense in sales

    @api.depends("product_id")
    def _compute_sales_policy_category_id(self):
        mapping = self.env["sales.policy.expense.category"]._for_products(self.product_id)
        for expense in self:
            expense.sales_policy_category_id = mapping.get(expense.product_id.id, False)

    @api.depends(
        "sales_policy_team_id",
        "sales_policy_category_id",
        "employee_id",
        "company_id",
        "date",
        "total_amount",
        "state",
    )
    def _compute_sales_policy_budget(self):
        figures = self._sales_policy_budget_figures()
        for expense in self:
            figure = figures[expense]
            expense.sales_policy_budget_found = bool(figure["line"])
            expense.sales_policy_budget_amount = figure["budget"]
            expense.sales_policy_budget_used = figure["used"]
            expense.sales_policy_budget_remaining = figure["budget"] - figure["used"]
            expense.sales_policy_over_budget = bool(expense._sales_policy_excess(figure))

    # ------------------------------------------------------------------------------
    # Sales expenses, teams and budgets
    # ------------------------------------------------------------------------------
    def _sales_policy_filter_sales(self):
        """The sales expenses of ``self``: claims of the sales line (rep, supervisor,
        regional manager), or expenses already routed by the approval engine."""
        reps = self.env.ref("sales_policy.group_sales_rep").sudo().all_user_ids
        directors = self.env.ref("sales_policy.group_sales_director").sudo().all_user_ids
        staff = reps - directors
        return self.filtered(
            lambda e: e.sudo().employee_id.user_id in staff or e.sudo().policy_approval_ids
        )

    def _sales_policy_claimant(self):
        self.ensure_one()
        return self.sudo().employee_id.user_id.with_env(self.env)

    def _sales_policy_budget_team(self):
        """The team charged: recorded on submission, else the claimant's team now."""
        self.ensure_one()
        if self.sales_policy_team_id or self.state != "draft":
            return self.sales_policy_team_id
        user = self._sales_policy_claimant()
        if not user or not self.sales_policy_is_sales:
            return self.env["crm.team"]
        return user._sales_policy_team()

    def _sales_policy_budget_key(self):
        """``(company id, team id, category id, year)`` of the budget charged, or None."""
        self.ensure_one()
        team = self._sales_policy_budget_team()
        if not (team and self.sales_policy_category_id and self.company_id):
            return None
        year = (self.date or fields.Date.context_today(self)).year
        return (self.company_id.id, team.id, self.sales_policy_category_id.id, year)

    @api.model
    def _sales_policy_budget_lines(self, keys):
        """``{key: approved budget line}`` for ``(company, team, category, year)`` keys."""
        if not keys:
            return {}
        companies, teams, categories, years = (set(part) for part in zip(*keys, strict=True))
        lines = (
            self.env["sales.policy.budget.line"]
            .sudo()
            .search(
                [
                    ("company_id", "in", list(companies)),
                    ("team_id", "in", list(teams)),
                    ("category_id", "in", list(categories)),
                    ("year", "in", list(years)),
                    ("budget_state", "=", "approved"),
                ]
            )
        )
        return {line._sales_policy_key(): line for line in lines}

    def _sales_policy_budget_figures(self):
        """The budget of each expense of ``self``: ``{expense: {key, line, budget, used}}``.

        One search of the approved budget lines and one grouped query of the used amounts
        for the whole batch. ``used`` counts the team's approved, posted and paid expenses
        of the category and year, even when there is no approved budget.
        """
        keys = {expense: expense._sales_policy_budget_key() for expense in self}
        wanted = {key for key in keys.values() if key}
        lines = self._sales_policy_budget_lines(wanted)
        used = self.env["sales.policy.budget.line"]._sales_policy_used_amounts(wanted)
        figures = {}
        for expense, key in keys.items():
            line = lines.get(key) if key else None
            figures[expense] = {
                "key": key,
                "line": line,
                "budget": line.amount if line else 0.0,
                "used": used.get(key, 0.0) if key else 0.0,
            }
        return figures

    def _sales_policy_excess(self, figure=None):
        """The budget figures when this claim exceeds its budget, else an empty dict.

        A claim exceeds when the team's used amount of the category and year plus the
        claim (unless already counted) is over the approved budget, or when there is no
        approved budget for them. Claims without a team or a budget category are not
        under budget control.
        """
        self.ensure_one()
        figure = figure or self._sales_policy_budget_figures()[self]
        key, line, budget, used = figure["key"], figure["line"], figure["budget"], figure["used"]
        if not key:
            return {}
        currency = self.company_currency_id or self.company_id.currency_id
        claim = 0.0 if self.state in BUDGET_USED_STATES else self.total_amount
        if line and currency.compare_amounts(used + claim, budget) <= 0:
            return {}
        return {
            "found": bool(line),
            "budget": currency.format(budget),
            "used": currency.format(used),
            "remaining": currency.format(budget - used),
            "claim": currency.format(claim),
            "team": self.env["crm.team"].sudo().browse(key[1]).name,
            "category": self.sales_policy_category_id.sudo().name,
            "year": key[3],
        }

    def _sales_policy_excess_message(self, excess):
        article = self.env["sales.policy.control"]._cite("expense_over_budget")
        if not excess["found"]:
            return self.env._(
                "%(expense)s: the team %(team)s has no approved %(category)s budget for "
                "%(year)s (%(article)s).",
                expense=self.display_name,
                article=article,
                **{k: excess[k] for k in ("team", "category", "year")},
            )
        return self.env._(
            "%(expense)s (%(claim)s) exceeds the %(category)s budget of the team %(team)s "
            "for %(year)s: budget %(budget)s, used %(used)s, remaining %(remaining)s "
            "(%(article)s).",
            expense=self.display_name,
            article=article,
            **{
                k: excess[k]
                for k in ("claim", "category", "team", "year", "budget", "used", "remaining")
            },
        )

    def _sales_policy_has_receipt(self):
        self.ensure_one()
        expense = self.sudo()
        return bool(expense.message_main_attachment_id or expense.attachment_ids)

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        self.ensure_one()
        levels = ["regional_manager"]
        if self.sales_policy_budget_escalated:
            levels.append("director")
        return [*levels, "finance"]

    def _policy_approval_salesperson(self):
        return self._sales_policy_claimant()

    def _policy_approval_control(self):
        return "expense_manager_approval"

    def _policy_approval_is_watched(self):
        return self.state in ("submitted", "approved")

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return {
            "employee_id": self.employee_id.id,
            "product_id": self.product_id.id,
            "date": fields.Date.to_string(self.date) if self.date else False,
            "total_amount": self.total_amount,
            "total_amount_currency": self.total_amount_currency,
            "currency_id": self.currency_id.id,
            "payment_mode": self.payment_mode,
        }

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if not self.product_id:
            raise UserError(self.env._("You can not submit an expense without a category."))
        if not self._sales_policy_has_receipt():
            raise UserError(
                self.env._(
                    "Attach the receipt of %(expense)s before submitting it: expenses are "
                    "reimbursed against valid receipts only (%(article)s).",
                    expense=self.display_name,
                    article=self.env["sales.policy.control"]._cite("expense_receipt"),
                )
            )
        excess = self._sales_policy_excess()
        if not excess:
            return
        if self.company_id.sales_policy_expense_over_budget == "block":
            raise UserError(self._sales_policy_excess_message(excess))
        self.sudo().sales_policy_budget_escalated = True
        self.sudo().message_post(
            body=self.env._(
                "%(message)s The sales director approves this claim after the regional manager.",
                message=self._sales_policy_excess_message(excess),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _on_policy_next_level(self, step):
        if step.level != "finance":
            # the next manager decides now: the expense's approver in Odoo's terms
            self.sudo().manager_id = step.approver_id
            return
        # the managers approved: Odoo's approval, then finance audits
        self.ensure_one()
        excess = self._sales_policy_excess()
        if excess:
            director_approved = self.sudo().policy_approval_ids.filtered(
                lambda s: s.state == "approved" and s.level == "director"
            )
            if self.company_id.sales_policy_expense_over_budget == "block":
                raise UserError(self._sales_policy_excess_message(excess))
            if not director_approved:
                raise UserError(
                    self.env._(
                        "%(message)s The budget was exceeded after the submission: refuse "
                        "the claim, or reset and submit it again for the director's approval.",
                        message=self._sales_policy_excess_message(excess),
                    )
                )
        self.sudo()._do_approve(check=False)

    def _on_policy_voided(self, changed):
        self.sudo().write(self._sales_policy_reset_values())
        self.update_activities_and_mails()

    def _on_policy_approved(self):
        self.sudo().message_post(
            body=self.env._(
                "Audited by finance (%(article)s): the claim may be posted and reimbursed.",
                article=self.env["sales.policy.control"]._cite("expense_finance_audit"),
            ),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )

    def _on_policy_rejected(self):
        self.ensure_one()
        step = (
            self.sudo()
            .policy_approval_ids.filtered(lambda s: s.state == "rejected")
            .sorted("decision_date", reverse=True)[:1]
        )
        self.sudo()._do_refuse(step.comment or "")

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        expenses = super().create(vals_list)
        if not self.env.su and expenses.filtered("approval_state")._sales_policy_filter_sales():
            raise AccessError(self._sales_policy_approval_state_error())
        return expenses

    def write(self, vals):
        if not self.env.su and "approval_state" in vals and self._sales_policy_filter_sales():
            raise AccessError(self._sales_policy_approval_state_error())
        if vals.get("account_move_id"):
            self._sales_policy_check_audited()
        return super().write(vals)

    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "sales_policy_team_id",
            "sales_policy_budget_escalated",
            "sales_policy_audited",
            "sales_policy_audited_by_id",
            "sales_policy_audit_date",
        }

    def _sales_policy_approval_state_error(self):
        return self.env._(
            "The approval of a sales expense is recorded by its approval workflow only: use "
            "Submit, Approve and Refuse (%(article)s).",
            article=self.env["sales.policy.control"]._cite("expense_manager_approval"),
        )

    def _sales_policy_reset_values(self):
        return {
            "approval_state": False,
            "approval_date": False,
            "sales_policy_budget_escalated": False,
        }

    # ------------------------------------------------------------------------------
    # Odoo's expense flow, routed through the policy for sales expenses
    # ------------------------------------------------------------------------------
    def action_submit(self):
        sales = self._sales_policy_filter_sales()
        others = self - sales
        res = super(HrExpense, others).action_submit() if others else None
        if sales:
            sales.action_policy_submit()
        return res

    def action_policy_submit(self):
        """Submit sales expenses: team, receipt and budget checks, then the approval
        (Odoo's Submit leads here too); other expenses follow Odoo's own submission."""
        sales = self._sales_policy_filter_sales()
        others = self - sales
        if others:
            others.action_submit()
        user = self.env.user
        for expense in sales:
            if expense.state != "draft":
                raise UserError(
                    self.env._("%(expense)s is already submitted.", expense=expense.display_name)
                )
            claimant = expense._sales_policy_claimant()
            if claimant != user and not user.has_group("hr_expense.group_hr_expense_user"):
                raise UserError(
                    self.env._("You do not have the required permission to submit this expense.")
                )
            expense.sudo().write(
                {
                    "sales_policy_team_id": claimant._sales_policy_team().id,
                    "sales_policy_budget_escalated": False,
                }
            )
            super(HrExpense, expense).action_policy_submit()
            if expense.policy_approval_state == "pending":
                expense.sudo().write(
                    {
                        "approval_state": "submitted",
                        "manager_id": expense._policy_approval_pending_step().approver_id.id,
                    }
                )
        return True

    def _do_approve(self, check=True):
        if self.env.su:
            return super()._do_approve(check)
        sales = self._sales_policy_filter_sales()
        for expense in sales:
            # the approval engine checks the user is the pending level's approver
            expense._policy_approval_decide("approved")
        others = self - sales
        return super(HrExpense, others)._do_approve(check) if others else None

    def _get_cannot_approve_reason(self):
        if self.env.su:
            return super()._get_cannot_approve_reason()
        sales = self._sales_policy_filter_sales()
        others = self - sales
        reasons = super(HrExpense, others)._get_cannot_approve_reason() if others else {}
        for expense in sales:
            reasons[expense.id] = expense._sales_policy_cannot_approve_reason()
        return reasons

    def _sales_policy_cannot_approve_reason(self):
        """Why the current user may not approve (or refuse) this pending sales expense."""
        self.ensure_one()
        user = self.env.user
        step = self._policy_approval_pending_step()
        if step and step._can_be_decided_by(user):
            return False
        if self._sales_policy_claimant() == user:
            return self.env._("%(expense)s: It is your own expense", expense=self.display_name)
        if not step:
            return self.env._(
                "%(expense)s: it is not waiting for approval.", expense=self.display_name
            )
        return self.env._(
            "%(expense)s: it waits for the approval of %(approver)s (%(level)s, %(article)s).",
            expense=self.display_name,
            approver=step.approver_id.name or step.group_id.name,
            level=step._level_label(step.level),
            article=self.env["sales.policy.control"]._cite("expense_manager_approval"),
        )

    def _check_can_refuse(self):
        if self.env.su:
            return super()._check_can_refuse()
        sales = self._sales_policy_filter_sales()
        reasons = []
        for expense in sales:
            reason = expense._sales_policy_cannot_approve_reason()
            if reason:
                reasons.append(reason)
        if reasons:
            raise UserError(
                self.env._("You cannot refuse:\n %(reasons)s", reasons="\n".join(reasons))
            )
        others = self - sales
        return super(HrExpense, others)._check_can_refuse() if others else None

    def _do_refuse(self, reason):
        if self.env.su:
            return super()._do_refuse(reason)
        sales = self._sales_policy_filter_sales()
        sales._check_can_refuse()
        for expense in sales:
            # the engine records the decision (a manager's or finance's audit), then
            # refuses the expense (_on_policy_rejected)
            expense._policy_approval_decide("rejected", reason)
        others = self - sales
        return super(HrExpense, others)._do_refuse(reason) if others else None

    def _do_reset_approval(self):
        self._sales_policy_filter_sales()._sales_policy_withdraw_approval()
        return super()._do_reset_approval()

    def _sales_policy_withdraw_approval(self):
        """Back to draft: the approval steps, the finance audit included, no longer hold."""
        for expense in self.sudo():
            if expense.policy_approval_state == "draft" and not expense.policy_approval_ids:
                continue
            expense._policy_approval_withdraw()
            expense.write(self._sales_policy_reset_values())
            expense.message_post(
                body=self.env._("Reset to draft: the approval must be requested again."),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )

    def update_activities_and_mails(self):
        # the approval engine schedules the approvers' activities of routed expenses
        routed = self.filtered(
            lambda e: e.state == "submitted" and e.policy_approval_state == "pending"
        )
        return super(HrExpense, self - routed).update_activities_and_mails()

    # ------------------------------------------------------------------------------
    # Finance audit and posting
    # ------------------------------------------------------------------------------
    def action_sales_policy_audit(self):
        """Finance: the approved sales expense is compliant and may be posted and paid
        (the finance level of its approval)."""
        self.check_access("read")
        for expense in self:
            if not expense.sales_policy_is_sales:
                raise UserError(
                    self.env._(
                        "%(expense)s is not a sales expense: it needs no sales audit.",
                        expense=expense.display_name,
                    )
                )
            if expense.sales_policy_audited:
                raise UserError(
                    self.env._("%(expense)s is already audited.", expense=expense.display_name)
                )
            if (
                expense.state != "approved"
                or expense._policy_approval_pending_step().level != "finance"
            ):
                raise UserError(
                    self.env._(
                        "%(expense)s: only approved expenses not yet posted are audited.",
                        expense=expense.display_name,
                    )
                )
            expense._policy_approval_decide("approved")
        return True

    def _sales_policy_check_audited(self):
        not_audited = self._sales_policy_filter_sales().filtered(
            lambda e: not e.sudo().sales_policy_audited
        )
        if not_audited:
            raise UserError(
                self.env._(
                    "Finance audits sales expenses before they are posted and paid "
                    "(%(article)s): %(expenses)s not audited yet.",
                    article=self.env["sales.policy.control"]._cite("expense_finance_audit"),
                    expenses=", ".join(not_audited.mapped("display_name")),
                )
            )

    def _check_can_create_move(self):
        res = super()._check_can_create_move()
        self._sales_policy_check_audited()
        return res
