from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesPolicyKpiTemplateLine(models.Model):
    """One item of an appraisal template: an indicator (quantitative) or an item the
    manager scores (qualitative), with its weight and scoring rule."""

    _name = "sales.policy.kpi.template.line"
    _description = "Appraisal Template Item"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "sales.policy.kpi.template", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="template_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("quantitative", "Quantitative"), ("qualitative", "Qualitative")],
        required=True,
        default="quantitative",
        help="Quantitative: an indicator computed from the records. Qualitative: scored "
        "0–100 by the manager (work attitude, teamwork, learning, conduct, market "
        "information fed back).",
    )
    indicator = fields.Selection(
        selection=lambda self: self.env["sales.policy.kpi.indicator"]._kpi_selection(),
        help="Sales Amount: posted customer invoices minus credit notes, untaxed, company "
        "currency, dated in the period. Collection Rate: collected ÷ due in the period. "
        "Customer Satisfaction: average 1–5 of return visits and surveys. New Customers: "
        "customers whose first confirmed order falls in the period. Market Share: sales ÷ "
        "the region's market size. Visits: done ÷ planned.",
    )
    name = fields.Char(
        required=True,
        translate=True,
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    description = fields.Text(
        translate=True, help="What the manager looks at when scoring a qualitative item."
    )
    weight = fields.Float(string="Weight (%)", required=True, default=0.0)
    target_source = fields.Selection(
        [("sales_target", "Sales Target"), ("fixed", "Fixed Target")],
        default="fixed",
        help="Sales Target: the salesperson's sales target of the period (Performance → "
        "Targets), for the sales amount. Fixed Target: the value "
        "below, the same for everybody.",
    )
    target_value = fields.Float(
        digits=(16, 2),
        help="The value to reach: an amount, a percentage (collection rate, visits, market "
        "share), an average score (satisfaction, 1–5) or a number (new customers).",
    )
    categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        help="Restrict the sales amount (and its target) to a product line.",
    )
    cap = fields.Float(
        string="Cap (%)",
        default=120.0,
        help="The highest score of the item: achievement (actual ÷ target) above it counts "
        "as the cap.",
    )

    @api.depends("indicator", "kind")
    def _compute_name(self):
        labels = dict(self._fields["indicator"]._description_selection(self.env))
        for line in self:
            if line.kind == "quantitative" and line.indicator:
                line.name = labels.get(line.indicator)
            elif not line.name:
                line.name = False

    @api.constrains("kind", "indicator", "weight", "cap", "target_source", "target_value")
    def _check_line(self):
        for line in self:
            if line.weight < 0 or line.weight > 100:
                raise ValidationError(
                    self.env._(
                        "The weight of %(item)s must be between 0 and 100 %%.", item=line.name
                    )
                )
            if line.kind != "quantitative":
                continue
            if not line.indicator:
                raise ValidationError(
                    self.env._("Choose the indicator of the item %(item)s.", item=line.name)
                )
            if line.cap < 100:
                raise ValidationError(
                    self.env._(
                        "The cap of %(item)s must be 100 %% or more (e.g. 120 %%).",
                        item=line.name,
                    )
                )
            if line.target_source == "sales_target" and line.indicator != "sales_amount":
                raise ValidationError(
                    self.env._(
                        "Only the sales amount is measured against the sales targets; give "
                        "%(item)s a fixed target.",
                        item=line.name,
                    )
                )
            if line.target_source == "fixed" and line.target_value <= 0:
                raise ValidationError(
                    self.env._(
                        "Give %(item)s a target value above zero.",
                        item=line.name,
                    )
                )
