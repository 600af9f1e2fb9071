from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import is_html_empty


class SalesPolicyVisit(models.Model):
    """A customer visit: the plan (拜访计划) and, once it took place, its record (拜访记录).

    篇四 §10: plan the visit and book it with the customer in advance; listen to the
    customer's needs and offer a solution; record the visit right after it and plan the
    follow-up. A visit is planned, then done, cancelled or a no-show. Marking it done
    requires the findings and the outcome, and creates the next step (a visit or an
    activity). Its state is only changed by the action methods.

    Public API for the appraisal addon: :meth:`_sales_policy_visit_figures`.
    """

    _name = "sales.policy.visit"
    _description = "Customer Visit"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "sales.policy.salesperson.mixin",
        "sales.policy.workflow.guard",
    ]
    _order = "date_planned desc, id desc"
    _check_company_auto = True

    #: Fields frozen once the visit is done: the record of the visit is evidence.
    _SALES_POLICY_LOCKED_WHEN_DONE = frozenset(
        {
            "partner_id",
            "contact_id",
            "lead_id",
            "user_id",
            "purpose",
            "date_planned",
            "date_visited",
            "findings",
            "solution",
            "outcome",
            "next_step",
            "next_step_date",
            "next_step_summary",
            "next_activity_type_id",
            "company_id",
        }
    )

    name = fields.Char(
        string="Subject",
        required=True,
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        string="Customer Entity",
        store=True,
        index=True,
    )
    contact_id = fields.Many2one(
        "res.partner",
        domain="[('id', 'child_of', commercial_partner_id), ('id', '!=', commercial_partner_id)]",
        help="The person met at the customer.",
        check_company=True,
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index="btree_not_null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
        check_company=True,
    )
    # a rep in several teams says which one the visit was for
    team_id = fields.Many2one(readonly=False)
    purpose = fields.Selection(
        [
            ("introduction", "Introduction"),
            ("needs", "Needs Discovery"),
            ("presentation", "Solution Presentation"),
            ("negotiation", "Negotiation"),
            ("relationship", "Relationship Maintenance"),
            ("after_sales", "After-sales Service"),
            ("collection", "Payment Collection"),
            ("other", "Other"),
        ],
        required=True,
        default="relationship",
        tracking=True,
    )
    agenda = fields.Text(string="Purpose Details", help="What the visit should achieve.")
    date_planned = fields.Datetime(
        string="Planned For", required=True, index=True, tracking=True, copy=False
    )
    duration = fields.Float(string="Duration (hours)", default=1.0)
    date_end = fields.Datetime(string="Planned End", compute="_compute_date_end", store=True)
    appointment_confirmed = fields.Boolean(
        tracking=True,
        copy=False,
        help="The customer agreed to the visit in advance (提前预约).",
    )
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("no_show", "No-show"),
        ],
        required=True,
        default="planned",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_visited = fields.Datetime(
        string="Visited On",
        copy=False,
        tracking=True,
        help="When the visit took place. Defaults, when the visit is marked done, to the "
        "planned date if it is past, else to now.",
    )
    findings = fields.Html(
        string="Customer Needs",
        copy=False,
        help="What the customer said they need (认真倾听客户需求).",
    )
    solution = fields.Html(string="Solution Offered", copy=False)
    outcome = fields.Text(copy=False, help="The result of the visit.")
    next_step = fields.Selection(
        [
            ("none", "No Follow-up"),
            ("activity", "Schedule an Activity"),
            ("visit", "Plan the Next Visit"),
        ],
        required=True,
        default="none",
        copy=False,
        help="The follow-up plan (后续跟进计划), created when the visit is marked done.",
    )
    next_step_date = fields.Datetime(string="Follow-up On", copy=False)
    next_step_summary = fields.Char(string="Follow-up Plan", copy=False)
    next_activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Follow-up Activity Type",
        copy=False,
        domain="[('res_model', 'in', (False, 'crm.lead', 'res.partner'))]",
    )
    next_visit_id = fields.Many2one("sales.policy.visit", readonly=True, copy=False)
    previous_visit_id = fields.Many2one(
        "sales.policy.visit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    customer_class_id = fields.Many2one(
        related="commercial_partner_id.sales_policy_customer_class_id",
        string="Customer Class",
    )
    is_due = fields.Boolean(
        string="Due",
        compute="_compute_is_due",
        search="_search_is_due",
        help="Planned for today or earlier and not recorded yet.",
    )

    _duration_positive = models.Constraint(
        "CHECK (duration >= 0)", "The duration of a visit cannot be negative."
    )
    # the visit-frequency alert reads the last done visit of every customer
    _last_done_visit_idx = models.Index(
        "(commercial_partner_id, date_visited) WHERE state = 'done'"
    )

    # ------------------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------------------
    @api.depends("partner_id", "purpose")
    def _compute_name(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for visit in self:
            if visit.name and visit._origin.name:
                continue
            visit.name = self.env._(
                "%(purpose)s: %(customer)s",
                purpose=purposes.get(visit.purpose, ""),
                customer=visit.partner_id.commercial_partner_id.name or "",
            )

    @api.depends("date_planned", "duration")
    def _compute_date_end(self):
        for visit in self:
            visit.date_end = (
                visit.date_planned + timedelta(hours=visit.duration or 0.0)
                if visit.date_planned
                else False
            )

    @api.depends_context("tz")
    @api.depends("state", "date_planned")
    def _compute_is_due(self):
        stop = self._sales_policy_due_before()
        for visit in self:
            visit.is_due = visit.state == "planned" and visit.date_planned < stop

    def _search_is_due(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        due = Domain("state", "=", "planned") & Domain(
            "date_planned", "<", self._sales_policy_due_before()
        )
        return due if (True in value) == (operator == "in") else ~due

    @api.model
    def _sales_policy_due_before(self):
        """The end of the user's today, in UTC: a visit planned before it is due."""
        today = fields.Date.context_today(self)
        return self._sales_policy_period_bounds(today, today)[1]

    @api.constrains("date_visited")
    def _check_date_visited(self):
        now = fields.Datetime.now()
        for visit in self:
            if visit.date_visited and visit.date_visited > now:
                raise ValidationError(
                    self.env._(
                        "The visit %(visit)s cannot be recorded as taking place in the future.",
                        visit=visit.display_name,
                    )
                )

    @api.constrains("contact_id", "partner_id")
    def _check_contact(self):
        for visit in self:
            if (
                visit.contact_id
                and visit.contact_id.commercial_partner_id != visit.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "The contact %(contact)s does not work for the customer %(customer)s.",
                        contact=visit.contact_id.display_name,
                        customer=visit.commercial_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # checked before anything is written: nothing changes on a refusal
            Partner = self.env["res.partner"].sudo()
            Users = self.env["res.users"].sudo()
            default_user = self.env.context.get("default_user_id")
            self._sales_policy_check_scope_pairs(
                (
                    Partner.browse(vals.get("partner_id")),
                    Users.browse(vals.get("user_id", default_user)),
                )
                for vals in vals_list
            )
        visits = super().create(vals_list)
        visits._sales_policy_check_customer_scope()
        return visits

    def write(self, vals):
        if not self.env.su:
            if {"partner_id", "user_id"}.intersection(vals):
                partner = self.env["res.partner"].sudo().browse(vals.get("partner_id"))
                user = self.env["res.users"].sudo().browse(vals.get("user_id"))
                self._sales_policy_check_scope_pairs(
                    (
                        partner if "partner_id" in vals else visit.sudo().partner_id,
                        user if "user_id" in vals else visit.sudo().user_id,
                    )
                    for visit in self
                )
        return super().write(vals)

    # ------------------------------------------------------------------------------
    # Workflow guard: the state moves through the buttons; a done visit is evidence
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"state"}

    def _policy_guard_locked_fields(self):
        return {"done": self._SALES_POLICY_LOCKED_WHEN_DONE}

    def _policy_guard_control(self):
        return "visit_record"

    def _policy_guard_hint(self, kind):
        if kind == "system":
            return self.env._(
                "The state of a visit changes only through its buttons (Done, Cancel, No-show)."
            )
        if kind == "locked":
            return self.env._(
                "A visit that is done is the record of the visit: it can no longer be changed."
            )
        return super()._policy_guard_hint(kind)

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_done(self):
        """Record the visit (拜访记录) and create its follow-up."""
        self._sales_policy_check_action("done")
        now = fields.Datetime.now()
        for visit in self:
            missing = []
            if is_html_empty(visit.findings):
                missing.append(self._fields["findings"]._description_string(self.env))
            if not (visit.outcome or "").strip():
                missing.append(self._fields["outcome"]._description_string(self.env))
            if missing:
                raise UserError(
                    self.env._(
                        "Record the visit %(visit)s before marking it done (%(article)s): "
                        "fill in %(fields)s.",
                        visit=visit.display_name,
                        article=self.env["sales.policy.control"]._cite("visit_record"),
                        fields=", ".join(missing),
                    )
                )
            visit._sales_policy_check_next_step()
        for visit in self:
            vals = {"state": "done"}
            if not visit.date_visited:
                vals["date_visited"] = min(visit.date_planned, now)
            visit.sudo().write(vals)
            visit._sales_policy_create_next_step()
        return True

    def action_cancel(self):
        self._sales_policy_check_action("cancelled")
        self.sudo().write({"state": "cancelled"})
        return True

    def action_no_show(self):
        """The customer was not there: the visit did not take place."""
        self._sales_policy_check_action("no_show")
        now = fields.Datetime.now()
        for visit in self:
            if visit.date_planned > now:
                raise UserError(
                    self.env._(
                        "The visit %(visit)s is still to come: it cannot be a no-show yet.",
                        visit=visit.display_name,
                    )
                )
        self.sudo().write({"state": "no_show"})
        return True

    def action_reset_to_planned(self):
        """Plan a cancelled or missed visit again."""
        self._sales_policy_check_action("planned")
        self.sudo().write({"state": "planned"})
        return True

    def action_open_next_visit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.next_visit_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    _SALES_POLICY_TRANSITIONS = {
        "done": ("planned",),
        "cancelled": ("planned",),
        "no_show": ("planned",),
        "planned": ("cancelled", "no_show"),
    }

    def _sales_policy_check_action(self, target_state):
        """The user may change the state of these visits to ``target_state``.

        Record rules apply (the user must be able to write each visit) and the visited
        customer must belong to the user's scope.
        """
        self.check_access("write")
        states = dict(self._fields["state"]._description_selection(self.env))
        for visit in self:
            if visit.state not in self._SALES_POLICY_TRANSITIONS[target_state]:
                raise UserError(
                    self.env._(
                        "The visit %(visit)s is %(state)s: it cannot become %(target)s.",
                        visit=visit.display_name,
                        state=states[visit.state],
                        target=states[target_state],
                    )
                )
        self._sales_policy_check_customer_scope()

    def _sales_policy_check_customer_scope(self):
        """The acting user and each visit's salesperson may visit its customer."""
        self._sales_policy_check_scope_pairs(
            (visit.partner_id, visit.user_id) for visit in self.sudo()
        )

    def _sales_policy_check_scope_pairs(self, pairs):
        """A salesperson plans and records visits only to customers of their scope.

        ``pairs`` are ``(customer, salesperson)`` of visits (a missing salesperson is
        the acting user). The customer's salesperson (on its commercial entity) must be
        the user, or a user of the user's scope (team, region, all); customers nobody
        is responsible for are open to everybody. Checked for the acting user and for
        the visit's salesperson. Superuser code is trusted.
        """
        if self.env.su:
            return
        scope_users = {}

        def allowed(user, owner):
            if not owner or owner == user:
                return True
            if user not in scope_users:
                scope = user._sales_policy_scope()
                scope_users[user] = (
                    None if scope == "all" else user.sudo()._sales_policy_scope_users()
                )
            return scope_users[user] is None or owner in scope_users[user]

        acting = self.env.user
        for partner, salesperson in pairs:
            customer = partner.sudo().commercial_partner_id
            owner = customer.user_id
            for user in (acting, salesperson or acting):
                if not allowed(user, owner):
                    raise UserError(
                        self.env._(
                            "%(customer)s is a customer of %(owner)s: %(user)s cannot plan "
                            "or record visits to it (%(article)s).",
                            # by its number only to whom may not read it (篇一 §15.2)
                            customer=customer.display_name
                            if customer.sudo(False).has_access("read")
                            else f"#{customer.id}",
                            owner=owner.name,
                            user=user.name,
                            article=self.env["sales.policy.control"]._cite("visit_plan"),
                        )
                    )

    def _sales_policy_check_next_step(self):
        self.ensure_one()
        if self.next_step == "none":
            return
        if not self.next_step_date:
            raise UserError(
                self.env._(
                    "Give the date of the follow-up planned after the visit %(visit)s.",
                    visit=self.display_name,
                )
            )
        if self.next_step_date.date() < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "The follow-up of the visit %(visit)s cannot be planned in the past.",
                    visit=self.display_name,
                )
            )

    def _sales_policy_create_next_step(self):
        """Create the follow-up planned in the visit record (后续跟进计划)."""
        self.ensure_one()
        if self.next_step == "visit":
            next_visit = self.create(
                {
                    "partner_id": self.partner_id.id,
                    "contact_id": self.contact_id.id,
                    "lead_id": self.lead_id.id,
                    "user_id": self.user_id.id,
                    "company_id": self.company_id.id,
                    "purpose": self.purpose,
                    "agenda": self.next_step_summary,
                    "date_planned": self.next_step_date,
                    "duration": self.duration,
                    "previous_visit_id": self.id,
                }
            )
            self.sudo().next_visit_id = next_visit
        elif self.next_step == "activity":
            target = self.lead_id or self
            env = self.with_context(
                lang=self.user_id.lang or self.env.lang
            ).env  # the salesperson's language
            summary = self.next_step_summary or env._(
                "Follow up the visit %(visit)s", visit=self.name
            )
            target.activity_schedule(
                activity_type_id=(
                    self.next_activity_type_id
                    or self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
                ).id,
                date_deadline=fields.Date.context_today(self, self.next_step_date),
                summary=summary,
                note=env._(
                    "Follow-up planned after the visit %(visit)s (%(article)s).",
                    visit=self.name,
                    article=env["sales.policy.control"]._cite("visit_record"),
                ),
                user_id=self.user_id.id,
            )

    @api.model
    def _sales_policy_visit_figures(self, date_from, date_to, user_ids=None):
        """Visits planned and done per salesperson over a period (one grouped query).

        The appraisal addon reads this. A visit counts for the day it was planned for
        (``date_planned``, in the timezone of the context or of the user) between
        ``date_from`` and ``date_to`` included; *planned* counts every visit of the
        period that was not cancelled (done, no-show and still planned), *done* the
        visits done. Record rules of the calling user apply: call it with ``sudo()``
        to count everybody's visits.

        :param date_from: first day of the period (date or ``YYYY-MM-DD``)
        :param date_to: last day of the period, included
        :param user_ids: restrict to these salespeople (ids); ``None`` for all
        :returns: ``{user_id: {"planned": int, "done": int}}`` (salespeople without
            a visit in the period are absent)
        """
        start, stop = self._sales_policy_period_bounds(date_from, date_to)
        domain = Domain.AND(
            [
                [("date_planned", ">=", start), ("date_planned", "<", stop)],
                [("state", "!=", "cancelled")],
                [("user_id", "in", list(user_ids))] if user_ids is not None else [],
            ]
        )
        figures = {}
        for user, state, count in self._read_group(domain, ["user_id", "state"], ["__count"]):
            entry = figures.setdefault(user.id, {"planned": 0, "done": 0})
            entry["planned"] += count
            if state == "done":
                entry["done"] += count
        return figures

    @api.model
    def _sales_policy_period_bounds(self, date_from, date_to):
        """UTC datetimes [start, stop) of the local days ``date_from``..``date_to``."""
        tz = self.env.tz
        bounds = []
        for day in (fields.Date.to_date(date_from), fields.Date.to_date(date_to) + timedelta(1)):
            local = tz.localize(datetime.combine(day, time.min))
            bounds.append(local.astimezone(pytz.utc).replace(tzinfo=None))
        return bounds
