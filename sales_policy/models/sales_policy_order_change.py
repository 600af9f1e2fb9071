from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime, is_html_empty

from .sales_policy_return_visit import CHANNELS
from .sales_policy_workflow_guard import ALL_FIELDS

#: The request's status, derived from the approval engine's state: an approved request
#: is applied to the order in the same transaction as its last approval.
STATE_BY_APPROVAL = {
    "draft": "draft",
    "pending": "submitted",
    "approved": "applied",
    "rejected": "rejected",
}


class SalesPolicyOrderChange(models.Model):
    """A change or cancellation request of a confirmed order (订单变更或取消, 篇四 §14.4).

    A confirmed order is never changed or cancelled directly: the rep files a request
    with a reason (configurable list), the record of the communication with the
    customer (when, whom, how, what was said) and, for a change, the proposed new
    quantities, prices and discounts of its lines. The request is an instance of the
    approval engine at the salesperson's manager level (the supervisor; the engine
    escalates when the requester is the supervisor). Once approved it is applied to
    the order by the engine (with sudo), and both chatters keep the trace: the order's
    lists every value before and after.

    The gates on ``sale.order`` and ``sale.order.line`` (see ``sale_order.py`` and
    ``sale_order_line.py``) refuse any other way for a user: cancelling, changing the
    state, writing quantities, prices, discounts or products, adding or deleting lines.
    """

    _name = "sales.policy.order.change"
    _description = "Order Change Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
        domain="[('state', '=', 'sale')]",
    )
    change_type = fields.Selection(
        [("change", "Change"), ("cancel", "Cancellation")],
        string="Request",
        required=True,
        default="change",
        tracking=True,
    )
    reason_id = fields.Many2one(
        "sales.policy.change.reason",
        required=True,
        tracking=True,
        ondelete="restrict",
        domain="[('applies_to', 'in', (change_type, 'both')), "
        "'|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    customer_communication = fields.Html(
        required=True,
        help="The record of the communication with the customer about this change: who "
        "said what, and what the customer asked for or agreed to.",
    )
    communication_date = fields.Datetime(
        string="Discussed On",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the change was discussed with the customer.",
    )
    communication_partner_id = fields.Many2one(
        "res.partner",
        string="Customer Contact",
        tracking=True,
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="Whom the change was discussed with at the customer.",
    )
    communication_channel = fields.Selection(
        CHANNELS, string="Channel", required=True, default="phone", tracking=True
    )
    line_ids = fields.One2many(
        "sales.policy.order.change.line",
        "change_id",
        string="Proposed Changes",
        copy=True,
    )
    user_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", string="Customer", store=True, index=True
    )
    commercial_partner_id = fields.Many2one(related="order_id.partner_id.commercial_partner_id")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    amount_untaxed = fields.Monetary(
        related="order_id.amount_untaxed", string="Order Untaxed Amount"
    )
    amount_change = fields.Monetary(
        string="Change in Amount",
        compute="_compute_amount_change",
        help="The order's amount after the change minus before it (quantity × unit price "
        "× (1 − discount), taxes as in the unit prices).",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("applied", "Applied"),
            ("rejected", "Rejected"),
        ],
        string="Status",
        compute="_compute_state",
        store=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    date_applied = fields.Datetime(string="Applied On", readonly=True, copy=False)
    # the request's own status is tracked: no second tracking line for the engine's
    policy_approval_state = fields.Selection(tracking=False)

    @api.depends("policy_approval_state")
    def _compute_state(self):
        for request in self:
            request.state = STATE_BY_APPROVAL.get(request.policy_approval_state, "draft")

    @api.depends(
        "change_type",
        "order_id.amount_untaxed",
        "line_ids.subtotal_before",
        "line_ids.subtotal_after",
    )
    def _compute_amount_change(self):
        for request in self:
            if request.change_type == "cancel":
                request.amount_change = -request.amount_untaxed
            else:
                lines = request.line_ids
                request.amount_change = sum(lines.mapped("subtotal_after")) - sum(
                    lines.mapped("subtotal_before")
                )

    @api.constrains("communication_partner_id", "order_id")
    def _check_communication_partner(self):
        for request in self:
            contact = request.communication_partner_id.sudo()
            customer = request.order_id.sudo().partner_id.commercial_partner_id
            if contact and contact.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is not a contact of the customer %(customer)s.",
                        contact=contact.display_name,
                        customer=customer.display_name,
                    )
                )

    # ------------------------------------------------------------------------------
    # Onchange: the form opens prefilled with the order's lines
    # ------------------------------------------------------------------------------
    @api.onchange("order_id", "change_type")
    def _onchange_order_prefill_lines(self):
        order = self.order_id._origin
        if self.change_type != "change" or not order:
            self.line_ids = [Command.clear()]
            return
        if self.line_ids and self.line_ids.order_line_id._origin.order_id == order:
            return
        self.line_ids = [Command.clear()] + [
            Command.create({"order_line_id": line.id})
            for line in self._policy_changeable_order_lines(order)
        ]
        if self.reason_id and self.reason_id.applies_to not in (self.change_type, "both"):
            self.reason_id = False

    @api.model
    def _policy_changeable_order_lines(self, order):
        """The lines of ``order`` a change request may change (products, not sections,
        notes or down payments)."""
        return order.order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment
        )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("sales.policy.order.change") or "/"
                )
        requests = super().create(vals_list)
        if not self.env.su:
            # filing a request needs the right to work the order, not only to read it
            requests.order_id.check_access("write")
        return requests

    def write(self, vals):
        if not self.env.su and vals.get("order_id"):
            self.env["sale.order"].browse(vals["order_id"]).check_access("write")
        return super().write(vals)

    # ------------------------------------------------------------------------------
    # Workflow guard: the engine writes the status; an applied request is frozen and
    # a request once submitted stays as the trace of the order's change
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"state", "date_applied"}

    def _policy_guard_locked_fields(self):
        return {"applied": ALL_FIELDS}

    def _policy_guard_deletable_states(self):
        return ("draft",)

    def _policy_guard_deletable(self):
        return super()._policy_guard_deletable() and not self.sudo().policy_approval_ids

    def _policy_guard_hint(self, kind):
        if kind == "locked":
            return self.env._("File a new request for a further change.")
        if kind == "deleted":
            return self.env._("A request once submitted is the trace of the order's change.")
        return super()._policy_guard_hint(kind)

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        """The salesperson's manager level (the engine escalates a supervisor's own)."""
        return ["supervisor"]

    def _policy_approval_control(self):
        return "order_change_approval"

    def _policy_approval_salesperson(self):
        self.ensure_one()
        return self.order_id.user_id

    def _policy_approval_is_watched(self):
        self.ensure_one()
        return self.policy_approval_state == "pending"

    def _policy_approval_snapshot(self):
        """The order, kind, reason, customer communication and every proposed value."""
        self.ensure_one()
        snapshot = {
            "order_id": self.order_id.id,
            "change_type": self.change_type,
            "reason_id": self.reason_id.id,
            "customer_communication": str(self.customer_communication or ""),
            "communication_date": fields.Datetime.to_string(self.communication_date),
            "line_ids": sorted(self.line_ids.ids),
        }
        if self.change_type == "change":
            for line in self.line_ids:
                for fname in line._policy_snapshot_fields():
                    value = line[fname]
                    if isinstance(value, models.BaseModel):
                        value = value.id
                    snapshot[f"line_ids.{line.id}.{fname}"] = value
        return snapshot

    def _policy_approval_describe(self, keys):
        labels = []
        Line = self.env["sales.policy.order.change.line"]
        for key in keys:
            if key.startswith("line_ids."):
                _prefix, line_id, fname = key.split(".")
                line = Line.browse(int(line_id)).exists()
                field_label = Line._fields[fname]._description_string(self.env)
                labels.append(f"{field_label} ({line.product_id.display_name or line_id})")
            else:
                labels.append(self._fields[key]._description_string(self.env))
        return labels

    def _policy_approval_check_submit(self):
        self.ensure_one()
        cite = self.env["sales.policy.control"]._cite("order_change_approval")
        error = self._policy_order_error()
        if error:
            raise UserError(error)
        if self.reason_id.applies_to not in (self.change_type, "both"):
            raise UserError(
                self.env._(
                    "The reason %(reason)s does not apply to this kind of request.",
                    reason=self.reason_id.display_name,
                )
            )
        if is_html_empty(self.customer_communication):
            raise UserError(
                self.env._(
                    "Record the communication with the customer (who, when, what was said) "
                    "before submitting %(request)s (%(article)s).",
                    request=self.display_name,
                    article=cite,
                )
            )
        other = self.sudo().search(
            [
                ("order_id", "=", self.order_id.id),
                ("state", "=", "submitted"),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
        if other:
            raise UserError(
                self.env._(
                    "%(other)s already waits for approval on %(order)s: one request at a time.",
                    other=other.name,
                    order=self.order_id.display_name,
                )
            )
        if self.change_type == "change":
            if not self.line_ids.filtered("is_changed"):
                raise UserError(
                    self.env._(
                        "%(request)s proposes no change: set the new quantities, prices or "
                        "discounts of the lines to change.",
                        request=self.display_name,
                    )
                )
            self.line_ids._policy_check_proposal()

    def _policy_order_error(self):
        """Why the order cannot be changed or cancelled now, or False."""
        self.ensure_one()
        order = self.order_id.sudo()
        if order.state != "sale":
            return self.env._(
                "Only a confirmed order is changed or cancelled through a request: %(order)s "
                "is not confirmed.",
                order=order.display_name,
            )
        if order.locked:
            return self.env._(
                "%(order)s is locked: a sales manager unlocks it before it can be changed "
                "or cancelled.",
                order=order.display_name,
            )
        return False

    def _on_policy_approved(self):
        for request in self:
            request._policy_apply()

    def _on_policy_rejected(self):
        for request in self:
            step = request.sudo().policy_approval_ids.filtered(lambda s: s.state == "rejected")[:1]
            request._policy_post_on_order(
                self.env._(
                    "%(request)s was rejected: %(comment)s",
                    request=request._get_html_link(),
                    comment=step.comment or "",
                )
            )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_policy_submit(self):
        res = super().action_policy_submit()
        for request in self.filtered(lambda r: r.state == "submitted"):
            request._policy_post_on_order(
                self.env._(
                    "%(request)s submitted for approval (%(article)s): %(kind)s, reason "
                    "%(reason)s.",
                    request=request._get_html_link(),
                    article=self.env["sales.policy.control"]._cite("order_change_approval"),
                    kind=request._policy_type_label(),
                    reason=request.reason_id.name,
                )
            )
        return res

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _policy_type_label(self):
        self.ensure_one()
        return dict(self._fields["change_type"]._description_selection(self.env))[self.change_type]

    def _policy_post_on_order(self, body):
        self.ensure_one()
        self.order_id.sudo().message_post(
            body=body, subtype_xmlid="mail.mt_note", author_id=self.env.user.partner_id.id
        )

    def _policy_communication_summary(self):
        self.ensure_one()
        channel = dict(self._fields["communication_channel"]._description_selection(self.env))
        return self.env._(
            "Customer communication on %(date)s with %(contact)s (%(channel)s):",
            date=format_datetime(self.env, self.communication_date),
            contact=(self.communication_partner_id or self.partner_id).display_name,
            channel=channel.get(self.communication_channel, ""),
        )

    def _policy_apply(self):
        """Apply the approved request to the order (called by the engine, once)."""
        self.ensure_one()
        error = self._policy_order_error()
        if error:
            raise UserError(error)
        order = self.order_id.sudo()
        article = self.env["sales.policy.control"]._cite("order_change_approval")
        if self.change_type == "cancel":
            order._action_cancel()
            details = Markup()
            title = self.env._(
                "Order cancelled after the approval of %(request)s (%(article)s). Reason: "
                "%(reason)s.",
                request=self._get_html_link(),
                article=article,
                reason=self.reason_id.name,
            )
        else:
            details = self.line_ids._policy_apply()
            title = self.env._(
                "Order changed after the approval of %(request)s (%(article)s). Reason: "
                "%(reason)s.",
                request=self._get_html_link(),
                article=article,
                reason=self.reason_id.name,
            )
        self.sudo().write({"date_applied": fields.Datetime.now()})
        body = (
            Markup("<p>%s</p>") % title
            + details
            + Markup("<p>%s</p>") % self._policy_communication_summary()
            + self.customer_communication
        )
        self._policy_post_on_order(body)
        self.sudo().message_post(
            body=Markup("<p>%s</p>") % self.env._("Applied to the order.") + details,
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
