from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from .sale_order import DOWN_PAYMENT


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    #: what a user sends is checked before Odoo's own create / write read it (base.py)
    _sales_policy_check_input_first = True

    @api.model
    def _policy_approval_line_fields(self):
        """Line fields whose change voids the quotation's approval."""
        return [
            "product_id",
            "product_uom_qty",
            "product_uom_id",
            "price_unit",
            "discount",
            "tax_ids",
            "is_downpayment",
        ]

    @api.constrains("discount")
    def _check_policy_discount(self):
        for line in self:
            if not 0.0 <= line.discount <= 100.0:
                raise ValidationError(
                    self.env._(
                        "A discount lies between 0 and 100 %% (%(product)s: %(discount)s %%).",
                        product=line.product_id.display_name or line.name,
                        discount=line.discount,
                    )
                )

    @api.model
    def _sales_policy_checks_input(self):
        return True

    @api.model_create_multi
    def create(self, vals_list):
        self._sales_policy_check_input(vals_list, create=True)
        self._policy_check_confirmed_lines_create(vals_list)
        lines = super().create(vals_list)
        lines.order_id._policy_approval_recheck()
        return lines

    def write(self, vals):
        self._sales_policy_check_input([vals])
        self._policy_check_confirmed_lines_write(vals)
        res = super().write(vals)
        self.order_id._policy_approval_recheck()
        return res

    def unlink(self):
        orders = self.order_id
        self._policy_check_confirmed_lines_unlink()
        res = super().unlink()
        orders.exists()._policy_approval_recheck()
        return res

    # ------------------------------------------------------------------------------
    # Confirmed orders (篇四 §14): quantities, prices, discounts, products and lines
    # change only through an approved change request, applied by the engine (sudo)
    # ------------------------------------------------------------------------------
    @api.model
    def _policy_confirmed_locked_fields(self):
        """Line fields a user cannot change on a confirmed order: Odoo's own protected
        fields of a locked order that bear on what the customer pays (taxes included),
        the order and the down payment flag."""
        harmless = {"name", "analytic_distribution"}
        return (set(self._get_protected_fields()) - harmless) | {"order_id", "is_downpayment"}

    def _policy_confirmed_line_error(self, orders):
        return self.env._(
            "%(orders)s: the quantities, prices, discounts, taxes, products and lines of a "
            "confirmed order change only through an approved change request, with its reason "
            "and the record of the communication with the customer (%(article)s). Use "
            "Request Change on the order.",
            orders=orders.mapped("display_name"),
            article=self.env["sales.policy.control"]._cite("order_change_approval"),
        )

    def _policy_is_exempt_line(self):
        """Lines outside the gate: sections and notes, and the down payment lines while
        Odoo's invoicing adds and updates them (the orders it marks)."""
        self.ensure_one()
        if self.display_type:
            return True
        return self.is_downpayment and self.order_id.id in self.env["sale.order"]._policy_marked(
            DOWN_PAYMENT
        )

    @api.model
    def _policy_check_confirmed_lines_create(self, vals_list):
        if self.env.su:
            return
        orders = (
            self.env["sale.order"]
            .sudo()
            .browse({vals["order_id"] for vals in vals_list if vals.get("order_id")})
        )
        confirmed = orders.filtered(lambda order: order.state == "sale")
        if not confirmed:
            return
        # re-invoiced costs are added by the people who post vendor bills
        may_reinvoice = self.env.user.has_group("account.group_account_invoice")
        # the down payments of Odoo's invoicing wizard (sale.order marks the orders)
        down_payment = self.env["sale.order"]._policy_marked(DOWN_PAYMENT)
        refused = self.env["sale.order"]
        for vals in vals_list:
            if vals.get("order_id") not in confirmed.ids or vals.get("display_type"):
                continue
            if vals.get("is_downpayment") and vals["order_id"] in down_payment:
                continue
            if vals.get("is_expense") and not vals.get("is_downpayment") and may_reinvoice:
                continue
            refused |= confirmed.browse(vals["order_id"])
        if refused:
            raise UserError(self._policy_confirmed_line_error(refused))

    def _policy_check_confirmed_lines_write(self, vals):
        if self.env.su:
            return
        fnames = set(self._policy_confirmed_locked_fields()) & set(vals)
        if not fnames:
            return
        refused = self.env["sale.order"]
        if vals.get("order_id"):
            # no line moves into a confirmed order either
            target = refused.sudo().browse(vals["order_id"])
            if target.state == "sale" and any(line.order_id != target for line in self.sudo()):
                refused |= target
        for line in self.sudo():
            if line.order_id.state != "sale" or line._policy_is_exempt_line():
                continue
            for fname in fnames:
                field = self._fields[fname]
                if field.convert_to_cache(vals[fname], line) != field.convert_to_cache(
                    line[fname], line
                ):
                    refused |= line.order_id
        if refused:
            raise UserError(self._policy_confirmed_line_error(refused))

    def _policy_check_confirmed_lines_unlink(self):
        if self.env.su:
            return
        refused = self.sudo().filtered(
            lambda line: line.order_id.state == "sale" and not line._policy_is_exempt_line()
        )
        if refused:
            raise UserError(self._policy_confirmed_line_error(refused.order_id))
