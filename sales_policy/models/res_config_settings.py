from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_policy_director_id = fields.Many2one(
        related="company_id.sales_policy_director_id", readonly=False
    )
    sales_policy_lead_follow_up_days = fields.Integer(
        string="Lead Follow-up Days",
        compute="_compute_sales_policy_lead_follow_up_days",
        inverse="_inverse_sales_policy_lead_follow_up_days",
        readonly=False,
        help="An assigned lead without contact for more than this many days is flagged "
        "(the days of the lead follow-up alert rule, 篇四 §9).",
    )
    sales_policy_expense_over_budget = fields.Selection(
        related="company_id.sales_policy_expense_over_budget", readonly=False
    )
    sales_policy_partner_field_ids = fields.Many2many(
        related="company_id.sales_policy_partner_field_ids", readonly=False
    )
    sales_policy_partner_required_enforce = fields.Boolean(
        related="company_id.sales_policy_partner_required_enforce", readonly=False
    )
    sales_policy_stale_months = fields.Integer(
        related="company_id.sales_policy_stale_months", readonly=False
    )
    sales_policy_satisfaction_interval = fields.Integer(
        related="company_id.sales_policy_satisfaction_interval", readonly=False
    )
    sales_policy_complaint_days = fields.Integer(
        related="company_id.sales_policy_complaint_days", readonly=False
    )
    sales_policy_bad_debt_days = fields.Integer(
        related="company_id.sales_policy_bad_debt_days", readonly=False
    )
    sales_policy_contract_exempt_amount = fields.Monetary(
        related="company_id.sales_policy_contract_exempt_amount",
        currency_field="currency_id",
        readonly=False,
    )
    sales_policy_contract_major_amount = fields.Monetary(
        related="company_id.sales_policy_contract_major_amount",
        currency_field="currency_id",
        readonly=False,
    )
    sales_policy_contract_filing_days = fields.Integer(
        related="company_id.sales_policy_contract_filing_days", readonly=False
    )

    def _compute_sales_policy_lead_follow_up_days(self):
        rule = self.env["crm.lead"]._sales_policy_follow_up_rule()
        self.sales_policy_lead_follow_up_days = rule.days

    def _inverse_sales_policy_lead_follow_up_days(self):
        # the settings are for administrators only; the rule is the storage
        rule = self.env["crm.lead"]._sales_policy_follow_up_rule()
        for settings in self:
            if rule and rule.days != settings.sales_policy_lead_follow_up_days:
                rule.days = settings.sales_policy_lead_follow_up_days
