from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """Quotation approval (篇四 §12, 篇一 §9): an instance of the approval engine.

    Every quotation is approved before it takes effect: the approval matrix decides the
    levels (special discounts and large amounts escalate), the salesperson's chain
    approves in order. Until then it cannot be confirmed, sent, signed or paid online,
    and prints marked "not approved". A change of the approved content voids it.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "sales.policy.approval.mixin"]

    policy_max_discount = fields.Float(
        string="Largest Discount (%)",
        compute="_compute_policy_max_discount",
        digits="Discount",
        help="The largest line discount: with the amount, it decides the approval levels.",
    )

    @api.depends("order_line.discount")
    def _compute_policy_max_discount(self):
        for order in self:
            order.policy_max_discount = max(order.order_line.mapped("discount"), default=0.0)

    # ------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_control(self):
        return "quotation_approval"

    def _policy_approval_is_watched(self):
        return self.state in ("draft", "sent")

    def _policy_approval_levels(self):
        self.ensure_one()
        matrix = self.env["sales.policy.approval.matrix"].sudo()._for_company(self.company_id)
        if not matrix:
            return ["supervisor"]
        return matrix._levels_for(self.policy_max_discount, self._policy_amount_company())

    def _policy_amount_company(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.currency_id._convert(
            self.amount_untaxed,
            company.currency_id,
            company,
            self.date_order or fields.Date.context_today(self),
        )

    def _policy_approval_snapshot(self):
        """Prices, discounts, quantities, products, lines, pricelist and payment terms."""
        self.ensure_one()
        snapshot = {
            "pricelist_id": self.pricelist_id.id,
            "payment_term_id": self.payment_term_id.id,
            "currency_id": self.currency_id.id,
            "order_line": sorted(self.order_line.ids),
        }
        for line in self.order_line:
            for fname in self.order_line._policy_approval_line_fields():
                value = line[fname]
                if isinstance(value, models.BaseModel):
                    value = sorted(value.ids)
                snapshot[f"order_line.{line.id}.{fname}"] = value
        return snapshot

    def _policy_approval_describe(self, keys):
        labels = []
        for key in keys:
            if key.startswith("order_line."):
                _prefix, line_id, fname = key.split(".")
                line = self.order_line.browse(int(line_id)).exists()
                field_label = self.order_line._fields[fname]._description_string(self.env)
                line_label = line.name.splitlines()[0] if line and line.name else line_id
                labels.append(f"{field_label} ({line_label})")
            else:
                labels.append(self._fields[key]._description_string(self.env))
        return labels

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations are submitted for approval."))
        if not self.order_line.filtered(lambda line: not line.display_type):
            raise UserError(self.env._("Add the products or services before submitting."))
        if not self.payment_term_id:
            raise UserError(
                self.env._(
                    "A quotation states its payment terms (%(article)s): set the payment "
                    "terms before submitting %(order)s.",
                    article=self.env["sales.policy.control"]._cite("quotation_clear_terms"),
                    order=self.display_name,
                )
            )

    # ------------------------------------------------------------------------------
    # Gates
    # ------------------------------------------------------------------------------
    def _policy_quotation_unapproved_error(self):
        """The error of an unapproved quotation, or False when it may take effect."""
        self.ensure_one()
        if self.state in ("draft", "sent") and self.policy_approval_state != "approved":
            return self.env._(
                "Quotation %(order)s is not approved yet: every quotation needs the sales "
                "manager's approval before it takes effect (%(article)s).",
                order=self.display_name,
                article=self.env["sales.policy.control"]._cite("quotation_approval"),
            )
        return False

    def _policy_check_quotation_approved(self):
        for order in self:
            error = order._policy_quotation_unapproved_error()
            if error:
                raise UserError(error)

    def _confirmation_error_message(self):
        return super()._confirmation_error_message() or self._policy_quotation_unapproved_error()

    def action_quotation_send(self):
        self._policy_check_quotation_approved()
        return super().action_quotation_send()

    def action_quotation_sent(self):
        self._policy_check_quotation_approved()
        return super().action_quotation_sent()

    def message_post(self, **kwargs):
        if self.env.context.get("mark_so_as_sent"):
            self._policy_check_quotation_approved()
        return super().message_post(**kwargs)

    def _has_to_be_signed(self):
        return super()._has_to_be_signed() and self.policy_approval_state == "approved"

    def _has_to_be_paid(self):
        return super()._has_to_be_paid() and self.policy_approval_state == "approved"
