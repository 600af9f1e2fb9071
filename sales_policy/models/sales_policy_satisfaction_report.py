from odoo import fields, models
from odoo.tools import SQL


class SalesPolicySatisfactionReport(models.Model):
    """Customer satisfaction, one row per score (篇四 §16, §20, §23).

    The one place that gives satisfaction per customer, order, salesperson and period:
    the scores of the return visits that were done (``sales.policy.return.visit``,
    dated by the visit) and the answers to satisfaction surveys
    (``sales.policy.satisfaction``, dated by the answer), on the same 1–5 scale.
    """

    _name = "sales.policy.satisfaction.report"
    _description = "Customer Satisfaction Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "partner_id"

    source = fields.Selection(
        [("return_visit", "Return Visit"), ("survey", "Satisfaction Survey")], readonly=True
    )
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    score = fields.Float(string="Satisfaction", aggregator="avg", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT visit.id * 2 AS id, 'return_visit' AS source, visit.date AS date,
                   visit.partner_id, visit.order_id, visit.user_id, visit.company_id,
                   visit.score::float AS score
              FROM sales_policy_return_visit visit
             WHERE visit.state = 'done' AND visit.score > 0
            UNION ALL
            SELECT survey.id * 2 + 1, 'survey', survey.date_answered::date,
                   survey.partner_id, survey.order_id, survey.user_id, survey.company_id,
                   survey.score::float
              FROM sales_policy_satisfaction survey
             WHERE survey.state = 'answered' AND survey.score > 0
            """
        )
