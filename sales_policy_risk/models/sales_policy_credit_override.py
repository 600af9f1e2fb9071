from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class SalesPolicyCreditOverride(models.Model):
    """A credit override: finance (and the director above the company's amount) let
    one order through the credit gate, for its amount at the time, with a reason
    (篇四 §22). An instance of the approval engine; logged on the order and the
    customer."""

    _name = "sales.policy.credit.override"
    _description = "Credit Override"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('state', 'in', ('draft', 'sent'))]",
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id.commercial_partner_id", string="Customer", store=True
    )
    user_id = fields.Many2one(related="order_id.user_id", string="Salesperson", store=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount_total = fields.Monetary(related="order_id.amount_total", string="Order Total")
    approved_amount = fields.Monetary(
        readonly=True,
        copy=False,
        help="The order total the override was asked for: a change of the order's total "
        "needs a new override.",
    )
    reason = fields.Text(required=True, tracking=True)
    credit_check = fields.Text(
        string="Credit Check at Request",
        readonly=True,
        copy=False,
        help="The figures of the credit check when the override was asked for.",
    )

    @api.depends("order_id.name")
    def _compute_name(self):
        for override in self:
            override.name = self.env._(
                "Credit override of %(order)s", order=override.order_id.name or ""
            )

    # ------------------------------------------------------------------------------
    # Approval engine
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        self.ensure_one()
        company = self.company_id
        amount = self.order_id._sales_policy_credit_amount()
        director = (
            company.currency_id.compare_amounts(amount, company.sales_policy_credit_director_amount)
            > 0
            or self.order_id.sales_policy_credit_grade == "D"
        )
        return ["finance", "director"] if director else ["finance"]

    def _policy_approval_control(self):
        return "credit_gate"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return {
            "order_id": self.order_id.id,
            "amount_total": self.order_id.currency_id.round(self.amount_total),
            "reason": self.reason or "",
        }

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if self.order_id.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%(order)s is not a quotation any more: it needs no credit override.",
                    order=self.order_id.display_name,
                )
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the credit override."))

    def _on_policy_submitted(self):
        self.sudo().write(
            {
                "approved_amount": self.amount_total,
                "credit_check": self.order_id.sales_policy_credit_warning or False,
            }
        )

    def _on_policy_approved(self):
        for override in self:
            body = Markup("%s<br/>%s") % (
                self.env._(
                    "Credit override approved for %(amount)s (%(article)s):",
                    amount=override.currency_id.format(override.approved_amount),
                    article=self.env["sales.policy.control"]._cite("credit_gate"),
                ),
                override.reason,
            )
            for record in (override.order_id, override.partner_id):
                record.sudo().message_post(
                    body=body,
                    subtype_xmlid="mail.mt_note",
                    author_id=self.env.user.partner_id.id,
                )

    # ------------------------------------------------------------------------------
    # Workflow guard: once asked, an override stays with its order and on record
    # ------------------------------------------------------------------------------
    _policy_guard_state_field = "policy_approval_state"

    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"approved_amount", "credit_check"}

    def _policy_guard_locked_fields(self):
        return dict.fromkeys(("pending", "approved", "rejected"), frozenset({"order_id"}))

    def _policy_guard_deletable(self):
        self.ensure_one()
        return self.policy_approval_state == "draft" and not self.sudo().policy_approval_ids

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _sales_policy_covers(self, order):
        """Whether this (approved) override covers ``order`` as it is now."""
        self.ensure_one()
        return (
            self.order_id == order
            and self.partner_id == order.partner_id.commercial_partner_id
            and order.currency_id.compare_amounts(self.approved_amount, order.amount_total) >= 0
        )
