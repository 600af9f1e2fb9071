from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The factors of the credit scorecard and their default weights (%): our choice, the
#: policy names the factors but not their weights (README, "Credit assessment").
SCORECARD_WEIGHTS = {
    "payment_days": 25,
    "late_share": 15,
    "overdue": 25,
    "relationship": 10,
    "volume": 10,
    "manual": 15,
}


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_policy_credit_overdue_days = fields.Integer(
        string="Block Confirmation Beyond (Days Overdue)",
        default=60,
        help="An order of a customer with debt overdue for more than this many days is not "
        "confirmed without a credit override (篇四 §22). 0: overdue debt never blocks.",
    )
    sales_policy_credit_director_amount = fields.Monetary(
        string="Director Approves Limits Above",
        currency_field="currency_id",
        default=1000000.0,
        help="A credit limit request above this amount, and a credit override of an order "
        "above it, also needs the sales director's approval after finance.",
    )
    sales_policy_credit_reassess_months = fields.Integer(
        string="Re-assess Customers Every (Months)",
        default=6,
        help="Customers whose last credit assessment is older than this are due for a new "
        "one; the monthly job assesses them.",
    )
    sales_policy_credit_volume_reference = fields.Monetary(
        string="Volume for a Full Score",
        currency_field="currency_id",
        default=1000000.0,
        help="Invoiced over the last 12 months that earns the full volume score.",
    )
    sales_policy_credit_warning_percent = fields.Integer(
        string="Warn at Credit Use (%)",
        default=90,
        help="Early warning: a customer whose exposure reaches this share of its credit limit.",
    )
    sales_policy_credit_large_order_factor = fields.Float(
        string="Large Order (× Usual Size)",
        default=3.0,
        help="Early warning: an order this many times larger than the customer's average "
        "confirmed order of the last 12 months (at least 3 orders).",
    )
    sales_policy_credit_drop_percent = fields.Integer(
        string="Orders Drop (%)",
        default=50,
        help="Early warning: a customer whose confirmed orders of the last 90 days fell by "
        "at least this share against the 90 days before.",
    )
    sales_policy_credit_weight_payment_days = fields.Integer(
        string="Weight: Average Days Late", default=SCORECARD_WEIGHTS["payment_days"]
    )
    sales_policy_credit_weight_late_share = fields.Integer(
        string="Weight: Share Paid Late", default=SCORECARD_WEIGHTS["late_share"]
    )
    sales_policy_credit_weight_overdue = fields.Integer(
        string="Weight: Current Overdue", default=SCORECARD_WEIGHTS["overdue"]
    )
    sales_policy_credit_weight_relationship = fields.Integer(
        string="Weight: Relationship Length", default=SCORECARD_WEIGHTS["relationship"]
    )
    sales_policy_credit_weight_volume = fields.Integer(
        string="Weight: Volume", default=SCORECARD_WEIGHTS["volume"]
    )
    sales_policy_credit_weight_manual = fields.Integer(
        string="Weight: Finance's Judgement", default=SCORECARD_WEIGHTS["manual"]
    )
    sales_policy_credit_grade_a = fields.Integer(
        string="Grade A From (Score)", default=80, help="Scores from this value up: grade A."
    )
    sales_policy_credit_grade_b = fields.Integer(string="Grade B From (Score)", default=60)
    sales_policy_credit_grade_c = fields.Integer(string="Grade C From (Score)", default=40)

    @api.constrains(lambda self: [f"sales_policy_credit_weight_{key}" for key in SCORECARD_WEIGHTS])
    def _check_sales_policy_credit_weights(self):
        for company in self:
            weights = company._sales_policy_credit_weights()
            if any(weight < 0 for weight in weights.values()) or sum(weights.values()) != 100:
                raise ValidationError(
                    self.env._(
                        "The weights of the credit scorecard are percentages of the score: "
                        "none negative, together 100 (now %(total)s).",
                        total=sum(weights.values()),
                    )
                )

    @api.constrains(
        "sales_policy_credit_grade_a",
        "sales_policy_credit_grade_b",
        "sales_policy_credit_grade_c",
        "sales_policy_credit_overdue_days",
        "sales_policy_credit_reassess_months",
        "sales_policy_credit_director_amount",
        "sales_policy_credit_volume_reference",
        "sales_policy_credit_warning_percent",
        "sales_policy_credit_large_order_factor",
        "sales_policy_credit_drop_percent",
    )
    def _check_sales_policy_credit_settings(self):
        for company in self:
            if not (
                100
                >= company.sales_policy_credit_grade_a
                > company.sales_policy_credit_grade_b
                > company.sales_policy_credit_grade_c
                > 0
            ):
                raise ValidationError(
                    self.env._("Credit grade thresholds go down from A to C, between 0 and 100.")
                )
            if (
                company.sales_policy_credit_overdue_days < 0
                or company.sales_policy_credit_reassess_months < 1
                or company.sales_policy_credit_director_amount < 0
                or company.sales_policy_credit_volume_reference <= 0
                or not 0 < company.sales_policy_credit_warning_percent <= 100
                or company.sales_policy_credit_large_order_factor <= 1
                or not 0 < company.sales_policy_credit_drop_percent <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Credit settings: overdue days and amounts cannot be negative, the "
                        "volume for a full score is positive, customers are re-assessed "
                        "at least every month, percentages are between 1 and 100 and a "
                        "large order is more than once the usual size."
                    )
                )

    def _sales_policy_credit_weights(self):
        self.ensure_one()
        return {key: self[f"sales_policy_credit_weight_{key}"] for key in SCORECARD_WEIGHTS}

    def _sales_policy_credit_grade(self, score):
        """The grade (A–D) of a scorecard ``score`` (0–100)."""
        self.ensure_one()
        if score >= self.sales_policy_credit_grade_a:
            return "A"
        if score >= self.sales_policy_credit_grade_b:
            return "B"
        if score >= self.sales_policy_credit_grade_c:
            return "C"
        return "D"
