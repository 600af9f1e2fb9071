import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_policy_director_id = fields.Many2one(
        "res.users",
        string="Sales Director",
        help="Top of the sales hierarchy: approves major contracts and special discounts "
        "(篇四 §5.6).",
    )
    # --- Sales expenses (篇四 §17–18) ------------------------------------------------
    sales_policy_expense_over_budget = fields.Selection(
        [("block", "Block the claim"), ("escalate", "Escalate to the sales director")],
        string="Over-Budget Expense Claims",
        default="escalate",
        required=True,
        help="A sales expense claim that would exceed the approved budget of its team and "
        "category (篇四 §17): refused on submission, or approved by the sales director after "
        "the regional manager.",
    )
    # --- Customer care and customer data (篇四 §19–20) ---------------------------------
    sales_policy_partner_field_ids = fields.Many2many(
        "ir.model.fields",
        "sales_policy_company_partner_field_rel",
        "company_id",
        "field_id",
        string="Required Customer Fields",
        default=lambda self: self._sales_policy_default_partner_fields(),
        domain="[('model', '=', 'res.partner'), ('store', '=', True), "
        "('ttype', 'in', ('char', 'text', 'html', 'many2one', 'many2many', 'selection', "
        "'date', 'datetime'))]",
        help="The fields a customer's data must have to be complete (篇四 §19.1).",
    )
    sales_policy_partner_required_enforce = fields.Boolean(
        string="Enforce Required Customer Fields",
        help="Salespeople cannot save a customer without the required fields (篇四 §19.1).",
    )
    sales_policy_stale_months = fields.Integer(
        string="Customer Data Stale After (Months)",
        default=12,
        help="A customer whose data was not updated or confirmed for this many months is "
        "flagged as stale (篇四 §19.1). 0 disables the check.",
    )
    sales_policy_satisfaction_interval = fields.Integer(
        string="Satisfaction Survey Interval (Months)",
        default=6,
        help="Every customer with a confirmed order is sent a satisfaction survey once per "
        "interval (篇四 §20.3). 0 disables the periodic surveys.",
    )
    sales_policy_complaint_days = fields.Integer(
        string="Complaint Deadline (Days)",
        default=7,
        help="Default number of days to handle a complaint and feed the result back to the "
        "customer (篇四 §20.2).",
    )

    # --- Collection (篇四 §15) -----------------------------------------------------------
    sales_policy_bad_debt_days = fields.Integer(
        string="Bad-Debt Risk After (Days Overdue)",
        default=180,
        help="An invoice overdue for this many days becomes a bad-debt risk case owned by "
        "finance, reported to the regional manager and the director (篇四 §15.4). "
        "0 disables the automatic cases.",
    )

    # --- Contracts (篇四 §13) -------------------------------------------------------------
    sales_policy_contract_exempt_amount = fields.Monetary(
        string="Orders Without Contract Below",
        currency_field="currency_id",
        default=0.0,
        help="Orders whose total is below this amount are confirmed without a contract "
        "approved by legal (篇四 §13). 0: every order needs one.",
    )
    sales_policy_contract_major_amount = fields.Monetary(
        string="Major Contract Amount",
        currency_field="currency_id",
        default=1000000.0,
        help="Contracts of this amount or more also need the director's approval "
        "(篇四 §5.6). 0: no contract needs it.",
    )
    sales_policy_contract_filing_days = fields.Integer(
        string="File Signed Contracts Within (Days)",
        default=7,
        help="A signed contract not filed by the contract administration within this many "
        "days is flagged daily (篇四 §13.3).",
    )

    @api.constrains(
        "sales_policy_contract_exempt_amount",
        "sales_policy_contract_major_amount",
        "sales_policy_contract_filing_days",
    )
    def _check_sales_policy_contract_settings(self):
        for company in self:
            if (
                company.sales_policy_contract_exempt_amount < 0
                or company.sales_policy_contract_major_amount < 0
                or company.sales_policy_contract_filing_days < 0
            ):
                raise ValidationError(
                    self.env._("The amounts and days of the contract settings cannot be negative.")
                )

    @api.constrains(
        "sales_policy_stale_months",
        "sales_policy_satisfaction_interval",
        "sales_policy_complaint_days",
    )
    def _check_sales_policy_customer_care(self):
        for company in self:
            values = (
                company.sales_policy_stale_months,
                company.sales_policy_satisfaction_interval,
                company.sales_policy_complaint_days,
            )
            if min(values) < 0:
                raise ValidationError(
                    self.env._(
                        "The months and days of the customer care settings cannot be negative."
                    )
                )

    @api.model
    def _sales_policy_default_partner_fields(self):
        """Required customer fields by default: how to reach the customer and where."""
        return (
            self.env["ir.model.fields"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("name", "in", ["phone", "email", "street", "city", "country_id"]),
                ]
            )
            .ids
        )

    @api.model
    def _sales_policy_init_partner_fields(self):
        """At installation: the default required customer fields for every company."""
        companies = self.sudo().search([("sales_policy_partner_field_ids", "=", False)])
        companies.sales_policy_partner_field_ids = self._sales_policy_default_partner_fields()

    def write(self, vals):
        res = super().write(vals)
        if "sales_policy_director_id" in vals:
            self.env["res.users"]._sales_policy_hierarchy_changed()
        return res

    def _sales_policy_demo_load_chart(self, template_code):
        """Demo data: put the company on another chart of accounts (Odoo's ``l10n_cn``).

        Odoo's accounting demo puts the main company on its generic chart in USD before
        our demo data loads. Loading the chart with its demo, as Odoo does when a company
        changes its localization, replaces the company's accounts, taxes, journals and
        accounting demo entries, and sets its currency (CNY for ``cn``). The company's
        pricelists, and the quotations, orders and expenses that Odoo's other demo data
        made before, are moved to the new currency, the lines of the orders given the new
        taxes, as if made after. A company already on the chart is left alone (an update
        of the addons loads this demo file again), and so is a company whose database
        has not the chart's module (``sales_policy`` does not depend on a localization).
        """
        self.ensure_one()
        if self.chart_template == template_code:
            return
        ChartTemplate = self.env["account.chart.template"]
        if not ChartTemplate._get_chart_template_mapping().get(template_code, {}).get("installed"):
            # its module is not installed (setup/run.sh installs l10n_cn first)
            _logger.info(
                "Demo: chart %s not installed, %s keeps its chart", template_code, self.name
            )
            return
        ChartTemplate.try_loading(template_code, self, install_demo=True)
        currency = self.currency_id
        pricelists = (
            self.env["product.pricelist"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.id), ("currency_id", "!=", currency.id)])
        )
        pricelists.currency_id = currency
        orders = self.env["sale.order"].search(
            [("company_id", "=", self.id), ("currency_id", "!=", currency.id)]
        )
        orders.currency_id = currency
        orders.order_line.filtered(lambda line: not line.display_type)._compute_tax_ids()
        expenses = self.env["hr.expense"].search(
            [("company_id", "=", self.id), ("currency_id", "!=", currency.id)]
        )
        expenses.currency_id = currency

    def _sales_policy_demo_apply_vat(self, model, rates):
        """Demo data: give products (``product.product``) or draft invoices
        (``account.move``) the company's sales VAT of Odoo's Chinese chart, ``rates``
        being ``{record id: rate}`` (13 goods, 9 construction, 6 services); the company's
        default sales tax where that chart is not installed."""
        self.ensure_one()
        for record_id, rate in rates.items():
            tax = (
                self.env.ref(
                    f"account.{self.id}_l10n_cn_sales_excluded_{rate}", raise_if_not_found=False
                )
                or self.account_sale_tax_id
            )
            record = self.env[model].browse(record_id)
            if model == "account.move":
                record.invoice_line_ids.tax_ids = tax
            else:
                record.taxes_id = tax
