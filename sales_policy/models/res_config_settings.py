from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_policy_director_id = fields.Many2one(
        related="company_id.sales_policy_director_id", readonly=False
    )
