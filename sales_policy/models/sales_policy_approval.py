from odoo import api, fields, models

APPROVAL_LEVELS = [
    ("supervisor", "Sales Supervisor"),
    ("regional_manager", "Regional Sales Manager"),
    ("director", "Sales Director"),
]


class SalesPolicyApproval(models.Model):
    """One level of an approval request (mechanism 2 of the design).

    A record that inherits ``sales.policy.approval.mixin`` asks for approval at one or
    more levels; each level is one of these lines, decided in order. Lines are written
    only by the engine (with sudo): users have read access and nothing else.
    """

    _name = "sales.policy.approval"
    _description = "Approval Step"
    _order = "request_date desc, res_model, res_id, sequence, id"
    _rec_name = "name"

    name = fields.Char(string="Document", readonly=True)
    res_model = fields.Char(string="Model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, index=True, readonly=True
    )
    sequence = fields.Integer(readonly=True)
    level = fields.Selection(APPROVAL_LEVELS, required=True, readonly=True)
    approver_id = fields.Many2one(
        "res.users",
        readonly=True,
        index=True,
        help="The salesperson's superior at this level. Empty when the chain has a gap: "
        "then any member of the level's group (but the requester) may decide.",
    )
    group_id = fields.Many2one("res.groups", string="Approver Group", readonly=True)
    state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pending", "To Approve"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("voided", "Voided"),
        ],
        required=True,
        default="waiting",
        readonly=True,
        index=True,
    )
    requested_by_id = fields.Many2one("res.users", readonly=True)
    request_date = fields.Datetime(string="Requested On", readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Datetime(string="Decided On", readonly=True)
    comment = fields.Text(readonly=True)
    control_id = fields.Many2one("sales.policy.control", readonly=True)
    article = fields.Char(related="control_id.article_id.code")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")

    @api.depends_context("uid")
    def _compute_can_decide(self):
        for approval in self:
            approval.can_decide = approval._can_be_decided_by(self.env.user)

    def _search_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        user = self.env.user
        domain = [
            ("state", "=", "pending"),
            "|",
            ("approver_id", "=", user.id),
            "&",
            "&",
            ("approver_id", "=", False),
            ("group_id", "in", user.all_group_ids.ids),
            ("requested_by_id", "!=", user.id),
        ]
        if (operator == "=") != value:
            return ["!", *domain]
        return domain

    def _can_be_decided_by(self, user):
        """Whether ``user`` may approve or reject this step now."""
        self.ensure_one()
        if self.state != "pending":
            return False
        if self.approver_id:
            return self.approver_id == user
        return user != self.requested_by_id and self.group_id in user.all_group_ids

    @api.model
    def _level_label(self, level):
        return dict(self._fields["level"]._description_selection(self.env)).get(level, level)

    def _policy_approval_notify(self):
        """Schedule the approver's activity on the document (none for a group step)."""
        self.ensure_one()
        if not self.approver_id:
            return
        record = self.env[self.res_model].browse(self.res_id)
        activity = record.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self.approver_id.id,
            summary=self.env._("Approve %(document)s", document=self.name),
            note=self.env._(
                "Your approval is requested at level %(level)s (%(article)s).",
                level=self._level_label(self.level),
                article=self.article or "",
            ),
        )
        self.sudo().activity_id = activity

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
