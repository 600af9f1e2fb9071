from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, formatLang


class SalesPolicyOrderChangeLine(models.Model):
    """One order line of a change request: its current values and the proposed ones.

    The proposed values start as the current ones; the values the line had before the
    change are recorded (by the engine) when the approved request is applied.
    """

    _name = "sales.policy.order.change.line"
    _description = "Order Change Request Line"
    _inherit = ["sales.policy.workflow.guard"]
    _order = "change_id, id"
    #: the lines follow their request: the request's guard checks a change of its lines
    _policy_guard_parent_field = "change_id"

    change_id = fields.Many2one(
        "sales.policy.order.change",
        string="Change Request",
        required=True,
        index=True,
        ondelete="cascade",
    )
    order_line_id = fields.Many2one(
        "sale.order.line",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('order_id', '=', parent.order_id), ('display_type', '=', False), "
        "('is_downpayment', '=', False)]",
    )
    product_id = fields.Many2one(related="order_line_id.product_id")
    name = fields.Text(related="order_line_id.name", string="Description")
    product_uom_id = fields.Many2one(related="order_line_id.product_uom_id", string="Unit")
    currency_id = fields.Many2one(related="change_id.currency_id")
    qty_delivered = fields.Float(related="order_line_id.qty_delivered", string="Delivered")
    qty_invoiced = fields.Float(related="order_line_id.qty_invoiced", string="Invoiced")
    current_qty = fields.Float(related="order_line_id.product_uom_qty", string="Current Quantity")
    current_price_unit = fields.Float(
        related="order_line_id.price_unit", string="Current Unit Price"
    )
    current_discount = fields.Float(related="order_line_id.discount", string="Current Discount (%)")
    new_qty = fields.Float(
        string="New Quantity",
        digits="Product Unit",
        compute="_compute_new_values",
        store=True,
        readonly=False,
        precompute=True,
    )
    new_price_unit = fields.Float(
        string="New Unit Price",
        digits="Product Price",
        compute="_compute_new_values",
        store=True,
        readonly=False,
        precompute=True,
    )
    new_discount = fields.Float(
        string="New Discount (%)",
        digits="Discount",
        compute="_compute_new_values",
        store=True,
        readonly=False,
        precompute=True,
    )
    old_qty = fields.Float(string="Quantity Before", digits="Product Unit", readonly=True)
    old_price_unit = fields.Float(string="Unit Price Before", digits="Product Price", readonly=True)
    old_discount = fields.Float(string="Discount Before (%)", digits="Discount", readonly=True)
    is_changed = fields.Boolean(string="Changed", compute="_compute_is_changed")
    subtotal_before = fields.Monetary(compute="_compute_is_changed")
    subtotal_after = fields.Monetary(compute="_compute_is_changed")

    _order_line_uniq = models.UniqueIndex(
        "(change_id, order_line_id)", "An order line appears once in a change request."
    )

    @api.depends("order_line_id")
    def _compute_new_values(self):
        for line in self:
            order_line = line.order_line_id
            line.new_qty = order_line.product_uom_qty
            line.new_price_unit = order_line.price_unit
            line.new_discount = order_line.discount

    @api.depends(
        "new_qty",
        "new_price_unit",
        "new_discount",
        "current_qty",
        "current_price_unit",
        "current_discount",
        "old_qty",
        "old_price_unit",
        "old_discount",
        "change_id.date_applied",
    )
    def _compute_is_changed(self):
        for line in self:
            before = line._policy_before_values()
            after = line._policy_after_values()
            line.is_changed = any(
                float_compare(before[key], after[key], precision_digits=line._policy_digits(key))
                for key in after
            )
            line.subtotal_before = line._policy_subtotal(before)
            line.subtotal_after = line._policy_subtotal(after)

    @api.constrains("order_line_id", "change_id")
    def _check_order_line(self):
        for line in self:
            order_line = line.order_line_id.sudo()
            if order_line.order_id != line.change_id.order_id.sudo():
                raise ValidationError(
                    self.env._(
                        "%(line)s is not a line of the order %(order)s.",
                        line=order_line.display_name,
                        order=line.change_id.order_id.display_name,
                    )
                )
            if order_line.display_type or order_line.is_downpayment:
                raise ValidationError(
                    self.env._(
                        "Only product lines are changed by a request, not sections, notes "
                        "or down payments (%(line)s).",
                        line=order_line.display_name,
                    )
                )

    @api.constrains("new_qty", "new_price_unit", "new_discount")
    def _check_new_values(self):
        for line in self:
            if line.new_qty < 0 or line.new_price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "The new quantity and unit price of %(product)s cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if not 0.0 <= line.new_discount <= 100.0:
                raise ValidationError(
                    self.env._(
                        "A discount lies between 0 and 100 %% (%(product)s: %(discount)s %%).",
                        product=line.product_id.display_name,
                        discount=line.new_discount,
                    )
                )

    # ------------------------------------------------------------------------------
    # CRUD: every change of a pending request voids its approval (the engine compares
    # the snapshot); the lines of an applied one are frozen (the workflow guard)
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.change_id._policy_approval_recheck()
        return lines

    def write(self, vals):
        res = super().write(vals)
        self.change_id._policy_approval_recheck()
        return res

    def unlink(self):
        changes = self.change_id
        res = super().unlink()
        changes.exists()._policy_approval_recheck()
        return res

    def _policy_guard_system_fields(self):
        """The values before the change: recorded when the approved request is applied."""
        return super()._policy_guard_system_fields() | {
            "old_qty",
            "old_price_unit",
            "old_discount",
        }

    def _policy_guard_control(self):
        return "order_change_approval"

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    @api.model
    def _policy_snapshot_fields(self):
        """The line fields whose change voids the request's approval."""
        return ["order_line_id", "new_qty", "new_price_unit", "new_discount"]

    def _policy_digits(self, key):
        precision = {"qty": "Product Unit", "price_unit": "Product Price", "discount": "Discount"}
        return self.env["decimal.precision"].precision_get(precision[key])

    def _policy_before_values(self):
        """The line's values before the change: recorded once applied, else the current."""
        self.ensure_one()
        if self.change_id.date_applied:
            return {
                "qty": self.old_qty,
                "price_unit": self.old_price_unit,
                "discount": self.old_discount,
            }
        return {
            "qty": self.current_qty,
            "price_unit": self.current_price_unit,
            "discount": self.current_discount,
        }

    def _policy_after_values(self):
        self.ensure_one()
        return {
            "qty": self.new_qty,
            "price_unit": self.new_price_unit,
            "discount": self.new_discount,
        }

    @api.model
    def _policy_subtotal(self, values):
        return values["qty"] * values["price_unit"] * (1.0 - values["discount"] / 100.0)

    def _policy_check_proposal(self):
        """Refuse proposals that the order's deliveries or invoices already exceed."""
        for line in self.filtered("is_changed"):
            floor = max(line.qty_delivered, line.qty_invoiced)
            precision = line._policy_digits("qty")
            if float_compare(line.new_qty, floor, precision_digits=precision) < 0:
                raise UserError(
                    self.env._(
                        "%(product)s: %(delivered)s delivered and %(invoiced)s invoiced; the "
                        "new quantity cannot be lower (return the goods or issue a credit "
                        "note first).",
                        product=line.product_id.display_name,
                        delivered=line.qty_delivered,
                        invoiced=line.qty_invoiced,
                    )
                )

    def _policy_change_text(self):
        """``product: quantity 10 → 8, unit price 100.00 → 90.00`` for the chatter."""
        self.ensure_one()
        before = self._policy_before_values()
        after = self._policy_after_values()
        labels = {
            "qty": self.env._("quantity"),
            "price_unit": self.env._("unit price"),
            "discount": self.env._("discount (%)"),
        }
        parts = []
        for key, label in labels.items():
            if float_compare(before[key], after[key], precision_digits=self._policy_digits(key)):
                parts.append(
                    self.env._(
                        "%(field)s %(before)s → %(after)s",
                        field=label,
                        before=self._policy_format(key, before[key]),
                        after=self._policy_format(key, after[key]),
                    )
                )
        return self.env._(
            "%(product)s: %(changes)s",
            product=self.product_id.display_name or self.name,
            changes=", ".join(parts),
        )

    def _policy_format(self, key, value):
        if key == "price_unit":
            return formatLang(self.env, value, currency_obj=self.currency_id)
        precision = {"qty": "Product Unit", "discount": "Discount"}[key]
        return formatLang(self.env, value, dp=precision)

    def _policy_apply(self):
        """Write the approved values on the order lines (sudo); return the chatter list.

        Every line records its values before the change; only the changed ones are
        written on the order. Lines with the same values are written together.
        """
        changed = self.filtered("is_changed")
        before = defaultdict(lambda: self.env["sales.policy.order.change.line"])
        for line in self:
            order_line = line.order_line_id.sudo()
            before[order_line.product_uom_qty, order_line.price_unit, order_line.discount] |= line
        for (qty, price_unit, discount), lines in before.items():
            lines.sudo().write(
                {"old_qty": qty, "old_price_unit": price_unit, "old_discount": discount}
            )
        after = defaultdict(lambda: self.env["sale.order.line"])
        for line in changed:
            after[line.new_qty, line.new_price_unit, line.new_discount] |= line.order_line_id
        for (qty, price_unit, discount), order_lines in after.items():
            # the three values always go together: a new quantity must not let the
            # pricelist recompute the approved price or discount
            order_lines.sudo().write(
                {"product_uom_qty": qty, "price_unit": price_unit, "discount": discount}
            )
        self.change_id.sudo().date_applied = fields.Datetime.now()
        items = Markup()
        for line in changed:
            items += Markup("<li>%s</li>") % line._policy_change_text()
        return Markup("<ul>%s</ul>") % items if items else Markup()
