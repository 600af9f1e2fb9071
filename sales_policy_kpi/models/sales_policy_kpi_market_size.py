from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesPolicyKpiMarketSize(models.Model):
    """The size of a market, entered by managers, for the market share indicator.

    One amount per region, optional product category and period (篇四 §23 市场占有率):
    a salesperson's market share is their sales amount divided by the size of their
    region's market for the same period (and category).
    """

    _name = "sales.policy.kpi.market.size"
    _description = "Market Size"
    _inherit = ["sales.policy.kpi.period.mixin"]
    _order = "date_from desc, region_id"
    _check_company_auto = True

    region_id = fields.Many2one(
        "sales.policy.region", string="Sales Region", required=True, index=True
    )
    categ_id = fields.Many2one("product.category", string="Product Category")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Market Size",
        required=True,
        help="Total sales of the whole market (all suppliers) in the region, category and "
        "period, in company currency: the denominator of the market share.",
    )
    source = fields.Char(help="Where the figure comes from (study, association, estimate).")

    _scope_uniq = models.UniqueIndex(
        "(company_id, region_id, COALESCE(categ_id, 0), period_type, date_from)",
        "A region has one market size per product category and period.",
    )

    @api.constrains("amount")
    def _check_amount(self):
        if any(record.amount < 0 for record in self):
            raise ValidationError(self.env._("A market size cannot be negative."))
