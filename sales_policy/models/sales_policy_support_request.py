from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from .sales_policy_workflow_guard import ALL_FIELDS


class SalesPolicySupportRequest(models.Model):
    """A technical support request from sales to a pre-sales engineer (篇四 §11.3).

    For complex projects the salesperson organises technical support to make sure the
    proposed solution is feasible. The requester asks a pre-sales engineer for help on
    an opportunity, with a due date; the engineer gets an activity, works the request
    and closes it with its outcome. The state changes only through the action methods.
    """

    _name = "sales.policy.support.request"
    _description = "Pre-sales Support Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.workflow.guard"]
    _order = "date_deadline, id desc"
    _check_company_auto = True

    name = fields.Char(string="Subject", required=True, tracking=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Customer")
    lead_user_id = fields.Many2one(
        related="lead_id.user_id", string="Opportunity Salesperson", store=True
    )
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    engineer_id = fields.Many2one(
        "res.users",
        string="Pre-sales Engineer",
        required=True,
        index=True,
        tracking=True,
        domain=lambda self: [
            ("group_ids", "in", self.env.ref("sales_policy.group_presales").ids),
            ("share", "=", False),
        ],
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_deadline = fields.Date(string="Due Date", required=True, tracking=True)
    description = fields.Html(
        required=True, help="What the customer needs and what is expected from pre-sales."
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="new",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    outcome = fields.Html(copy=False, help="The engineer's conclusion: feasibility, solution.")
    date_done = fields.Datetime(string="Closed On", readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")

    # ------------------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------------------
    @api.depends("lead_id")
    def _compute_company_id(self):
        for request in self:
            request.company_id = (
                request.lead_id.company_id or request.company_id or self.env.company
            )

    @api.depends("date_deadline", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = (
                request.state in ("new", "in_progress")
                and request.date_deadline
                and request.date_deadline < today
            )

    @api.constrains("engineer_id")
    def _check_engineer(self):
        for request in self:
            if not request.engineer_id.has_group("sales_policy.group_presales"):
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a pre-sales engineer: support requests go to "
                        "pre-sales engineers (%(article)s).",
                        user=request.engineer_id.name,
                        article=self.env["sales.policy.control"]._cite("presales_support"),
                    )
                )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if vals.get("requester_id", self.env.uid) != self.env.uid:
                    raise UserError(self._sales_policy_protected_error())
                # checked before anything is written: nothing changes on a refusal
                self._sales_policy_check_request_values(
                    self.env["crm.lead"].browse(vals.get("lead_id")), vals.get("date_deadline")
                )
        requests = super().create(vals_list)
        requests._sales_policy_schedule_engineer_activity()
        return requests

    def write(self, vals):
        if not self.env.su and "requester_id" in vals:
            raise UserError(self._sales_policy_protected_error())
        if not self.env.su and {"lead_id", "date_deadline"}.intersection(vals):
            for request in self:
                self._sales_policy_check_request_values(
                    self.env["crm.lead"].browse(vals["lead_id"])
                    if "lead_id" in vals
                    else request.lead_id,
                    vals["date_deadline"] if "date_deadline" in vals else request.date_deadline,
                )
        before = {request: (request.engineer_id, request.date_deadline) for request in self}
        res = super().write(vals)
        if "engineer_id" in vals or "date_deadline" in vals:
            for request in self:
                old_engineer, old_deadline = before[request]
                if (request.engineer_id, request.date_deadline) != (old_engineer, old_deadline):
                    # the work moved: the activity follows the engineer and the due date
                    request.sudo().activity_ids.filtered(
                        lambda a, user=old_engineer: a.user_id == user
                    ).unlink()
                    request._sales_policy_schedule_engineer_activity()
        return res

    # ------------------------------------------------------------------------------
    # Workflow guard: the state moves through the buttons; a closed request is kept
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"state", "date_done"}

    def _policy_guard_locked_fields(self):
        return {"done": ALL_FIELDS, "cancelled": ALL_FIELDS}

    def _policy_guard_control(self):
        return "presales_support"

    def _policy_guard_hint(self, kind):
        if kind == "system":
            return self.env._("Its state changes through its buttons only: use the buttons.")
        if kind == "locked":
            return self.env._("A closed support request can no longer be changed.")
        return super()._policy_guard_hint(kind)

    def _sales_policy_protected_error(self):
        return self.env._(
            "The requester, state and closing date of a support request are set by the "
            "system: use the buttons."
        )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_start(self):
        self._sales_policy_check_engineer_action(("new",))
        self.sudo().write({"state": "in_progress"})
        return True

    def action_done(self):
        """Close the request with its outcome (only the assigned engineer)."""
        self._sales_policy_check_engineer_action(("new", "in_progress"))
        for request in self:
            if is_html_empty(request.outcome):
                raise UserError(
                    self.env._(
                        "Write the outcome of the support request %(request)s before "
                        "closing it (%(article)s).",
                        request=request.display_name,
                        article=self.env["sales.policy.control"]._cite("presales_support"),
                    )
                )
        self.sudo().write({"state": "done", "date_done": fields.Datetime.now()})
        self._sales_policy_clear_engineer_activity(feedback=self.env._("Request closed."))
        for request in self:
            request.lead_id.sudo().message_post(
                body=self.env._(
                    "Pre-sales support request %(request)s closed by %(engineer)s.",
                    request=request.name,
                    engineer=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        """Withdraw the request (the requester or their superiors)."""
        self.check_access("write")
        for request in self:
            if request.state not in ("new", "in_progress"):
                raise UserError(
                    self.env._(
                        "The support request %(request)s is already closed.",
                        request=request.display_name,
                    )
                )
            if (
                not self.env.su
                and self.env.user == request.engineer_id
                and self.env.user != request.requester_id
            ):
                raise UserError(
                    self.env._(
                        "Only the requester can withdraw the support request %(request)s; "
                        "close it with its outcome instead.",
                        request=request.display_name,
                    )
                )
        self.sudo().write({"state": "cancelled", "date_done": fields.Datetime.now()})
        self._sales_policy_clear_engineer_activity()
        return True

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_check_request_values(self, lead, date_deadline):
        """Support is requested for an opportunity the user works on, once its needs
        are analysed, with a due date that is not past."""
        try:
            lead.check_access("write")
        except AccessError:
            raise UserError(
                self.env._(
                    "You can request pre-sales support only for your own opportunities "
                    "(%(article)s).",
                    article=self.env["sales.policy.control"]._cite("presales_support"),
                )
            ) from None
        if lead and is_html_empty(lead.sudo().sales_policy_needs_analysis):
            raise UserError(
                self.env._(
                    "Analyse the customer's needs on the opportunity %(lead)s before "
                    "asking pre-sales for support (%(article)s).",
                    lead=lead.sudo().display_name,
                    article=self.env["sales.policy.control"]._cite("needs_analysis"),
                )
            )
        deadline = fields.Date.to_date(date_deadline)
        if deadline and deadline < fields.Date.context_today(self):
            raise UserError(self.env._("The due date of a support request cannot be in the past."))

    def _sales_policy_check_engineer_action(self, from_states):
        """Only the assigned engineer works a request, from one of ``from_states``."""
        self.check_access("read")
        for request in self:
            if not self.env.su and self.env.user != request.engineer_id:
                raise UserError(
                    self.env._(
                        "Only the assigned pre-sales engineer %(engineer)s works on the "
                        "support request %(request)s (%(article)s).",
                        engineer=request.engineer_id.name,
                        request=request.display_name,
                        article=self.env["sales.policy.control"]._cite("presales_support"),
                    )
                )
            if request.state not in from_states:
                raise UserError(
                    self.env._(
                        "The support request %(request)s is already closed or started.",
                        request=request.display_name,
                    )
                )

    def _sales_policy_schedule_engineer_activity(self):
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for request in self.filtered(lambda r: r.state in ("new", "in_progress")):
            env = request.with_context(
                lang=request.engineer_id.lang or self.env.lang
            ).env  # the engineer's
            request.sudo().activity_schedule(
                activity_type_id=todo.id if todo else False,
                date_deadline=request.date_deadline,
                summary=env._("Pre-sales support: %(request)s", request=request.name),
                note=env._(
                    "Opportunity %(lead)s, requested by %(requester)s.",
                    lead=request.lead_id.display_name,
                    requester=request.requester_id.name,
                ),
                user_id=request.engineer_id.id,
            )

    def _sales_policy_clear_engineer_activity(self, feedback=None):
        """Close the engineer's activities: marked done with ``feedback``, else removed."""
        activities = self.sudo().activity_ids.filtered(lambda a: a.user_id in self.engineer_id)
        if feedback:
            activities.action_feedback(feedback=feedback)
        else:
            activities.unlink()
