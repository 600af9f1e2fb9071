from odoo import api, fields, models


class SalesPolicyRegion(models.Model):
    """A sales region (销售区域): a group of sales teams under one regional manager.

    The region is the middle level of the sales hierarchy:
    team (supervisor) → region (regional manager) → company (sales director).
    """

    _name = "sales.policy.region"
    _description = "Sales Region"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to use the region in every company.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Regional Sales Manager",
        tracking=True,
        check_company=True,
        domain="[('share', '=', False)]",
        help="Reviews and approves at the regional level for every team of the region.",
    )
    team_ids = fields.One2many("crm.team", "region_id", string="Sales Teams")
    team_count = fields.Integer(compute="_compute_team_count")

    _name_company_uniq = models.UniqueIndex(
        "(company_id, name)", "A region with this name already exists in this company."
    )

    @api.depends("team_ids")
    def _compute_team_count(self):
        counts = dict(
            self.env["crm.team"]._read_group(
                [("region_id", "in", self.ids)], ["region_id"], ["__count"]
            )
        )
        for region in self:
            region.team_count = counts.get(region, 0)

    @api.model_create_multi
    def create(self, vals_list):
        regions = super().create(vals_list)
        self.env["res.users"]._sales_policy_hierarchy_changed()
        return regions

    def write(self, vals):
        res = super().write(vals)
        if {"manager_id", "active", "company_id"} & set(vals):
            self.env["res.users"]._sales_policy_hierarchy_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"]._sales_policy_hierarchy_changed()
        return res
