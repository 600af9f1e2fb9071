from odoo import fields, models


class SalesPolicyChangeReason(models.Model):
    """Why a confirmed order is changed or cancelled (订单变更或取消原因, 篇四 §14.4).

    A configurable list: the sales managers maintain it (Sales > Configuration); every
    change or cancellation request of a confirmed order names one of these reasons.
    """

    _name = "sales.policy.change.reason"
    _description = "Order Change Reason"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(string="Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    applies_to = fields.Selection(
        [
            ("change", "Changes"),
            ("cancel", "Cancellations"),
            ("both", "Changes and Cancellations"),
        ],
        required=True,
        default="both",
        help="The kind of request that may use this reason.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to use the reason in every company."
    )
