from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

#: The levels of an approval: the three hierarchy levels (the salesperson's own
#: superior, routed along the chain) and the roles (any member of a group).
APPROVAL_LEVELS = [
    ("supervisor", "Sales Supervisor"),
    ("regional_manager", "Regional Sales Manager"),
    ("director", "Sales Director"),
    ("legal", "Legal Reviewer"),
    ("finance", "Finance"),
    ("contract_admin", "Contract Administrator"),
]
#: The group of each role level (other addons extend :meth:`_role_level_groups`).
ROLE_LEVEL_GROUPS = {
    "legal": "sales_policy.group_legal",
    "finance": "sales_policy.group_finance",
    "contract_admin": "sales_policy.group_contract_admin",
}


class SalesPolicyApproval(models.Model):
    """One level of an approval request (mechanism 2 of the design).

    A record that inherits ``sales.policy.approval.mixin`` asks for approval at one or
    more levels; each level is one of these lines, decided in order. The lines of one
    submission share a ``round``. A line names its approver (a hierarchy level: the
    salesperson's superior) or only a group (a role level, or a hierarchy level with a
    gap in the chain): then any member of the group working for the company decides.
    Four eyes: the requester, the salesperson and whoever decided an earlier level of
    the same round never decide (``excluded_user_ids``). Lines are written only by the
    engine (with sudo): users have read access and nothing else.
    """

    _name = "sales.policy.approval"
    _description = "Approval Step"
    _order = "request_date desc, res_model, res_id, sequence, id"
    _rec_name = "name"

    name = fields.Char(string="Document", readonly=True)
    res_model = fields.Char(string="Model", required=True, index=True, readonly=True)
    document_type = fields.Char(compute="_compute_document_type")
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, index=True, readonly=True
    )
    sequence = fields.Integer(readonly=True)
    round = fields.Integer(
        readonly=True, default=1, help="The submission this step belongs to (1 = the first)."
    )
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
    salesperson_id = fields.Many2one("res.users", readonly=True)
    excluded_user_ids = fields.Many2many(
        "res.users",
        "sales_policy_approval_excluded_rel",
        "approval_id",
        "user_id",
        string="Cannot Decide",
        readonly=True,
        help="Four eyes: the requester, the salesperson and those who decided an earlier "
        "level of the same request.",
    )
    request_date = fields.Datetime(string="Requested On", readonly=True)
    pending_since = fields.Datetime(
        string="Waiting Since",
        readonly=True,
        help="When this level became the one to decide: the submission for the first "
        "level, the previous level's approval for the next ones.",
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Datetime(string="Decided On", readonly=True)
    comment = fields.Text(readonly=True)
    control_id = fields.Many2one("sales.policy.control", readonly=True)
    article = fields.Char(related="control_id.article_id.code")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    activity_ids = fields.Many2many(
        "mail.activity",
        "sales_policy_approval_activity_rel",
        "approval_id",
        "activity_id",
        string="Activities",
        readonly=True,
    )
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")
    # What the approver decides on, read from the document (the inbox's columns).
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_document_summary"
    )
    amount = fields.Monetary(compute="_compute_document_summary", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_document_summary")
    discount = fields.Float(
        string="Largest Discount (%)",
        compute="_compute_document_summary",
        help="The largest line discount of a quotation.",
    )
    levels_remaining = fields.Integer(
        compute="_compute_levels_remaining",
        help="The levels still to decide after this one in the same request.",
    )

    @api.depends("res_model")
    def _compute_document_type(self):
        for approval in self:
            approval.document_type = (
                self.env["ir.model"]._get(approval.res_model).sudo().name
                if approval.res_model
                else False
            )

    @api.depends("res_model", "res_id")
    def _compute_document_summary(self):
        for approval in self:
            document = approval.sudo()._document()
            fields_ = document._fields
            amount_field = next(
                (f for f in ("amount_total", "total_amount", "amount") if f in fields_), None
            )
            partner = document.partner_id if "partner_id" in fields_ else False
            approval.partner_id = partner and partner.commercial_partner_id
            approval.amount = amount_field and document[amount_field]
            currency = document.currency_id if "currency_id" in fields_ else False
            approval.currency_id = (
                currency or approval.company_id.currency_id or self.env.company.currency_id
            )
            approval.discount = "policy_max_discount" in fields_ and document.policy_max_discount

    @api.depends("state", "sequence", "round")
    def _compute_levels_remaining(self):
        open_steps = self.sudo().search(
            [
                ("res_model", "in", list(set(self.mapped("res_model")))),
                ("res_id", "in", list(set(self.mapped("res_id")))),
                ("state", "in", ("waiting", "pending")),
            ]
        )
        for approval in self:
            approval.levels_remaining = len(
                open_steps.filtered(
                    lambda s, a=approval: (
                        (s.res_model, s.res_id, s.round) == (a.res_model, a.res_id, a.round)
                        and s.sequence > a.sequence
                    )
                )
            )

    @api.depends_context("uid")
    def _compute_can_decide(self):
        for approval in self:
            approval.can_decide = approval._can_be_decided_by(self.env.user)

    def _search_can_decide(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        user = self.env.user
        domain = Domain.AND(
            [
                [("state", "=", "pending")],
                [("excluded_user_ids", "not in", [user.id])],
                Domain.OR(
                    [
                        [("approver_id", "=", user.id)],
                        [
                            ("approver_id", "=", False),
                            ("group_id", "in", user.all_group_ids.ids),
                            ("company_id", "in", [False, *user.company_ids.ids]),
                        ],
                    ]
                ),
            ]
        )
        return domain if (operator == "in") == (True in value) else ~domain

    def _can_be_decided_by(self, user):
        """Whether ``user`` may approve or reject this step now."""
        self.ensure_one()
        return self.sudo().state == "pending" and self._is_approver(user)

    def _is_approver(self, user):
        """Whether ``user`` is (one of) the approvers of this step, whatever its state."""
        self.ensure_one()
        step = self.sudo()
        if user in step.excluded_user_ids:
            return False
        if step.approver_id:
            return step.approver_id == user
        return step.group_id in user.all_group_ids and (
            not step.company_id or step.company_id in user.company_ids
        )

    @api.model
    def _level_label(self, level):
        return dict(self._fields["level"]._description_selection(self.env)).get(level, level)

    @api.model
    def _role_level_groups(self):
        """``{level: group xmlid}`` of the role levels."""
        return dict(ROLE_LEVEL_GROUPS)

    def _candidate_approvers(self):
        """Who may decide this step: its approver, or the group's members working for
        the company, four eyes applied."""
        self.ensure_one()
        step = self.sudo()
        if step.approver_id:
            return step.approver_id - step.excluded_user_ids
        return step.group_id.all_user_ids._sales_policy_working_for(
            step.company_id or self.env.company, step.excluded_user_ids
        )

    def _policy_approval_notify(self):
        """Schedule the approvers' activities on the document: the approver's, or one
        per member of a role's group who may decide."""
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).sudo()
        activity_type = record._policy_approval_activity_type(self)
        activities = self.env["mail.activity"]
        if not self.approver_id and self.level not in self._role_level_groups():
            return  # a gap in the chain: the level's group finds it in its inbox
        for user in self._candidate_approvers():
            step = self.with_context(lang=user.lang or self.env.lang)  # in the approver's language
            activities |= record.activity_schedule(
                activity_type,
                user_id=user.id,
                summary=step.env._("Approve %(document)s", document=self.name),
                note=step.env._(
                    "Your approval is requested at level %(level)s (%(article)s).",
                    level=step._level_label(self.level),
                    article=self.article or "",
                ),
            )
        self.sudo().activity_ids = activities

    def _policy_approval_close_activities(self, feedback=None):
        """The decider's activity is done; the others' go."""
        activities = self.sudo().activity_ids.exists()
        mine = activities.filtered(lambda a: a.user_id == self.env.user)
        if mine:
            mine.action_feedback(feedback=feedback or "")
        (activities - mine).exists().unlink()

    def _policy_approval_lock(self):
        """Lock these steps' rows for a decision, without waiting.

        Two approvers of the same level deciding at the same moment: the second one
        finds the row locked and gets a clear message instead of a second decision.
        (When the first decision is already committed, PostgreSQL reports a
        serialization failure instead: the RPC layer retries the call, which then finds
        the step decided.) The step's state is read again after locking.
        """
        if not self:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        tuple(self.ids),
                    )
                )
        except errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "%(document)s is being decided by another approver at this moment. "
                    "Reload it to see their decision.",
                    document=self[:1].sudo().name,
                )
            ) from None
        self.invalidate_recordset()

    def _document(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return self.env["res.partner"].browse()
        return self.env[self.res_model].browse(self.res_id).exists()

    def action_decide(self):
        """Approve or reject the selected steps, with one comment (the inbox)."""
        return self.env["sales.policy.approval.wizard"]._action_open({"approval_ids": self.ids})

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
