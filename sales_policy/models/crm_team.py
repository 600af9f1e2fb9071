from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    region_id = fields.Many2one(
        "sales.policy.region",
        string="Sales Region",
        index=True,
        tracking=True,
        domain="[('company_id', 'in', [company_id, False])]",
        help="The region whose manager is the next level above this team's leader.",
    )

    def write(self, vals):
        res = super().write(vals)
        if {"user_id", "region_id", "member_ids", "crm_team_member_ids", "active"} & set(vals):
            self.env["res.users"]._sales_policy_hierarchy_changed()
        return res
