from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesPolicyCustomerClass(models.Model):
    """A class of customers (A/B/C…) and how often they must be visited.

    Important customers are visited regularly (定期拜访重要客户, 篇四 §10.4): the class
    of a customer sets the maximum number of days between two visits; the daily alert
    ``visit_frequency`` reminds the salesperson of the customers overdue for a visit.
    """

    _name = "sales.policy.customer.class"
    _description = "Customer Class"
    _order = "sequence, code, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code shown on customers, e.g. A, B, C.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    max_days_between_visits = fields.Integer(
        string="Max. Days Between Visits",
        help="A customer of this class not visited for more days than this is overdue for "
        "a visit. 0 means no visit frequency is required.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the class in every company."
    )
    description = fields.Text(translate=True)
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))", "The code of a customer class must be unique."
    )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("sales_policy_customer_class_id", "in", self.ids), ("parent_id", "=", False)],
                ["sales_policy_customer_class_id"],
                ["__count"],
            )
        )
        for customer_class in self:
            customer_class.partner_count = counts.get(customer_class, 0)

    @api.constrains("max_days_between_visits")
    def _check_max_days_between_visits(self):
        for customer_class in self:
            if customer_class.max_days_between_visits < 0:
                raise ValidationError(
                    self.env._(
                        "The maximum number of days between visits of the class %(name)s "
                        "cannot be negative.",
                        name=customer_class.display_name,
                    )
                )

    def _compute_display_name(self):
        for customer_class in self:
            customer_class.display_name = (
                f"{customer_class.code} - {customer_class.name}"
                if customer_class.code and customer_class.name
                else customer_class.name or customer_class.code or ""
            )

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("sales_policy_customer_class_id", "=", self.id)],
            "context": {"default_sales_policy_customer_class_id": self.id},
        }
