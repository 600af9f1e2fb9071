from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    sales_policy_alert_id = fields.Many2one(
        "sales.policy.alert",
        string="Policy Alert",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="The alert that created this activity; it is removed when the alert is resolved.",
    )
