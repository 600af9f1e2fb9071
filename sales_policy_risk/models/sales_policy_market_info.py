from odoo import api, fields, models
from odoo.tools import html2plaintext


class SalesPolicyMarketInfo(models.Model):
    """A market information report (市场信息、竞争对手动态, 篇一 §4.3, 篇四 §8.4).

    Sales reps collect market information and competitors' moves and report them
    upward: what was seen (a competitor's price, product, promotion, a customer's
    demand), where (the reporter's region, the customer) and their notes. Supervisors
    and above read the reports of their part of the hierarchy (篇四 §5.4: the director
    analyses competitors). A report can raise a market risk in the risk register
    (:meth:`action_raise_risk`).
    """

    _name = "sales.policy.market.info"
    _description = "Market Information Report"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.salesperson.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Subject", required=True, tracking=True)
    user_id = fields.Many2one(string="Reporter")
    date = fields.Date(
        string="Observed On", required=True, default=fields.Date.context_today, index=True
    )
    kind = fields.Selection(
        [
            ("competitor_price", "Competitor Price"),
            ("competitor_product", "Competitor Product"),
            ("competitor_activity", "Competitor Activity"),
            ("customer_demand", "Customer Demand"),
            ("market_trend", "Market Trend"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="competitor_price",
        tracking=True,
    )
    competitor_id = fields.Many2one(
        "res.partner",
        check_company=True,
        index="btree_not_null",
        help="The competitor, when it is recorded as a contact.",
    )
    competitor_name = fields.Char(help="The competitor's name when it is not a contact.")
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Our product the information concerns (or the closest one).",
    )
    product_categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        compute="_compute_product_categ_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    price_seen = fields.Monetary(
        currency_field="currency_id",
        help="The price observed (competitor's offer, customer's target), in the company currency.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        check_company=True,
        index="btree_not_null",
        domain="[('parent_id', '=', False)]",
        help="The customer the information came from or concerns.",
    )
    location = fields.Char(help="Where it was observed (city, market, exhibition…).")
    notes = fields.Html()
    risk_ids = fields.One2many("sales.policy.risk", "market_info_id", string="Risks")
    risk_count = fields.Integer(compute="_compute_risk_count")

    @api.depends("product_id")
    def _compute_product_categ_id(self):
        for report in self:
            if report.product_id:
                report.product_categ_id = report.product_id.categ_id

    def _compute_risk_count(self):
        counts = dict(
            self.env["sales.policy.risk"]._read_group(
                [("market_info_id", "in", self.ids)], ["market_info_id"], ["__count"]
            )
        )
        for report in self:
            report.risk_count = counts.get(report, 0)

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_raise_risk(self):
        """Open a new market risk of the register filled in from the report: the
        reporter completes the assessment and the proposed response and saves it."""
        self.ensure_one()
        self.check_access("read")
        competitor = self.competitor_id.display_name or self.competitor_name
        description = self.notes if html2plaintext(self.notes or "").strip() else False
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Raise a Risk"),
            "res_model": "sales.policy.risk",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_risk_type": "market",
                "default_market_info_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_name": self.env._("Market risk: %(subject)s", subject=self.name)
                if not competitor
                else self.env._(
                    "Market risk: %(subject)s (%(competitor)s)",
                    subject=self.name,
                    competitor=competitor,
                ),
                "default_description": description,
            },
        }

    def action_view_risks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy_risk.sales_policy_risk_action"
        )
        action["domain"] = [("market_info_id", "=", self.id)]
        action["context"] = {"default_market_info_id": self.id, "default_risk_type": "market"}
        return action
