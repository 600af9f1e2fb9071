from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_policy_credit_overdue_days = fields.Integer(
        related="company_id.sales_policy_credit_overdue_days", readonly=False
    )
    sales_policy_credit_director_amount = fields.Monetary(
        related="company_id.sales_policy_credit_director_amount",
        readonly=False,
        currency_field="currency_id",
    )
    sales_policy_credit_reassess_months = fields.Integer(
        related="company_id.sales_policy_credit_reassess_months", readonly=False
    )
    sales_policy_credit_volume_reference = fields.Monetary(
        related="company_id.sales_policy_credit_volume_reference",
        readonly=False,
        currency_field="currency_id",
    )
    sales_policy_credit_warning_percent = fields.Integer(
        related="company_id.sales_policy_credit_warning_percent", readonly=False
    )
    sales_policy_credit_large_order_factor = fields.Float(
        related="company_id.sales_policy_credit_large_order_factor", readonly=False
    )
    sales_policy_credit_drop_percent = fields.Integer(
        related="company_id.sales_policy_credit_drop_percent", readonly=False
    )
    sales_policy_credit_weight_payment_days = fields.Integer(
        related="company_id.sales_policy_credit_weight_payment_days", readonly=False
    )
    sales_policy_credit_weight_late_share = fields.Integer(
        related="company_id.sales_policy_credit_weight_late_share", readonly=False
    )
    sales_policy_credit_weight_overdue = fields.Integer(
        related="company_id.sales_policy_credit_weight_overdue", readonly=False
    )
    sales_policy_credit_weight_relationship = fields.Integer(
        related="company_id.sales_policy_credit_weight_relationship", readonly=False
    )
    sales_policy_credit_weight_volume = fields.Integer(
        related="company_id.sales_policy_credit_weight_volume", readonly=False
    )
    sales_policy_credit_weight_manual = fields.Integer(
        related="company_id.sales_policy_credit_weight_manual", readonly=False
    )
    sales_policy_credit_grade_a = fields.Integer(
        related="company_id.sales_policy_credit_grade_a", readonly=False
    )
    sales_policy_credit_grade_b = fields.Integer(
        related="company_id.sales_policy_credit_grade_b", readonly=False
    )
    sales_policy_credit_grade_c = fields.Integer(
        related="company_id.sales_policy_credit_grade_c", readonly=False
    )
