from odoo import fields, models

#: The early-warning rules' candidate methods (res.partner and sale.order of this addon).
CREDIT_METHODS = [
    ("_sales_policy_alert_credit_overdue", "Customers with overdue debt (res.partner)"),
    ("_sales_policy_alert_credit_use", "Customers near their credit limit (res.partner)"),
    ("_sales_policy_alert_credit_grade_drop", "Customers whose grade dropped (res.partner)"),
    ("_sales_policy_alert_credit_orders_drop", "Customers ordering much less (res.partner)"),
    ("_sales_policy_alert_credit_large_order", "Orders far above the usual size (sale.order)"),
]


class SalesPolicyAlertRule(models.Model):
    _inherit = "sales.policy.alert.rule"

    candidates_method = fields.Selection(
        selection_add=CREDIT_METHODS, ondelete=dict.fromkeys(dict(CREDIT_METHODS), "set null")
    )
