from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .res_partner import CREDIT_GRADES

#: How each factor becomes a score of 0–100 (our choice; README "Credit assessment"):
#: a payment 60 days late on average scores 0, debt overdue for 90 days scores 0, a
#: relationship of 3 years scores 100, the company's reference volume scores 100.
DAYS_LATE_ZERO = 60
OVERDUE_DAYS_ZERO = 90
RELATIONSHIP_MONTHS_FULL = 36
#: Suggested limit: this many months of the customer's average monthly invoicing.
SUGGESTED_MONTHS = {"A": 3, "B": 2, "C": 1, "D": 0}


class SalesPolicyCreditAssessment(models.Model):
    """A dated credit assessment of a customer (客户信用评估, 篇一 §18, 篇四 §22).

    The scorecard reads the customer's payment history over the last 12 months
    (average days late, share paid late), its current overdue debt, the length of the
    relationship, its volume, and finance's own judgement; weights and grade thresholds
    are company settings. The result is a grade (A–D) and a suggested limit; assessments
    are kept (the history) and the customer's limit and grade change only through a
    credit limit request. :meth:`_sales_policy_assess` assesses any number of customers
    with a constant number of grouped queries.
    """

    _name = "sales.policy.credit.assessment"
    _description = "Credit Assessment"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True, index=True)
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        help="Over the last 12 months, the days between the due date and the payment of "
        "the customer's invoices, weighted by amount.",
    )
    late_share = fields.Float(
        string="Share Paid Late (%)",
        readonly=True,
        help="Over the last 12 months, the share of the amounts paid after their due date.",
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    overdue_days = fields.Integer(string="Oldest Overdue (Days)", readonly=True)
    relationship_months = fields.Integer(
        string="Customer For (Months)", readonly=True, help="Since the first invoice."
    )
    volume = fields.Monetary(
        string="Invoiced (12 Months)", readonly=True, help="Net of credit notes."
    )
    manual_score = fields.Integer(string="Finance's Judgement", readonly=True)
    score = fields.Float(readonly=True, aggregator="avg")
    grade = fields.Selection(CREDIT_GRADES, readonly=True, index=True)
    previous_grade = fields.Selection(CREDIT_GRADES, readonly=True)
    suggested_limit = fields.Monetary(readonly=True)
    # where the customer sat when assessed: the credit dashboard groups by them
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, index="btree_not_null"
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    region_id = fields.Many2one("sales.policy.region", readonly=True)
    is_latest = fields.Boolean(
        string="Latest",
        readonly=True,
        index=True,
        copy=False,
        help="The customer's latest assessment in the company (the credit dashboard).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        assessments = super().create(vals_list)
        self._sales_policy_refresh_latest(assessments.partner_id)
        return assessments

    @api.model
    def _sales_policy_refresh_latest(self, partners=None):
        """Flag the latest assessment of each customer (of ``partners``, else all) and
        company, unflag the others: one query."""
        self.flush_model(["partner_id", "company_id", "date", "is_latest"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE sales_policy_credit_assessment assessment
                   SET is_latest = (assessment.id = latest.id)
                  FROM (SELECT DISTINCT ON (partner_id, company_id) id, partner_id, company_id
                          FROM sales_policy_credit_assessment
                         WHERE %s
                      ORDER BY partner_id, company_id, date DESC, id DESC) AS latest
                 WHERE assessment.partner_id = latest.partner_id
                   AND assessment.company_id = latest.company_id
                   AND assessment.is_latest IS DISTINCT FROM (assessment.id = latest.id)
                """,
                SQL("partner_id = ANY(%s)", partners.ids) if partners is not None else SQL("TRUE"),
            )
        )
        self.invalidate_model(["is_latest"])

    # ------------------------------------------------------------------------------
    # The assessment
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_assess(self, partners, company, today=None):
        """Assess the commercial entities of ``partners`` in ``company`` today: one new
        assessment each. A constant number of queries whatever their number: the
        grouped queries of the scorecard, then one INSERT of every assessment."""
        customers = self._sales_policy_assessed_customers(partners, company)
        if not customers:
            return self.browse()
        today = today or fields.Date.context_today(self)
        since = today - relativedelta(months=12)
        commercial = self.env["res.partner"].browse(customers)  # ids only: nothing read
        commercial._sales_policy_credit_flush()
        salespeople = {user_id for user_id, _manual in customers.values() if user_id}
        data = {
            "history": self._sales_policy_payment_history(commercial, company, since),
            "invoicing": self._sales_policy_invoicing(commercial, company, since),
            "debts": commercial._sales_policy_credit_debts(company, today),
            "previous": self._sales_policy_latest_grades(commercial, company),
            "weights": company._sales_policy_credit_weights(),
            "places": self._sales_policy_places(self.env["res.users"].browse(salespeople)),
        }
        vals_list = [
            self._sales_policy_assessment_vals(partner_id, user_id, manual, company, today, data)
            for partner_id, (user_id, manual) in customers.items()
        ]
        return self._sales_policy_insert(vals_list, commercial)

    @api.model
    def _sales_policy_assessed_customers(self, partners, company):
        """``{commercial partner id: (salesperson id, finance's manual score in
        company)}`` of the commercial entities of ``partners``: one query."""
        if not partners:
            return {}
        Partner = self.env["res.partner"].sudo().with_company(company)
        Partner.flush_model(
            ["commercial_partner_id", "user_id", "sales_policy_credit_manual_score"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT commercial.id, commercial.user_id, %(manual)s
                  FROM res_partner partner
                  JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
                 WHERE partner.id = ANY(%(partners)s)
              ORDER BY commercial.id
                """,
                manual=Partner._field_to_sql("commercial", "sales_policy_credit_manual_score"),
                partners=partners.ids,
            )
        )
        return {
            partner_id: (user_id, manual or 0)
            for partner_id, user_id, manual in self.env.cr.fetchall()
        }

    @api.model
    def _sales_policy_assessment_vals(self, partner_id, user_id, manual, company, today, data):
        """The values of the assessment of the customer ``partner_id`` (salesperson
        ``user_id``, finance's score ``manual``) from ``data``: the scorecard's grouped
        figures of every customer assessed (:meth:`_sales_policy_assess`). Pure Python:
        extend it to add a factor or a field."""
        days_late, late_share = data["history"].get(partner_id, (0.0, 0.0))
        first_date, volume = data["invoicing"].get(partner_id, (None, 0.0))
        debt = data["debts"].get(partner_id, {"overdue": 0.0, "overdue_days": 0})
        months = (
            (today.year - first_date.year) * 12 + today.month - first_date.month
            if first_date
            else 0
        )
        factors = {
            "payment_days": max(0.0, 100.0 - 100.0 * days_late / DAYS_LATE_ZERO),
            "late_share": 100.0 * (1.0 - late_share),
            "overdue": max(0.0, 100.0 - 100.0 * debt["overdue_days"] / OVERDUE_DAYS_ZERO),
            "relationship": min(100.0, 100.0 * months / RELATIONSHIP_MONTHS_FULL),
            "volume": min(
                100.0, 100.0 * max(volume, 0.0) / company.sales_policy_credit_volume_reference
            ),
            "manual": float(manual) if manual else 50.0,
        }
        weights = data["weights"]
        score = sum(factors[key] * weights[key] for key in weights) / 100.0
        grade = company._sales_policy_credit_grade(score)
        currency = company.currency_id
        return {
            "partner_id": partner_id,
            "company_id": company.id,
            "date": today,
            "avg_days_late": days_late,
            "late_share": 100.0 * late_share,
            "overdue_amount": currency.round(debt["overdue"]),
            "overdue_days": debt["overdue_days"],
            "relationship_months": months,
            "volume": currency.round(volume),
            "manual_score": manual,
            "score": round(score, 2),
            "grade": grade,
            "previous_grade": data["previous"].get(partner_id, False),
            "user_id": False,
            "team_id": False,
            "region_id": False,
            **data["places"].get(user_id, {}),
            "suggested_limit": currency.round(max(volume, 0.0) / 12.0 * SUGGESTED_MONTHS[grade]),
        }

    @api.model
    def _sales_policy_insert(self, vals_list, partners):
        """Insert the assessments ``vals_list`` (stored, non-computed fields only, the
        same keys in each) with one INSERT (:meth:`_sales_policy_bulk_insert`), flag the
        latest of ``partners`` (:meth:`_sales_policy_refresh_latest`, what :meth:`create`
        does) and return them (sudo). The assessments are read-only facts: no
        constraint, no computed stored field, no chatter."""
        # inserted as the latest (they are, unless one is dated later): the refresh then
        # only unflags the previous ones instead of rewriting every new row
        assessments = self.sudo()._sales_policy_bulk_insert(
            [{**vals, "is_latest": True} for vals in vals_list]
        )
        self.invalidate_model()
        self._sales_policy_refresh_latest(partners)
        return assessments

    @api.model
    def _sales_policy_places(self, users):
        """``{user id: {user_id, team_id, region_id}}``: each salesperson's team and
        region (the hierarchy API), once per salesperson."""
        places = {}
        for user in users:
            team = user._sales_policy_team()
            places[user.id] = {
                "user_id": user.id,
                "team_id": team.id,
                "region_id": user._sales_policy_region().id,
            }
        return places

    @api.model
    def _sales_policy_payment_history(self, commercial, company, since):
        """``{partner id: (average days late, share paid late 0–1)}`` of the payments
        (reconciliations) of the customers' receivables since ``since``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT partner.commercial_partner_id,
                       SUM(apr.amount * GREATEST(apr.max_date
                           - COALESCE(aml.date_maturity, aml.date), 0))
                           / NULLIF(SUM(apr.amount), 0),
                       SUM(apr.amount) FILTER (WHERE apr.max_date
                           > COALESCE(aml.date_maturity, aml.date))
                           / NULLIF(SUM(apr.amount), 0)
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE partner.commercial_partner_id = ANY(%(partners)s)
                   AND aml.company_id = %(company)s
                   AND account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND apr.max_date >= %(since)s
              GROUP BY partner.commercial_partner_id
                """,
                partners=commercial.ids,
                company=company.id,
                since=since,
            )
        )
        return {
            partner_id: (float(days or 0.0), float(share or 0.0))
            for partner_id, days, share in self.env.cr.fetchall()
        }

    @api.model
    def _sales_policy_invoicing(self, commercial, company, since):
        """``{partner id: (first invoice date, invoiced since ``since`` net of credit
        notes, company currency)}``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT move.commercial_partner_id,
                       MIN(move.invoice_date),
                       SUM(move.amount_untaxed_signed) FILTER (WHERE move.invoice_date >= %(since)s)
                  FROM account_move move
                 WHERE move.commercial_partner_id = ANY(%(partners)s)
                   AND move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
              GROUP BY move.commercial_partner_id
                """,
                partners=commercial.ids,
                company=company.id,
                since=since,
            )
        )
        return {
            partner_id: (first, float(volume or 0.0))
            for partner_id, first, volume in self.env.cr.fetchall()
        }

    @api.model
    def _sales_policy_latest(self, partners, companies):
        """``{(partner id, company id): latest assessment}`` (one query)."""
        if not partners or not companies:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id, company_id) id
                  FROM sales_policy_credit_assessment
                 WHERE partner_id = ANY(%(partners)s) AND company_id = ANY(%(companies)s)
              ORDER BY partner_id, company_id, date DESC, id DESC
                """,
                partners=partners.ids,
                companies=companies.ids,
            )
        )
        latest = self.browse([row[0] for row in self.env.cr.fetchall()])
        return {(a.partner_id.id, a.company_id.id): a for a in latest}

    @api.model
    def _sales_policy_latest_grades(self, partners, company):
        """``{partner id: grade}`` of the latest assessment of ``partners`` in
        ``company`` (one query, nothing read through the ORM)."""
        self.flush_model(["partner_id", "company_id", "date", "grade"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, grade
                  FROM sales_policy_credit_assessment
                 WHERE partner_id = ANY(%(partners)s) AND company_id = %(company)s
              ORDER BY partner_id, date DESC, id DESC
                """,
                partners=partners.ids,
                company=company.id,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _sales_policy_due_partners(self, company, today=None):
        """Customers of ``company`` due for an assessment: invoiced at least once and
        not assessed for the company's number of months."""
        today = today or fields.Date.context_today(self)
        limit_date = today - relativedelta(months=company.sales_policy_credit_reassess_months)
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT move.commercial_partner_id
                  FROM account_move move
                 WHERE move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type = 'out_invoice'
                   AND NOT EXISTS (
                       SELECT 1 FROM sales_policy_credit_assessment a
                        WHERE a.partner_id = move.commercial_partner_id
                          AND a.company_id = %(company)s
                          AND a.date > %(limit_date)s)
                """,
                company=company.id,
                limit_date=limit_date,
            )
        )
        return self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_sales_policy_assess(self):
        """Monthly: assess the customers due, company by company."""
        for company in self.env["res.company"].search([("active", "=", True)]):
            due = self._sales_policy_due_partners(company)
            self.with_company(company)._sales_policy_assess(due, company)

    def action_request_limit(self):
        """Ask for the suggested limit and grade (a credit limit request, prefilled)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Limit Request"),
            "res_model": "sales.policy.credit.limit.request",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_new_limit": self.suggested_limit,
                "default_new_grade": self.grade,
            },
        }
