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
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._policy_approval_steps_domain([("can_decide", "=", True)])
        return domain if (operator == "in") == (True in value) else ["!", *domain]

    @api.model
    def _policy_approval_steps_domain(self, step_domain):
        """Domain of the records with an approval step matching ``step_domain`` (one
        subquery, no ids in Python)."""
        steps = (
            self.env["sales.policy.approval"]
            .sudo()
            ._search([("res_model", "=", self._name), *step_domain])
        )
        return [("id", "in", steps.subselect("res_id"))]

    # ------------------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        """The levels that must approve this record, in the order they decide: hierarchy
        levels (``supervisor``, ``regional_manager``, ``director``: the salesperson's own
        superior) and role levels (``legal``, ``finance``, ``contract_admin``, …: any
        member of the role's group, see ``sales.policy.approval._role_level_groups``)."""
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

    def _policy_approval_activity_type(self, step):
        """The activity type (xmlid) of the approvers' activities for ``step``."""
        return "mail.mail_activity_data_todo"

    def _on_policy_submitted(self):
        """Called once submitted (the steps exist; the first one is pending)."""

    def _on_policy_approved(self):
        """Called once the last level approved."""

    def _on_policy_rejected(self):
        """Called when a level rejected."""

    def _on_policy_next_level(self, step):
        """Called when a level approved and ``step`` (the next level) is now pending
        (``step.sequence - 1`` is the level that approved)."""

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
        return self.env["sales.policy.approval.wizard"]._action_open(
            {"res_model": self._name, "res_id": self.id}
        )

    # ------------------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------------------
    def _policy_approval_route(self, levels, strict=True):
        """Resolve ``levels`` to steps, in the order of ``levels``.

        :returns: list of ``(level, approver or empty, group)``. A hierarchy level goes
        to the salesperson's superior at that level; one whose superior is the requester
        or the salesperson escalates to the next hierarchy level; a gap in the chain
        falls back to the level's group. A role level goes to its group. With
        ``strict``, a level nobody may decide (four eyes applied) is an error.
        """
        self.ensure_one()
        requester = self.env.user
        salesperson = self._policy_approval_salesperson() or requester
        Step = self.env["sales.policy.approval"]
        hierarchy = self._policy_approval_route_hierarchy(
            [level for level in levels if level in LEVEL_ORDER], requester, salesperson
        )
        roles = Step._role_level_groups()
        route = []
        for level in levels:
            if level in roles:
                route.append((level, self.env["res.users"], self.env.ref(roles[level])))
                continue
            for origin, step_level, approver, group in hierarchy:
                if origin != level:
                    continue
                if approver and any(approver == named for _l, named, _g in route):
                    continue  # the same person already approves an earlier level
                route.append((step_level, approver, group))
        if strict:
            self._policy_approval_check_route(route, requester | salesperson)
        return route

    def _policy_approval_route_hierarchy(self, levels, requester, salesperson):
        """The hierarchy part of a route: ``(requested level, level, approver, group)``
        along the salesperson's chain, escalating past the requester and the
        salesperson."""
        superiors = dict(salesperson._sales_policy_superiors())
        groups = dict(HIERARCHY_LEVELS)
        origins = {level: level for level in levels}
        result = []
        for index, level in enumerate(LEVEL_ORDER):
            if level not in origins:
                continue
            approver = superiors[level]
            holds_level = requester.has_group(groups[level]) or salesperson.has_group(groups[level])
            if (not approver and holds_level) or approver in (requester, salesperson):
                # nobody approves their own request: the next level decides
                if index + 1 < len(LEVEL_ORDER):
                    origins.setdefault(LEVEL_ORDER[index + 1], origins[level])
                    continue
                approver = self.env["res.users"]
            result.append((origins[level], level, approver, self.env.ref(groups[level])))
        return result

    def _policy_approval_check_route(self, route, excluded):
        """Every level of ``route`` has someone who may decide it."""
        company = self.company_id if "company_id" in self._fields else self.env.company
        Step = self.env["sales.policy.approval"]
        for level, approver, group in route:
            if approver:
                excluded |= approver
                continue
            candidates = group.sudo().all_user_ids._sales_policy_working_for(
                company or self.env.company, excluded
            )
            if not candidates:
                raise UserError(
                    self.env._(
                        "Nobody can approve %(document)s at the level %(level)s: set up the "
                        "sales hierarchy (teams, regions, director) or give a user of the "
                        "company the role %(group)s.",
                        document=self.display_name,
                        level=Step._level_label(level),
                        group=group.name,
                    )
                )

    def _policy_approval_start(self, route):
        self.ensure_one()
        Step = self.env["sales.policy.approval"].sudo()
        control = (
            self.env["sales.policy.control"]
            .sudo()
            .search([("code", "=", self._policy_approval_control())], limit=1)
        )
        now = fields.Datetime.now()
        record = self.sudo()
        old = record.policy_approval_ids
        old.filtered(lambda s: s.state in ("waiting", "pending")).write({"state": "voided"})
        salesperson = self._policy_approval_salesperson() or self.env.user
        excluded = self.env.user | salesperson
        steps = Step.create(
            [
                {
                    "name": self.display_name,
                    "res_model": self._name,
                    "res_id": self.id,
                    "round": max(old.mapped("round"), default=0) + 1,
                    "sequence": sequence,
                    "level": level,
                    "approver_id": approver.id,
                    "group_id": group.id,
                    "state": "pending" if sequence == 0 else "waiting",
                    "requested_by_id": self.env.uid,
                    "salesperson_id": salesperson.id,
                    "excluded_user_ids": excluded.ids,
                    "request_date": now,
                    "pending_since": now if sequence == 0 else False,
                    "control_id": control.id,
                    "company_id": self.company_id.id if "company_id" in self._fields else False,
                }
                for sequence, (level, approver, group) in enumerate(route)
            ]
        )
        record.write(
            {
                "policy_approval_state": "pending" if steps else "approved",
                "policy_approval_snapshot": self._policy_approval_snapshot(),
            }
        )
        self._on_policy_submitted()
        if not steps:
            self._on_policy_approved()
            return
        record.message_post(
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
        # two approvers at the same moment: one decides, the other is told
        step._policy_approval_lock()
        if step.state != "pending":
            step = self.env["sales.policy.approval"]
        if not step:
            self._policy_approval_raise_not_pending()
        if not step._can_be_decided_by(self.env.user):
            self._policy_approval_raise_too_late(step)
            raise AccessError(
                self.env._(
                    "You cannot decide on %(document)s: it waits for %(approver)s (%(level)s); "
                    "nobody decides on their own request or twice on the same one.",
                    document=self.display_name,
                    approver=step.approver_id.name or step.group_id.name,
                    level=step._level_label(step.level),
                )
            )
        if decision not in ("approved", "rejected"):
            raise UserError(self.env._("Approve or reject."))
        comment = (comment or "").strip()
        if decision == "rejected" and not comment:
            raise UserError(self.env._("Give the reason of the rejection."))
        step.sudo().write(
            {
                "state": decision,
                "decided_by_id": self.env.uid,
                "decision_date": fields.Datetime.now(),
                "comment": comment or False,
            }
        )
        step._policy_approval_close_activities(comment)
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
        following = self.sudo().policy_approval_ids.filtered(
            lambda s: s.state == "waiting" and s.round == step.round
        )
        if decision == "rejected":
            following.write({"state": "voided"})
            self.sudo().write({"policy_approval_state": "rejected"})
            requester = step.requested_by_id or self.env.user
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=requester.id,
                summary=self.with_context(lang=requester.lang or self.env.lang).env._(
                    "Approval rejected"
                ),
                note=comment,
            )
            self._on_policy_rejected()
            return
        # four eyes: who decided a level decides no later level of the same request
        for later in following:
            later.excluded_user_ids |= self.env.user
        if following:
            next_step = following.sorted("sequence")[0]
            if next_step.approver_id in next_step.excluded_user_ids:
                next_step.approver_id = False  # the level's group stands in
            next_step.write({"state": "pending", "pending_since": fields.Datetime.now()})
            next_step._policy_approval_notify()
            self._on_policy_next_level(next_step)
            return
        self.sudo().write({"policy_approval_state": "approved"})
        self._on_policy_approved()

    def _policy_approval_last_decided_step(self):
        """The last decided level of the current round, when the current user is one of
        its approvers (e.g. the second of two approvers deciding at the same moment)."""
        self.ensure_one()
        decided = self._policy_approval_current_steps().filtered("decided_by_id")
        last = decided.sorted(lambda s: (s.decision_date, s.sequence))[-1:]
        return last if last and last._is_approver(self.env.user) else last.browse()

    def _policy_approval_decided_values(self, step):
        """What a refusal tells of a decided level: the document, who, level, decision."""
        return {
            "document": self.sudo().display_name,
            "user": step.decided_by_id.name,
            "level": step._level_label(step.level),
            "decision": dict(step._fields["state"]._description_selection(self.env))[step.state],
        }

    def _policy_approval_raise_too_late(self, pending):
        """Refuse a decision the user came too late for: another approver of their level
        decided it, and the request now waits for the next level (``pending``)."""
        last = self._policy_approval_last_decided_step()
        if not last or last.decided_by_id == self.env.user:
            return  # their own decision: the four-eyes refusal says it
        raise UserError(
            self.env._(
                "%(user)s already decided %(document)s at level %(level)s (%(decision)s); "
                "it now waits for %(approver)s (%(next_level)s).",
                **self._policy_approval_decided_values(last),
                approver=pending.approver_id.name or pending.group_id.name,
                next_level=pending._level_label(pending.level),
            )
        )

    def _policy_approval_raise_not_pending(self):
        """Refuse a decision on a record with no pending level. An approver of its last
        decided level (e.g. the second of two approvers deciding at the same moment,
        who may no longer read the document) is told who decided."""
        self.ensure_one()
        last = self._policy_approval_last_decided_step()
        if last and self.sudo().policy_approval_state in ("approved", "rejected"):
            raise UserError(
                self.env._(
                    "%(document)s is no longer waiting for approval: %(user)s already "
                    "decided at level %(level)s (%(decision)s).",
                    **self._policy_approval_decided_values(last),
                )
            )
        raise UserError(
            self.env._("%(document)s is not waiting for approval.", document=self.display_name)
        )

    def _policy_approval_void(self, changed):
        """The approved content changed: back to "to submit", tell the chatter what."""
        self.ensure_one()
        self._policy_approval_withdraw()
        self.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Approval voided: %(changes)s changed after submission. Submit it again.",
                changes=", ".join(self._policy_approval_describe(changed)),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._on_policy_voided(changed)

    def _policy_approval_withdraw(self):
        """Void the open and approved steps: the record is back to "to submit"."""
        for record in self.sudo():
            steps = record.policy_approval_ids.filtered(
                lambda s: s.state in ("waiting", "pending", "approved")
            )
            steps.activity_ids.exists().unlink()
            steps.write({"state": "voided"})
            record.write({"policy_approval_state": "draft", "policy_approval_snapshot": False})

    def _policy_approval_current_steps(self):
        """The steps of the latest submission."""
        self.ensure_one()
        steps = self.sudo().policy_approval_ids
        last = max(steps.mapped("round"), default=0)
        return steps.filtered(lambda s: s.round == last).sorted("sequence")
