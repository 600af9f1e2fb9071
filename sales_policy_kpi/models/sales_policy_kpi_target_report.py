from odoo import fields, models
from odoo.tools import SQL

from .sales_policy_kpi_period_mixin import PERIOD_TYPES
from .sales_policy_kpi_target import LEVELS


class SalesPolicyKpiTargetReport(models.Model):
    """Target vs actual (销售目标完成情况), live, for the pivot and the graph.

    One row per sales target with its scope's actual sales amount over the target's
    period (and product category), computed at query time from the rows of the sales
    amount indicator (:meth:`sales.policy.kpi.indicator._kpi_sales_rows`): one grouped
    query for every target shown, whatever their number. The scope is the target's:
    the salesperson's sales; a team's or a region's current members' and leaders';
    the whole company's. Visibility follows the targets' (record rules).
    """

    _name = "sales.policy.kpi.target.report"
    _description = "Sales Target vs Actual"
    _auto = False
    _order = "date_from desc, level, region_id, team_id, user_id"

    target_id = fields.Many2one("sales.policy.kpi.target", string="Sales Target", readonly=True)
    level = fields.Selection(LEVELS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    region_id = fields.Many2one("sales.policy.region", string="Sales Region", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    period_type = fields.Selection(PERIOD_TYPES, readonly=True)
    period_name = fields.Char(string="Period", readonly=True)
    date_from = fields.Date(string="From", readonly=True)
    date_to = fields.Date(string="To", readonly=True)
    target_amount = fields.Monetary(string="Target", readonly=True)
    actual_amount = fields.Monetary(
        string="Actual",
        readonly=True,
        help="Sales amount of the target's scope in its period (and product category): "
        "untaxed, invoiced, net of credit notes, in company currency.",
    )
    gap_amount = fields.Monetary(
        string="Still to Sell", readonly=True, help="Target minus actual (0 once reached)."
    )
    achievement = fields.Float(
        string="Achievement (%)",
        readonly=True,
        aggregator=False,
        digits=(16, 1),
        help="Actual ÷ target of this target, in % (compare the sums of Target and Actual "
        "for a group).",
    )

    @property
    def _table_query(self):
        Indicator = self.env["sales.policy.kpi.indicator"]
        self.env["sales.policy.kpi.target"].flush_model()
        self.env["crm.team"].flush_model(["user_id", "region_id", "active"])
        self.env["crm.team.member"].flush_model(["user_id", "crm_team_id", "active"])
        return SQL(
            """
            WITH scope_user AS (
                SELECT team.id AS team_id, team.region_id, member.user_id
                  FROM crm_team team
                  JOIN crm_team_member member
                    ON member.crm_team_id = team.id AND member.active
                 WHERE team.active
                 UNION
                SELECT team.id, team.region_id, team.user_id
                  FROM crm_team team
                 WHERE team.active AND team.user_id IS NOT NULL
            ),
            target AS (
                SELECT target.*, categ.parent_path AS categ_path
                  FROM sales_policy_kpi_target target
             LEFT JOIN product_category categ ON categ.id = target.categ_id
            ),
            sales AS (
                SELECT company_id, user_id, date, SUM(amount) AS amount
                  FROM (%(all_rows)s) sales
              GROUP BY company_id, user_id, date
            ),
            target_user AS (
                SELECT id AS target_id, user_id FROM target WHERE level = 'salesperson'
                 UNION
                SELECT target.id, scope_user.user_id
                  FROM target
                  JOIN scope_user ON target.level = 'team' AND scope_user.team_id = target.team_id
                 UNION
                SELECT target.id, scope_user.user_id
                  FROM target
                  JOIN scope_user
                    ON target.level = 'region' AND scope_user.region_id = target.region_id
            ),
            actual AS (
                SELECT target.id, SUM(sales.amount) AS amount
                  FROM target
                  JOIN target_user ON target_user.target_id = target.id
                  JOIN sales
                    ON sales.company_id = target.company_id
                   AND sales.user_id = target_user.user_id
                   AND sales.date BETWEEN target.date_from AND target.date_to
                 WHERE target.categ_id IS NULL
              GROUP BY target.id
                 UNION ALL
                SELECT target.id, SUM(sales.amount)
                  FROM target
                  JOIN sales
                    ON sales.company_id = target.company_id
                   AND sales.date BETWEEN target.date_from AND target.date_to
                 WHERE target.categ_id IS NULL AND target.level = 'company'
              GROUP BY target.id
                 UNION ALL
                SELECT target.id, SUM(line.amount)
                  FROM target
                  JOIN (%(categ_rows)s) line
                    ON line.company_id = target.company_id
                   AND line.date BETWEEN target.date_from AND target.date_to
                   AND line.categ_path LIKE target.categ_path || '%%'
                 WHERE target.categ_id IS NOT NULL
                   AND (target.level = 'company' OR line.user_id IN (
                        SELECT user_id FROM target_user WHERE target_id = target.id))
              GROUP BY target.id
            )
            SELECT target.id, target.id AS target_id, target.level, target.company_id,
                   target.region_id, target.team_id, target.user_id, target.categ_id,
                   target.period_type, target.period_name, target.date_from,
                   target.date_to, target.amount AS target_amount,
                   COALESCE(actual.amount, 0) AS actual_amount,
                   GREATEST(target.amount - COALESCE(actual.amount, 0), 0) AS gap_amount,
                   CASE WHEN target.amount > 0
                        THEN COALESCE(actual.amount, 0) * 100.0 / target.amount
                        ELSE 0 END AS achievement
              FROM target
         LEFT JOIN actual ON actual.id = target.id
            """,
            all_rows=Indicator._kpi_sales_rows(),
            categ_rows=Indicator._kpi_sales_rows(by_category=True),
        )
