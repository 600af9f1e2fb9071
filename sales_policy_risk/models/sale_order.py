from odoo import api, fields, models
from odoo.tools import SQL, format_amount


class SaleOrder(models.Model):
    """The credit gate of the confirmation (篇一 §18, 篇四 §22).

    Confirming an order that would take the customer over its credit limit, or for a
    customer with debt overdue beyond the company's days, or graded D, is refused with
    the figures, unless finance (and the director above the company's amount) approved
    a credit override for this order and this amount. The gate is part of Odoo's
    ``_confirmation_error_message``: every path that confirms passes it (button, RPC,
    state write, portal signature and payment).
    """

    _inherit = "sale.order"

    sales_policy_credit_override_ids = fields.One2many(
        "sales.policy.credit.override", "order_id", string="Credit Overrides"
    )
    sales_policy_credit_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    sales_policy_credit_exposure = fields.Monetary(
        string="Customer's Credit Exposure",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
        help="The customer's unpaid receivables and confirmed orders not yet invoiced, "
        "without this order (company currency).",
    )
    sales_policy_credit_limit = fields.Monetary(
        string="Customer's Credit Limit",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_remaining = fields.Monetary(
        string="Credit Left After This Order",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_overdue = fields.Monetary(
        string="Customer's Overdue Debt",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_grade = fields.Char(
        string="Customer's Credit Grade", compute="_compute_sales_policy_credit"
    )
    sales_policy_credit_warning = fields.Text(
        string="Credit Check", compute="_compute_sales_policy_credit"
    )

    @api.depends("partner_id", "amount_total", "currency_rate", "company_id", "state")
    def _compute_sales_policy_credit(self):
        for company, orders in self.grouped("company_id").items():
            figures = orders.partner_id._sales_policy_credit_figures(company or self.env.company)
            for order in orders:
                figure = figures.get(order.partner_id.commercial_partner_id.id) or {}
                order.sales_policy_credit_exposure = figure.get("exposure", 0.0)
                order.sales_policy_credit_limit = figure.get("limit", 0.0)
                order.sales_policy_credit_remaining = (
                    figure["limit"] - figure["exposure"] - order._sales_policy_credit_amount()
                    if figure.get("limit")
                    else 0.0
                )
                order.sales_policy_credit_overdue = figure.get("overdue", 0.0)
                order.sales_policy_credit_grade = figure.get("grade") or False
                order.sales_policy_credit_warning = (
                    order._sales_policy_credit_problems(figure)
                    if order.state in ("draft", "sent") and figure
                    else False
                ) or False

    # ------------------------------------------------------------------------------
    # The gate
    # ------------------------------------------------------------------------------
    def _confirmation_error_message(self):
        return super()._confirmation_error_message() or self._policy_credit_error()

    def _sales_policy_credit_amount(self):
        """This order's amount in company currency (at the order's rate)."""
        self.ensure_one()
        if self.state == "sale":
            return 0.0  # already in the exposure
        return self.amount_total / (self.currency_rate or 1.0)

    def _sales_policy_credit_problems(self, figure):
        """Why the customer's credit stops this order (a text with the figures), or
        False."""
        self.ensure_one()
        company = self.company_id or self.env.company
        currency = company.currency_id
        amount = self._sales_policy_credit_amount()
        total = figure["exposure"] + amount
        reasons = []
        if figure["limit"] and currency.compare_amounts(total, figure["limit"]) > 0:
            reasons.append(
                self.env._(
                    "the order takes the customer over its credit limit of %(limit)s",
                    limit=format_amount(self.env, figure["limit"], currency),
                )
            )
        days = company.sales_policy_credit_overdue_days
        if days and figure["overdue_days"] > days:
            reasons.append(
                self.env._(
                    "the customer has debt overdue for %(overdue_days)s days (more than %(days)s)",
                    overdue_days=figure["overdue_days"],
                    days=days,
                )
            )
        if figure.get("grade") == "D":
            reasons.append(self.env._("the customer's credit grade is D"))
        if not reasons:
            return False
        return self.env._(
            "Credit check of %(order)s: %(reasons)s. Credit limit %(limit)s, exposure "
            "%(exposure)s (receivables %(receivable)s, orders not invoiced %(to_invoice)s), "
            "this order %(amount)s, overdue %(overdue)s.",
            order=self.display_name,
            reasons="; ".join(reasons),
            limit=format_amount(self.env, figure["limit"], currency)
            if figure["limit"]
            else self.env._("none"),
            exposure=format_amount(self.env, figure["exposure"], currency),
            receivable=format_amount(self.env, figure["receivable"], currency),
            to_invoice=format_amount(self.env, figure["to_invoice"], currency),
            amount=format_amount(self.env, amount, currency),
            overdue=format_amount(self.env, figure["overdue"], currency),
        )

    def _policy_credit_error(self):
        """The credit gate (篇四 §22): the error, or False."""
        self.ensure_one()
        company = self.company_id or self.env.company
        figure = self.partner_id._sales_policy_credit_figures(company).get(
            self.partner_id.commercial_partner_id.id
        )
        problems = figure and self._sales_policy_credit_problems(figure)
        if not problems or self._sales_policy_credit_overridden():
            return False
        return self.env._(
            "%(problems)s Collect first, or ask finance for a credit override of this "
            "order (Credit Override on the order) (%(article)s).",
            problems=problems,
            article=self.env["sales.policy.control"]._cite("credit_gate"),
        )

    def _sales_policy_credit_overridden(self):
        """Whether an approved credit override covers this order at its current amount,
        customer and currency."""
        self.ensure_one()
        return any(
            override._sales_policy_covers(self)
            for override in self.sudo().sales_policy_credit_override_ids
            if override.policy_approval_state == "approved"
        )

    def action_sales_policy_credit_override(self):
        """Open a credit override request for this order (reason required)."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Override"),
            "res_model": "sales.policy.credit.override",
            "view_mode": "form",
            "target": "current",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------------------
    # Early warning: an order far above the customer's usual size
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_alert_credit_large_order(self, rule):
        """Quotations and orders of the last 30 days larger than the company's factor
        times the customer's average confirmed order of the 12 months before (at least
        three orders); counted from the order date. One query."""
        company = rule.company_id
        query = SQL(
            """
            WITH usual AS (
                SELECT partner.commercial_partner_id AS commercial_id, so.company_id,
                       AVG(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS avg
                  FROM sale_order so
                  JOIN res_partner partner ON partner.id = so.partner_id
                 WHERE so.state = 'sale'
                   AND so.date_order >= %(today)s::date - 395
                   AND so.date_order < %(today)s::date - 30
              GROUP BY partner.commercial_partner_id, so.company_id
                HAVING COUNT(*) >= 3
            )
            SELECT so.id AS res_id, so.user_id, so.date_order::date AS since
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN usual ON usual.commercial_id = partner.commercial_partner_id
                        AND usual.company_id = so.company_id
              JOIN res_company company ON company.id = so.company_id
             WHERE so.state IN ('draft', 'sent', 'sale')
               AND so.date_order >= %(today)s::date - 30
               AND so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)
                   > usual.avg * company.sales_policy_credit_large_order_factor
               AND %(company_filter)s
            """,
            company_filter=SQL("so.company_id = %s", company.id) if company else SQL("TRUE"),
            today=rule._alert_today(),
        )
        return rule._restrict_candidates(query)
