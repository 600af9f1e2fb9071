from odoo import api, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

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

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._policy_approval_recheck()
        return lines

    def write(self, vals):
        res = super().write(vals)
        self.order_id._policy_approval_recheck()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._policy_approval_recheck()
        return res
