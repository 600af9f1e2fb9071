from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .res_users import HIERARCHY_LEVELS

LEVEL_ORDER = [level for level, _group in HIERARCHY_LEVELS]


class SalesPolicyApprovalMixin(models.AbstractModel):
    """The approval engine (mechanism 2 of the design).

    A model inherits this mixin (and ``mail.thread`` + ``mail.activity.mixin``) and
    overrides a few hooks:

    * :meth:`_policy_approval_levels` — which levels must approve this record;
    * :meth:`_policy_approval_snapshot` — the approved content: a change of any of it
      voids the approval (back to "to submit", with a chatter note of what changed);
    * :meth:`_policy_approval_salesperson` — whose hierarchy routes the request;
    * :meth:`_policy_approval_control` — the control (article) cited in messages;
    * :meth:`_policy_approval_check_submit` — validation before submission;
    * :meth:`_on_policy_approved` / :meth:`_on_policy_rejected` — what follows a decision;
    * :meth:`_on_policy_next_level` — a level approved, the next one is pending;
    * :meth:`_on_policy_voided` — a change voided the approval.

    The engine routes each level through the salesperson's own chain (with the level's
    group as fallback on a gap), forbids self-approval (the request escalates to the next
    level), decides levels in order, records who/when/decision/comment, schedules the
    approvers' activities and posts the history in the chatter. Approval state is written
    only by the engine: users cannot write it, nor the approval steps, whatever context
    they pass.
    """

    _name = "sales.policy.approval.mixin"
    _inherit = ["sales.policy.workflow.guard"]
    _description = "Sales Policy Approval Mixin"

    policy_approval_state = fields.Selection(
        [
            ("draft", "To Submit"),
            ("pending", "Waiting Approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Approval",
        default="draft",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        index=True,
    )
    policy_approval_ids = fields.One2many(
        "sales.policy.approval",
        "res_id",
        string="Approval Steps",
        domain=lambda self: [("res_model", "=", self._name)],
        copy=False,
        readonly=True,
    )
    policy_approval_snapshot = fields.Json(copy=False, readonly=True)
    policy_approval_can_decide = fields.Boolean(
        string="Can Approve",
        compute="_compute_policy_approval_can_decide",
        search="_search_policy_approval_can_decide",
    )
    policy_approval_pending_level = fields.Selection(
        selection=lambda self: self.env["sales.policy.approval"]._fields["level"].selection,
        string="Pending Level",
        compute="_compute_policy_approval_can_decide",
    )

    @api.depends("policy_approval_ids.state")
    @api.depends_context("uid")
    def _compute_policy_approval_can_decide(self):
        for record in self:
            step = record._policy_approval_pending_step()
            record.policy_approval_can_decide = bool(step) and step._can_be_decided_by(
                self.env.user
            )
            record.policy_approval_pending_level = step.level

    def _search_policy_approval_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        steps = (
            self.env["sales.policy.approval"]
            .sudo()
            .search([("res_model", "=", self._name), ("can_decide", "=", True)])
        )
        in_or_not = "in" if (operator == "=") == value else "not in"
        return [("id", in_or_not, steps.mapped("res_id"))]

    # ------------------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        """The levels (keys of HIERARCHY_LEVELS) that must approve this record."""
        self.ensure_one()
        return ["supervisor"]

    def _policy_approval_snapshot(self):
        """The approved content, as a dict ``{label: value}`` of JSON-able values."""
        self.ensure_one()
        return {}

    def _policy_approval_salesperson(self):
        """The user whose hierarchy routes the approval (default: ``user_id``)."""
        self.ensure_one()
        return self.user_id if "user_id" in self._fields else self.env.user

    def _policy_approval_control(self):
        """Code of the sales.policy.control this approval enforces."""
        return ""

    def _policy_approval_check_submit(self):
        """Raise a UserError when the record may not be submitted yet."""
        self.ensure_one()

    def _policy_approval_describe(self, keys):
        """Human labels of the snapshot ``keys`` that changed (for the chatter note)."""
        return [
            self._fields[key]._description_string(self.env) if key in self._fields else key
            for key in keys
        ]

    def _on_policy_approved(self):
        """Called once the last level approved."""

    def _on_policy_rejected(self):
        """Called when a level rejected."""

    def _on_policy_next_level(self, step):
        """Called when a level approved and ``step`` (the next level) is now pending."""

    def _on_policy_voided(self, changed):
        """Called when a change of the approved fields ``changed`` voided the approval
        (the document is back to "to submit")."""

    # ------------------------------------------------------------------------------
    # CRUD: the engine alone writes approval data
    # ------------------------------------------------------------------------------
    def write(self, vals):
        res = super().write(vals)
        self._policy_approval_recheck()
        return res

    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {
            "policy_approval_state",
            "policy_approval_ids",
            "policy_approval_snapshot",
        }

    def _policy_guard_control(self):
        return self._policy_approval_control()

    def _policy_approval_is_watched(self):
        """Whether changes of the approved content still void the approval."""
        self.ensure_one()
        return True

    def _policy_approval_recheck(self):
        """Void the approval of records whose approved content changed."""
        for record in self:
            if record.policy_approval_state not in ("pending", "approved"):
                continue
            if not record._policy_approval_is_watched():
                continue
            before = record.policy_approval_snapshot or {}
            after = record._policy_approval_snapshot()
            changed = sorted(
                key for key in set(before) | set(after) if before.get(key) != after.get(key)
            )
            if changed:
                record._policy_approval_void(changed)

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_policy_submit(self):
        """Ask for approval: route the required levels and notify the first approver."""
        for record in self:
            record.check_access("write")
            if record.policy_approval_state not in ("draft", "rejected"):
                raise UserError(
                    self.env._(
                        "%(document)s is already submitted for approval.",
                        document=record.display_name,
                    )
                )
            record._policy_approval_check_submit()
            route = record._policy_approval_route(record._policy_approval_levels())
            record._policy_approval_start(route)
        return True

    def action_policy_approve(self):
        """Approve the pending level (as its approver)."""
        for record in self:
            record._policy_approval_decide("approved")
        return True

    def action_policy_decide_wizard(self):
        """Open the decision dialog (approve or reject with a comment)."""
        self.ensure_one()
        decision = self.env.context.get("policy_decision", "approved")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve") if decision == "approved" else self.env._("Reject"),
            "res_model": "sales.policy.approval.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_id": self.id,
                "default_decision": decision,
            },
        }

    # ------------------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------------------
    def _policy_approval_route(self, levels):
        """Resolve ``levels`` to approvers along the salesperson's chain.

        :returns: list of ``(level, approver or empty, group)``, in hierarchy order.
        A level whose superior is the requester or the salesperson escalates to the next
        level; a level with nobody in the chain falls back to the level's group.
        """
        self.ensure_one()
        requester = self.env.user
        salesperson = self._policy_approval_salesperson() or requester
        superiors = dict(salesperson._sales_policy_superiors())
        Step = self.env["sales.policy.approval"]
        wanted = set(levels)
        route = []
        for index, level in enumerate(LEVEL_ORDER):
            if level not in wanted:
                continue
            approver = superiors[level]
            group_xmlid = dict(HIERARCHY_LEVELS)[level]
            group = self.env.ref(group_xmlid)
            holds_level = requester.has_group(group_xmlid) or salesperson.has_group(group_xmlid)
            if (not approver and holds_level) or approver in (requester, salesperson):
                # nobody approves their own request: the next level decides
                if index + 1 < len(LEVEL_ORDER):
                    wanted.add(LEVEL_ORDER[index + 1])
                    continue
                approver = self.env["res.users"]
            if route and approver and route[-1][1] == approver:
                continue  # the same person already approves at the level below
            route.append((level, approver, group))
        for level, approver, group in route:
            if not approver and not (group.all_user_ids - requester - salesperson):
                raise UserError(
                    self.env._(
                        "Nobody can approve %(document)s at the level %(level)s: set up the "
                        "sales hierarchy (teams, regions, director).",
                        document=self.display_name,
                        level=Step._level_label(level),
                    )
                )
        return route

    def _policy_approval_start(self, route):
        self.ensure_one()
        Step = self.env["sales.policy.approval"].sudo()
        control = (
            self.env["sales.policy.control"]
            .sudo()
            .search([("code", "=", self._policy_approval_control())], limit=1)
        )
        now = fields.Datetime.now()
        old = self.sudo().policy_approval_ids.filtered(lambda s: s.state in ("waiting", "pending"))
        old.write({"state": "voided"})
        steps = Step.create(
            [
                {
                    "name": self.display_name,
                    "res_model": self._name,
                    "res_id": self.id,
                    "sequence": sequence,
                    "level": level,
                    "approver_id": approver.id,
                    "group_id": group.id,
                    "state": "pending" if sequence == 0 else "waiting",
                    "requested_by_id": self.env.uid,
                    "request_date": now,
                    "control_id": control.id,
                    "company_id": self.company_id.id if "company_id" in self._fields else False,
                }
                for sequence, (level, approver, group) in enumerate(route)
            ]
        )
        self.sudo().write(
            {
                "policy_approval_state": "pending" if steps else "approved",
                "policy_approval_snapshot": self._policy_approval_snapshot(),
            }
        )
        if not steps:
            self._on_policy_approved()
            return
        self.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Submitted for approval (%(article)s): %(levels)s.",
                article=control.article_id.code or "",
                levels=", ".join(
                    f"{Step._level_label(s.level)} ({s.approver_id.name or s.group_id.name})"
                    for s in steps
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )
        steps[0]._policy_approval_notify()

    def _policy_approval_pending_step(self):
        self.ensure_one()
        return self.sudo().policy_approval_ids.filtered(lambda s: s.state == "pending")[:1]

    def _policy_approval_decide(self, decision, comment=False):
        """Record the current user's decision on the pending level."""
        self.ensure_one()
        step = self._policy_approval_pending_step()
        if not step:
            raise UserError(
                self.env._("%(document)s is not waiting for approval.", document=self.display_name)
            )
        if not step._can_be_decided_by(self.env.user):
            raise AccessError(
                self.env._(
                    "You cannot decide on %(document)s: it waits for %(approver)s.",
                    document=self.display_name,
                    approver=step.approver_id.name or step.group_id.name,
                )
            )
        if decision == "rejected" and not (comment or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))
        step.sudo().write(
            {
                "state": decision,
                "decided_by_id": self.env.uid,
                "decision_date": fields.Datetime.now(),
                "comment": comment,
            }
        )
        if step.activity_id:
            step.activity_id.sudo().action_feedback(feedback=comment or "")
        level = step._level_label(step.level)
        if decision == "approved":
            body = self.env._("Approved at level %(level)s.", level=level)
        else:
            body = self.env._("Rejected at level %(level)s.", level=level)
        if comment:
            body = f"{body} {comment}"
        self.sudo().message_post(
            body=body, subtype_xmlid="mail.mt_note", author_id=self.env.user.partner_id.id
        )
        if decision == "rejected":
            self.sudo().policy_approval_ids.filtered(lambda s: s.state == "waiting").write(
                {"state": "voided"}
            )
            self.sudo().write({"policy_approval_state": "rejected"})
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=step.requested_by_id.id or self.env.uid,
                summary=self.env._("Approval rejected"),
                note=comment,
            )
            self._on_policy_rejected()
            return
        following = self.sudo().policy_approval_ids.filtered(lambda s: s.state == "waiting")
        if following:
            next_step = following.sorted("sequence")[0]
            next_step.write({"state": "pending"})
            next_step._policy_approval_notify()
            self._on_policy_next_level(next_step)
            return
        self.sudo().write({"policy_approval_state": "approved"})
        self._on_policy_approved()

    def _policy_approval_void(self, changed):
        """The approved content changed: back to "to submit", tell the chatter what."""
        self.ensure_one()
        steps = self.sudo().policy_approval_ids.filtered(
            lambda s: s.state in ("waiting", "pending", "approved")
        )
        steps.activity_id.sudo().unlink()
        steps.write({"state": "voided"})
        self.sudo().write({"policy_approval_state": "draft", "policy_approval_snapshot": False})
        self.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Approval voided: %(changes)s changed after submission. Submit it again.",
                changes=", ".join(self._policy_approval_describe(changed)),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._on_policy_voided(changed)
