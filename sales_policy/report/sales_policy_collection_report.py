from odoo import api, fields, models
from odoo.tools import SQL

#: Ageing buckets of the collection report, by days past the due date.
AGEING_BUCKETS = [
    ("current", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
]


class SalesPolicyCollectionReport(models.Model):
    """Receivables ageing for collection (定期向财务部门汇报回款情况, 篇四 §15.3).

    One row per open receivable journal item (posted, not fully reconciled): unpaid
    invoice installments and unapplied customer payments or credit notes, with the
    salesperson who collects it (the invoice's, else the customer's), team, region,
    customer, days past due and ageing bucket as of today (the user's today).

    Amounts are the residual in company currency (``amount_residual``), converted
    to the current company's currency when companies with other currencies are
    selected (the same currency table as Odoo's Invoice Analysis); the residual in
    the document's currency is given for display only.

    A read-only SQL model (``_auto = False``) whose query is built per request
    (``_table_query``): "today" and the currency table depend on the user. Record
    rules follow the sales hierarchy (rep own, supervisor team, regional manager
    region, director / finance all) and the user's companies.
    """

    _name = "sales.policy.collection.report"
    _description = "Collection Ageing Report"
    _auto = False
    _order = "date_maturity, id"
    _rec_name = "move_id"

    _depends = {
        "account.move.line": [
            "move_id",
            "account_id",
            "partner_id",
            "company_id",
            "currency_id",
            "date",
            "date_maturity",
            "balance",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "parent_state",
        ],
        "account.move": ["move_type", "invoice_user_id", "team_id"],
        "res.partner": ["commercial_partner_id", "user_id"],
        "crm.team": ["region_id"],
        "crm.team.member": ["user_id", "crm_team_id", "active"],
    }

    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Type",
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    region_id = fields.Many2one("sales.policy.region", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    document_currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(string="Accounting Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(AGEING_BUCKETS, string="Ageing", readonly=True)
    amount = fields.Monetary(string="Original Amount", readonly=True)
    residual = fields.Monetary(string="Open Amount", readonly=True)
    residual_currency = fields.Monetary(
        string="Open in Document Currency",
        currency_field="document_currency_id",
        readonly=True,
        aggregator=None,
    )
    residual_current = fields.Monetary(string="Not Due", readonly=True)
    residual_1_30 = fields.Monetary(string="1-30", readonly=True)
    residual_31_60 = fields.Monetary(string="31-60", readonly=True)
    residual_61_90 = fields.Monetary(string="61-90", readonly=True)
    residual_90_plus = fields.Monetary(string="90+", readonly=True)
    residual_overdue = fields.Monetary(string="Overdue", readonly=True)

    @property
    def _table_query(self):
        return self._sales_policy_query(fields.Date.context_today(self))

    @api.model
    def _sales_policy_query(self, today):
        """The report's rows as of ``today`` (also used by the benchmark)."""
        currency_table = self.env["res.currency"]._get_simple_currency_table(self.env.companies)
        due = SQL("COALESCE(line.date_maturity, line.date)")
        days = SQL("(%s - %s)", today, due)
        bucket = SQL(
            """CASE WHEN %(days)s <= 0 THEN 'current'
                    WHEN %(days)s <= 30 THEN '1_30'
                    WHEN %(days)s <= 60 THEN '31_60'
                    WHEN %(days)s <= 90 THEN '61_90'
                    ELSE '90_plus' END""",
            days=days,
        )
        residual = SQL("line.amount_residual * account_currency_table.rate")
        columns = [
            SQL(
                "CASE WHEN %s THEN %s ELSE 0 END AS %s",
                condition,
                residual,
                SQL.identifier(name),
            )
            for name, condition in (
                ("residual_current", SQL("%s <= 0", days)),
                ("residual_1_30", SQL("%s BETWEEN 1 AND 30", days)),
                ("residual_31_60", SQL("%s BETWEEN 31 AND 60", days)),
                ("residual_61_90", SQL("%s BETWEEN 61 AND 90", days)),
                ("residual_90_plus", SQL("%s > 90", days)),
                ("residual_overdue", SQL("%s > 0", days)),
            )
        ]
        return SQL(
            """
            SELECT line.id,
                   line.move_id,
                   move.move_type,
                   partner.commercial_partner_id AS partner_id,
                   COALESCE(move.invoice_user_id, customer.user_id) AS user_id,
                   team.id AS team_id,
                   team.region_id,
                   line.company_id,
                   %(currency_id)s AS currency_id,
                   line.currency_id AS document_currency_id,
                   line.date,
                   %(due)s AS date_maturity,
                   GREATEST(%(days)s, 0) AS days_overdue,
                   %(bucket)s AS bucket,
                   line.balance * account_currency_table.rate AS amount,
                   %(residual)s AS residual,
                   line.amount_residual_currency AS residual_currency,
                   %(columns)s
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_move move ON move.id = line.move_id
              JOIN %(currency_table)s ON account_currency_table.company_id = line.company_id
         LEFT JOIN res_partner partner ON partner.id = line.partner_id
         LEFT JOIN res_partner customer ON customer.id = partner.commercial_partner_id
         LEFT JOIN (SELECT DISTINCT ON (member.user_id) member.user_id, member.crm_team_id
                      FROM crm_team_member member
                     WHERE member.active
                  ORDER BY member.user_id, member.id
                   ) member_team
                ON member_team.user_id = COALESCE(move.invoice_user_id, customer.user_id)
         LEFT JOIN crm_team team ON team.id = COALESCE(move.team_id, member_team.crm_team_id)
             WHERE account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND line.reconciled IS NOT TRUE
               AND line.amount_residual != 0
            """,
            currency_id=self.env.company.currency_id.id,
            due=due,
            days=days,
            bucket=bucket,
            residual=residual,
            columns=SQL(", ").join(columns),
            currency_table=currency_table,
        )
