from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.sales_policy.models.sales_policy_workflow_guard import ALL_FIELDS

from .res_partner import CREDIT_GRADES


class SalesPolicyCreditLimitRequest(models.Model):
    """A request to change a customer's credit limit and grade (篇一 §18, 篇四 §22).

    Sales or finance asks, with a reason, seeing the limit and grade the last credit
    assessment suggests; finance approves, and the director too above the company's
    amount (approval engine, four eyes). Once approved, the limit (Odoo's own
    ``credit_limit`` of the customer in the company) and the grade are set, and the
    change is kept here and in the customer's chatter. Nothing else changes them.
    """

    _name = "sales.policy.credit.limit.request"
    _description = "Credit Limit Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    current_limit = fields.Monetary(readonly=True, copy=False)
    current_grade = fields.Selection(CREDIT_GRADES, readonly=True, copy=False)
    assessment_id = fields.Many2one(
        "sales.policy.credit.assessment",
        string="Latest Assessment",
        compute="_compute_assessment_id",
    )
    suggested_limit = fields.Monetary(compute="_compute_assessment_id")
    suggested_grade = fields.Selection(CREDIT_GRADES, compute="_compute_assessment_id")
    new_limit = fields.Monetary(
        string="Requested Limit", required=True, tracking=True, help="0: no credit limit."
    )
    new_grade = fields.Selection(CREDIT_GRADES, string="Requested Grade", tracking=True)
    reason = fields.Text(required=True, tracking=True)
    date_applied = fields.Datetime(string="Applied On", readonly=True, copy=False)

    _new_limit_positive = models.Constraint(
        "CHECK (new_limit >= 0)", "A credit limit cannot be negative."
    )

    @api.depends("partner_id.name")
    def _compute_name(self):
        for request in self:
            request.name = self.env._(
                "Credit limit of %(customer)s", customer=request.partner_id.name or ""
            )

    @api.depends("partner_id", "company_id")
    def _compute_assessment_id(self):
        Assessment = self.env["sales.policy.credit.assessment"]
        latest = Assessment._sales_policy_latest(self.partner_id, self.company_id)
        for request in self:
            assessment = latest.get(
                (request.partner_id.id, request.company_id.id), Assessment.browse()
            )
            request.assessment_id = assessment
            request.suggested_limit = assessment.suggested_limit
            request.suggested_grade = assessment.grade

    @api.onchange("partner_id", "company_id")
    def _onchange_partner_suggestion(self):
        if self.assessment_id and not self.new_limit:
            self.new_limit = self.assessment_id.suggested_limit
            self.new_grade = self.assessment_id.grade

    # ------------------------------------------------------------------------------
    # Approval engine
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        self.ensure_one()
        company = self.company_id
        above = (
            company.currency_id.compare_amounts(
                self.new_limit, company.sales_policy_credit_director_amount
            )
            > 0
        )
        return ["finance", "director"] if above else ["finance"]

    def _policy_approval_salesperson(self):
        return self.partner_id.user_id or self.user_id

    def _policy_approval_control(self):
        return "credit_limit_request"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "new_limit": self.new_limit,
            "new_grade": self.new_grade or False,
            "reason": self.reason or "",
        }

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the credit limit request."))

    def _on_policy_submitted(self):
        partner = self.partner_id.with_company(self.company_id).sudo()
        self.sudo().write(
            {
                "current_limit": partner.credit_limit,
                "current_grade": partner.sales_policy_credit_grade or False,
            }
        )

    def _on_policy_approved(self):
        for request in self:
            partner = request.partner_id.commercial_partner_id
            partner.with_company(request.company_id).sudo().write(
                {
                    "credit_limit": request.new_limit,
                    "sales_policy_credit_grade": request.new_grade or False,
                }
            )
            request.sudo().date_applied = fields.Datetime.now()
            partner.sudo().message_post(
                body=Markup("%s<br/>%s")
                % (
                    self.env._(
                        "Credit limit %(old)s → %(new)s, grade %(old_grade)s → "
                        "%(new_grade)s (%(request)s, %(article)s):",
                        old=request.currency_id.format(request.current_limit),
                        new=request.currency_id.format(request.new_limit),
                        old_grade=request.current_grade or "-",
                        new_grade=request.new_grade or "-",
                        request=request.display_name,
                        article=self.env["sales.policy.control"]._cite("credit_limit_request"),
                    ),
                    request.reason,
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )

    # ------------------------------------------------------------------------------
    # Workflow guard
    # ------------------------------------------------------------------------------
    _policy_guard_state_field = "policy_approval_state"

    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "current_limit",
            "current_grade",
            "date_applied",
            "user_id",
        }

    def _policy_guard_locked_fields(self):
        locked = frozenset({"partner_id", "company_id"})
        return {"pending": locked, "approved": ALL_FIELDS, "rejected": locked}

    def _policy_guard_deletable(self):
        self.ensure_one()
        return self.policy_approval_state == "draft" and not self.sudo().policy_approval_ids
