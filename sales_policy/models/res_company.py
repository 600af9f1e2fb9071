from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_policy_director_id = fields.Many2one(
        "res.users",
        string="Sales Director",
        help="Top of the sales hierarchy: approves major contracts and special discounts "
        "(篇四 §5.6).",
    )

    def write(self, vals):
        res = super().write(vals)
        if "sales_policy_director_id" in vals:
            self.env["res.users"]._sales_policy_hierarchy_changed()
        return res
