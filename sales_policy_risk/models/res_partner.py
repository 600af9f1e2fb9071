from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

CREDIT_GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]


class ResPartner(models.Model):
    """The customer's credit (篇一 §18, 篇四 §22) on Odoo's own credit limit.

    The limit is Odoo's ``credit_limit`` (per company, the company's default limit as
    fallback); the grade is ours. Both change only through an approved credit limit
    request (workflow guard). The figures (exposure, overdue) are computed, never
    stored on the partner, with a few grouped queries per batch
    (:meth:`_sales_policy_credit_figures`).
    """

    _name = "res.partner"
    _inherit = ["res.partner", "sales.policy.workflow.guard"]

    sales_policy_credit_grade = fields.Selection(
        CREDIT_GRADES,
        string="Credit Grade",
        company_dependent=True,
        copy=False,
        help="Set by an approved credit limit request, from the customer's credit "
        "assessment. D: orders are not confirmed without a credit override.",
    )
    sales_policy_credit_manual_score = fields.Integer(
        string="Finance's Judgement (0–100)",
        company_dependent=True,
        copy=False,
        help="Finance's own assessment of the customer (guarantees, reputation, what the "
        "figures do not show), a factor of the credit scorecard. Empty counts as 50.",
    )
    sales_policy_credit_receivable = fields.Monetary(
        string="Unpaid Receivables",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_to_invoice = fields.Monetary(
        string="Orders Not Invoiced",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
        help="Unpaid posted receivables plus confirmed orders not yet invoiced, of the "
        "customer and its contacts, in this company (company currency).",
    )
    sales_policy_credit_limit = fields.Monetary(
        string="Credit Limit (Effective)",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
        help="The customer's credit limit, or the company's default one. 0: no limit.",
    )
    sales_policy_credit_remaining = fields.Monetary(
        string="Remaining Credit",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_sales_policy_credit",
        currency_field="sales_policy_credit_currency_id",
    )
    sales_policy_credit_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)", compute="_compute_sales_policy_credit"
    )
    sales_policy_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_sales_policy_credit"
    )
    sales_policy_credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_sales_policy_credit",
        search="_search_sales_policy_credit_over_limit",
        help="The customer's exposure (unpaid receivables and confirmed orders not yet "
        "invoiced) is above its credit limit in this company (its own, or the company's "
        "default one).",
    )
    sales_policy_credit_assessment_ids = fields.One2many(
        "sales.policy.credit.assessment", "partner_id", string="Credit Assessments"
    )
    sales_policy_credit_assessment_due = fields.Boolean(
        string="Credit Assessment Due",
        compute="_compute_sales_policy_credit_assessment_due",
        search="_search_sales_policy_credit_assessment_due",
        help="Invoiced, and not assessed for the company's number of months.",
    )

    @api.depends_context("company")
    def _compute_sales_policy_credit(self):
        company = self.env.company
        figures = self._sales_policy_credit_figures(company)
        for partner in self:
            figure = figures.get(partner.commercial_partner_id.id) or {}
            partner.update(
                {
                    "sales_policy_credit_currency_id": company.currency_id,
                    "sales_policy_credit_receivable": figure.get("receivable", 0.0),
                    "sales_policy_credit_to_invoice": figure.get("to_invoice", 0.0),
                    "sales_policy_credit_exposure": figure.get("exposure", 0.0),
                    "sales_policy_credit_limit": figure.get("limit", 0.0),
                    "sales_policy_credit_remaining": figure.get("remaining", 0.0),
                    "sales_policy_credit_overdue": figure.get("overdue", 0.0),
                    "sales_policy_credit_overdue_days": figure.get("overdue_days", 0),
                    "sales_policy_credit_over_limit": figure.get("over_limit", False),
                }
            )

    @api.depends_context("company")
    def _compute_sales_policy_credit_assessment_due(self):
        company = self.env.company
        due = self.env["sales.policy.credit.assessment"]._sales_policy_due_partners(company)
        for partner in self:
            partner.sales_policy_credit_assessment_due = partner.commercial_partner_id in due

    def _search_sales_policy_credit_assessment_due(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        due = self.env["sales.policy.credit.assessment"]._sales_policy_due_partners(
            self.env.company
        )
        positive = (operator == "in") == (True in value)
        return [("id", "in" if positive else "not in", due.ids)]

    def _search_sales_policy_credit_over_limit(self, operator, value):
        """Customers (and their contacts) over their credit limit in the current company:
        one grouped subquery (:meth:`_sales_policy_credit_use_sql`) inside the search."""
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = (operator == "in") == (True in value)
        self._sales_policy_credit_flush()
        over_limit = SQL(
            """(SELECT credit_use.commercial_id FROM (%s) AS credit_use
                 WHERE credit_use.exposure > credit_use.credit_limit)""",
            self._sales_policy_credit_use_sql(self.env.company),
        )
        return [("commercial_partner_id", "in" if positive else "not in", over_limit)]

    def action_sales_policy_credit_assess(self):
        """Finance: assess these customers now (a new dated assessment each)."""
        if not self.env.user.has_group("sales_policy.group_finance"):
            raise AccessError(
                self.env._(
                    "Only finance assesses customers' credit (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("credit_assessment"),
                )
            )
        self.check_access("read")
        company = self.env.company
        assessments = self.env["sales.policy.credit.assessment"]._sales_policy_assess(self, company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Assessments"),
            "res_model": "sales.policy.credit.assessment",
            "view_mode": "list,form",
            "domain": [("id", "in", assessments.ids)],
        }

    def action_sales_policy_credit_request(self):
        """Ask for a new credit limit and grade for this customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Limit Request"),
            "res_model": "sales.policy.credit.limit.request",
            "view_mode": "form",
            "target": "current",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # ------------------------------------------------------------------------------
    # Workflow guard: the limit and the grade change through limit requests only
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "credit_limit",
            "use_partner_credit_limit",
            "sales_policy_credit_grade",
        }

    def _policy_guard_field_groups(self):
        return {
            **super()._policy_guard_field_groups(),
            "sales_policy_credit_manual_score": ("sales_policy.group_finance",),
        }

    def _policy_guard_control(self):
        return "credit_limit_request"

    # ------------------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------------------
    def _sales_policy_credit_figures(self, company, today=None):
        """The credit figures of the commercial entities of ``self`` in ``company``, in
        its currency: ``{commercial partner id: {receivable, overdue, overdue_days,
        to_invoice, exposure, limit, remaining, grade}}``. Contacts count for their
        company. Two grouped queries and one read of the limits, whatever the number of
        partners or of their lines."""
        commercial = self.commercial_partner_id
        if not commercial:
            return {}
        today = today or fields.Date.context_today(self)
        figures = {
            partner.id: {"receivable": 0.0, "overdue": 0.0, "overdue_days": 0, "to_invoice": 0.0}
            for partner in commercial
        }
        self._sales_policy_credit_flush()
        for partner_id, debt in commercial._sales_policy_credit_debts(company, today).items():
            figures[partner_id].update(debt)
        self.env.cr.execute(
            SQL(
                "SELECT commercial_id, SUM(amount) FROM (%s) AS orders GROUP BY commercial_id",
                self._sales_policy_to_invoice_sql(company, commercial),
            )
        )
        for partner_id, amount in self.env.cr.fetchall():
            figures[partner_id]["to_invoice"] = max(amount or 0.0, 0.0)
        for partner in commercial.with_company(company):
            figure = figures[partner.id]
            limit = partner.sudo().credit_limit if company.account_use_credit_limit else 0.0
            exposure = figure["receivable"] + figure["to_invoice"]
            figure.update(
                exposure=exposure,
                limit=limit,
                over_limit=bool(limit) and company.currency_id.compare_amounts(exposure, limit) > 0,
                remaining=limit - exposure if limit else 0.0,
                grade=partner.sudo().sales_policy_credit_grade or False,
            )
        return figures

    def _sales_policy_credit_debts(self, company, today):
        """``{commercial partner id: {receivable, overdue, overdue_days}}`` of the
        customers ``self`` (commercial entities, read by id only) with unpaid
        receivables in ``company``: one grouped query. The caller flushes
        (:meth:`_sales_policy_credit_flush`)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT debt.commercial_id, SUM(debt.residual),
                       SUM(debt.residual) FILTER (WHERE debt.due < %(today)s),
                       MAX(%(today)s - debt.due)
                           FILTER (WHERE debt.due < %(today)s AND debt.residual > 0)
                  FROM (%(receivables)s) AS debt
              GROUP BY debt.commercial_id
                """,
                today=today,
                receivables=self._sales_policy_receivables_sql(company, self),
            )
        )
        return {
            partner_id: {
                "receivable": receivable or 0.0,
                "overdue": max(overdue or 0.0, 0.0),
                "overdue_days": overdue_days or 0,
            }
            for partner_id, receivable, overdue, overdue_days in self.env.cr.fetchall()
        }

    @api.model
    def _sales_policy_credit_flush(self):
        """Write what the credit queries read."""
        self.env["account.move.line"].flush_model(
            ["amount_residual", "reconciled", "parent_state", "account_id", "partner_id"]
        )
        self.env["sale.order"].flush_model(["state", "partner_id", "company_id", "currency_rate"])
        self.env["sale.order.line"].flush_model()
        self.flush_model(["commercial_partner_id", "credit_limit", "user_id"])
        self.env["res.company"].flush_model(
            ["account_use_credit_limit", "sales_policy_credit_warning_percent"]
        )
        self.env["ir.default"].flush_model()

    @api.model
    def _sales_policy_receivables_sql(self, company=None, commercial=None):
        """Unpaid posted receivable lines (of ``company`` and the customers
        ``commercial`` when given): ``commercial_id, company_id, residual, due``
        (company currency)."""
        return SQL(
            """
            SELECT partner.commercial_partner_id AS commercial_id, aml.company_id,
                   aml.amount_residual AS residual,
                   COALESCE(aml.date_maturity, aml.date) AS due
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND %s AND %s
            """,
            SQL("aml.company_id = %s", company.id) if company else SQL("TRUE"),
            SQL("partner.commercial_partner_id = ANY(%s)", commercial.ids)
            if commercial
            else SQL("TRUE"),
        )

    @api.model
    def _sales_policy_to_invoice_sql(self, company=None, commercial=None):
        """Confirmed orders not yet invoiced (of ``company`` and the customers
        ``commercial`` when given): ``commercial_id, company_id, amount`` in company
        currency (at the order's rate), tax included: the ordered quantity not yet on
        an invoice, less the down payments invoiced and not yet deducted."""
        return SQL(
            """
            SELECT partner.commercial_partner_id AS commercial_id, amounts.company_id,
                   amounts.amount / COALESCE(NULLIF(amounts.currency_rate, 0), 1) AS amount
              FROM (
                    SELECT so.partner_id, so.company_id, so.currency_rate,
                           sol.price_total * (sol.product_uom_qty - sol.qty_invoiced)
                               / sol.product_uom_qty AS amount
                      FROM sale_order_line sol
                      JOIN sale_order so ON so.id = sol.order_id
                     WHERE so.state = 'sale'
                       AND sol.display_type IS NULL
                       AND NOT COALESCE(sol.is_downpayment, FALSE)
                       AND sol.product_uom_qty > 0
                 UNION ALL
                    SELECT so.partner_id, so.company_id, so.currency_rate,
                           - aml.price_total * CASE WHEN am.move_type = 'out_refund'
                                                    THEN -1 ELSE 1 END
                      FROM sale_order_line sol
                      JOIN sale_order so ON so.id = sol.order_id
                      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE so.state = 'sale'
                       AND sol.is_downpayment
                       AND am.state = 'posted'
                   ) AS amounts
              JOIN res_partner partner ON partner.id = amounts.partner_id
             WHERE %s AND %s
            """,
            SQL("amounts.company_id = %s", company.id) if company else SQL("TRUE"),
            SQL("partner.commercial_partner_id = ANY(%s)", commercial.ids)
            if commercial
            else SQL("TRUE"),
        )

    @api.model
    def _sales_policy_credit_limit_sql(self):
        """The credit limit settings of every company: ``company_id, use_limit,
        default_limit`` (SQL). ``default_limit`` is the company's default credit limit
        (Invoicing settings: the company's ``ir.default`` of ``res.partner.credit_limit``,
        else the global one), the value Odoo's ORM reads for a partner without a limit of
        its own in that company (``Field.get_company_dependent_fallback``); Odoo's
        ``use_partner_credit_limit`` is only whether the partner's own value differs from
        it. A customer's effective limit is :meth:`_sales_policy_credit_limit_expr`."""
        return SQL(
            """
            SELECT company.id AS company_id,
                   COALESCE(company.account_use_credit_limit, FALSE) AS use_limit,
                   COALESCE((
                       SELECT CASE WHEN d.json_value ~ '^-?[0-9.]+([eE][-+]?[0-9]+)?$'
                                   THEN d.json_value::numeric END
                         FROM ir_default d
                         JOIN ir_model_fields f ON f.id = d.field_id
                        WHERE f.model = 'res.partner' AND f.name = 'credit_limit'
                          AND d.condition IS NULL
                          AND (d.user_id IS NULL OR d.user_id = %s)
                          AND (d.company_id IS NULL OR d.company_id = company.id)
                     ORDER BY d.user_id, d.company_id, d.id
                        LIMIT 1), 0) AS default_limit
              FROM res_company company
            OFFSET 0 -- a subquery of its own: the default read once per company
            """,
            SUPERUSER_ID,
        )

    @api.model
    def _sales_policy_credit_limit_expr(self, customer, limits):
        """SQL: the effective credit limit (0: none) of the partner row ``customer`` in
        the company of the row ``limits`` of :meth:`_sales_policy_credit_limit_sql` (table
        aliases): its own ``credit_limit`` in that company, else the company's default,
        and 0 when the company does not use credit limits."""
        return SQL(
            """CASE WHEN %(limits)s.use_limit
                    THEN COALESCE(
                        (%(customer)s.credit_limit ->> %(limits)s.company_id::text)::numeric,
                        %(limits)s.default_limit)
                    ELSE 0 END""",
            customer=SQL.identifier(customer),
            limits=SQL.identifier(limits),
        )

    @api.model
    def _sales_policy_credit_use_sql(self, company=None):
        """Customers with a credit limit and an exposure in a company (of ``company``
        when given): ``commercial_id, company_id, user_id, exposure, credit_limit``
        (company currency). One grouped query over the receivables and the orders not
        invoiced (:meth:`_sales_policy_receivables_sql`,
        :meth:`_sales_policy_to_invoice_sql`), the limits read once per company: the
        list of customers over their limit and the credit-use warning stand on it."""
        return SQL(
            """
            SELECT exposure.commercial_id, exposure.company_id, customer.user_id,
                   exposure.amount AS exposure, %(limit)s AS credit_limit
              FROM (SELECT amounts.commercial_id, amounts.company_id,
                           SUM(amounts.amount) AS amount
                      FROM (SELECT commercial_id, company_id, residual AS amount
                              FROM (%(debt)s) AS debt
                             UNION ALL
                            SELECT commercial_id, company_id, amount
                              FROM (%(orders)s) AS orders) AS amounts
                  GROUP BY amounts.commercial_id, amounts.company_id) AS exposure
              JOIN (%(limits)s) AS limits ON limits.company_id = exposure.company_id
              JOIN res_partner customer ON customer.id = exposure.commercial_id
             WHERE %(limit)s > 0
            """,
            limit=self._sales_policy_credit_limit_expr("customer", "limits"),
            debt=self._sales_policy_receivables_sql(company),
            orders=self._sales_policy_to_invoice_sql(company),
            limits=self._sales_policy_credit_limit_sql(),
        )

    # ------------------------------------------------------------------------------
    # Early warning (风险预警机制, 篇四 §22.4): candidates of the credit alert rules, one
    # SQL query each (columns res_id, user_id, since), joined by the alert engine
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_alert_credit_overdue(self, rule):
        """Customers with unpaid debt, counted from the due date of the oldest (N = days
        overdue); the customer's salesperson is told."""
        query = SQL(
            """
            SELECT debt.commercial_id AS res_id, customer.user_id, MIN(debt.due) AS since
              FROM (%s) AS debt
              JOIN res_partner customer ON customer.id = debt.commercial_id
             WHERE debt.residual > 0
          GROUP BY debt.commercial_id, customer.user_id
            """,
            self._sales_policy_receivables_sql(rule.company_id),
        )
        return rule._restrict_candidates(query)

    @api.model
    def _sales_policy_alert_credit_use(self, rule):
        """Customers whose receivables and confirmed orders not invoiced reach the
        company's warning share of their credit limit in a company (their own, or the
        company's default one; counted from today: N = 0 warns at once)."""
        query = SQL(
            """
            SELECT DISTINCT ON (credit_use.commercial_id)
                   credit_use.commercial_id AS res_id, credit_use.user_id, %(today)s::date AS since
              FROM (%(use)s) AS credit_use
              JOIN res_company company ON company.id = credit_use.company_id
             WHERE credit_use.exposure * 100
                   >= credit_use.credit_limit * company.sales_policy_credit_warning_percent
          ORDER BY credit_use.commercial_id, credit_use.company_id
            """,
            use=self._sales_policy_credit_use_sql(rule.company_id),
            today=rule._alert_today(),
        )
        return rule._restrict_candidates(query)

    @api.model
    def _sales_policy_alert_credit_grade_drop(self, rule):
        """Customers whose latest credit assessment gave a worse grade than the one
        before (counted from the assessment's date)."""
        company = rule.company_id
        query = SQL(
            """
            SELECT latest.partner_id AS res_id, customer.user_id, latest.date AS since
              FROM (SELECT DISTINCT ON (partner_id, company_id) partner_id, date, grade,
                           previous_grade
                      FROM sales_policy_credit_assessment
                     WHERE %s
                  ORDER BY partner_id, company_id, date DESC, id DESC) AS latest
              JOIN res_partner customer ON customer.id = latest.partner_id
             WHERE latest.previous_grade IS NOT NULL AND latest.grade > latest.previous_grade
            """,
            SQL("company_id = %s", company.id) if company else SQL("TRUE"),
        )
        return rule._restrict_candidates(SQL("SELECT DISTINCT ON (res_id) * FROM (%s) q", query))

    @api.model
    def _sales_policy_alert_credit_orders_drop(self, rule):
        """Customers whose confirmed orders of the last 90 days fell by the company's
        share against the 90 days before (counted from today)."""
        company = rule.company_id
        query = SQL(
            """
            SELECT partner.commercial_partner_id AS res_id, customer.user_id,
                   %(today)s::date AS since
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN res_partner customer ON customer.id = partner.commercial_partner_id
              JOIN res_company company ON company.id = so.company_id
             WHERE so.state = 'sale'
               AND so.date_order >= %(today)s::date - 180
               AND %(company_filter)s
          GROUP BY partner.commercial_partner_id, customer.user_id
            HAVING SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                       FILTER (WHERE so.date_order < %(today)s::date - 90) > 0
               AND SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                       FILTER (WHERE so.date_order >= %(today)s::date - 90) * 100
                   <= SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                       FILTER (WHERE so.date_order < %(today)s::date - 90)
                      * (100 - MAX(company.sales_policy_credit_drop_percent))
            """,
            company_filter=SQL("so.company_id = %s", company.id) if company else SQL("TRUE"),
            today=rule._alert_today(),
        )
        return rule._restrict_candidates(query)
