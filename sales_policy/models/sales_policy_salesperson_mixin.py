from odoo import api, fields, models


class SalesPolicySalespersonMixin(models.AbstractModel):
    """The salesperson of a sales-policy document and where they sit in the sales
    organisation: their team (from the hierarchy) and its region, stored so
    that lists group and pivot by them and record rules read them. The document's
    company defaults to the current one."""

    _name = "sales.policy.salesperson.mixin"
    _description = "Sales Policy Salesperson Mixin"

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        precompute=True,
        index="btree_not_null",
    )
    region_id = fields.Many2one(related="team_id.region_id", store=True, string="Region")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    @api.depends("user_id")
    def _compute_team_id(self):
        for record in self:
            record.team_id = record.user_id._sales_policy_team() if record.user_id else False
