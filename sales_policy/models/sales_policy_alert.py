from odoo import api, fields, models
from odoo.fields import Domain

from .sales_policy_alert_rule import ALERT_LEVELS


class SalesPolicyAlert(models.Model):
    """One alert: a record breaching an alert rule (mechanism 3).

    The daily job keeps at most one open alert per rule and record: it raises the
    alert, escalates it once, and resolves it when the record no longer breaches.
    Alerts are written by the engine only (with ``sudo()``); users read them along
    the sales hierarchy (record rules on the responsible user).
    """

    _name = "sales.policy.alert"
    _description = "Policy Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    rule_id = fields.Many2one(
        "sales.policy.alert.rule",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    record_ref = fields.Reference(
        selection="_selection_record_ref", string="Document", compute="_compute_record_ref"
    )
    name = fields.Char(string="Record", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        readonly=True,
        index=True,
        help="The user responsible for the record (the rule's user field).",
    )
    notify_user_id = fields.Many2one(
        "res.users", string="Notified", readonly=True, help="Who got the activity."
    )
    escalate_user_id = fields.Many2one(
        "res.users", string="Escalated To", readonly=True, help="Who got the escalation."
    )
    date_since = fields.Date(
        string="Counted From", readonly=True, help="The date the rule's days are counted from."
    )
    date_start = fields.Date(string="Raised On", required=True, readonly=True, index=True)
    date_escalated = fields.Date(string="Escalated On", readonly=True)
    date_resolved = fields.Date(string="Resolved On", readonly=True)
    level = fields.Selection(
        ALERT_LEVELS, required=True, readonly=True, help="The level notified last."
    )
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")],
        required=True,
        default="open",
        readonly=True,
        index=True,
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    article = fields.Char(related="rule_id.control_id.article_id.code", string="Article")
    days_open = fields.Integer(compute="_compute_days_open")
    engine_activity_ids = fields.One2many(
        "mail.activity", "sales_policy_alert_id", string="Alert Activities"
    )
    is_my_team = fields.Boolean(
        string="My Team",
        compute="_compute_is_my_team",
        search="_search_is_my_team",
        help="The responsible user is in the teams or regions I lead.",
    )

    _open_uniq = models.UniqueIndex(
        "(rule_id, res_id) WHERE state = 'open'",
        "A record has at most one open alert per rule.",
    )

    @api.model
    def _selection_record_ref(self):
        models_ = (
            self.env["sales.policy.alert.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("model_id", "!=", False)])
            .model_id
        )
        return [(model.model, model.name) for model in models_]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for alert in self:
            if alert.res_model in self.env and alert.res_id:
                alert.record_ref = f"{alert.res_model},{alert.res_id}"
            else:
                alert.record_ref = False

    @api.depends("rule_id.name", "name")
    def _compute_display_name(self):
        for alert in self:
            alert.display_name = f"{alert.rule_id.name}: {alert.name or ''}"

    @api.depends("date_start", "date_resolved")
    def _compute_days_open(self):
        today = fields.Date.today()
        for alert in self:
            end = alert.date_resolved or today
            alert.days_open = (end - alert.date_start).days if alert.date_start else 0

    def _compute_is_my_team(self):
        users = self._my_team_users()
        for alert in self:
            alert.is_my_team = alert.user_id in users

    def _search_is_my_team(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("user_id", "in", self._my_team_users().ids)
        return domain if (operator == "in") == (True in value) else ~domain

    @api.model
    def _my_team_users(self):
        user = self.env.user
        return user.sales_policy_team_user_ids | user.sales_policy_region_user_ids

    def action_open_record(self):
        """Open the watched record."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
