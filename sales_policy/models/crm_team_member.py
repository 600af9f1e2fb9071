from odoo import api, models


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        self.env["res.users"]._sales_policy_hierarchy_changed()
        return members

    def write(self, vals):
        res = super().write(vals)
        self.env["res.users"]._sales_policy_hierarchy_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"]._sales_policy_hierarchy_changed()
        return res
