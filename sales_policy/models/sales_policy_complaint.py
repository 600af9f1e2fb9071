from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import is_html_empty

from .sales_policy_return_visit import CHANNELS
from .sales_policy_workflow_guard import ALL_FIELDS

OPEN_STATES = ("new", "in_progress")


class SalesPolicyComplaint(models.Model):
    """A customer complaint or suggestion (客户投诉和建议, 篇四 §20.2).

    Registered with the customer, the order, a category and a description; it has an
    owner and a deadline. The owner handles it and feeds the result back to the
    customer (date and channel) before it is resolved (及时反馈处理结果). An open
    complaint past its deadline is an alert of the alert engine (rule
    ``complaint_overdue``): the owner's supervisor is notified, then the regional
    manager.
    """

    _name = "sales.policy.complaint"
    _description = "Complaint or Suggestion"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.workflow.guard"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    kind = fields.Selection(
        [("complaint", "Complaint"), ("suggestion", "Suggestion")],
        required=True,
        default="complaint",
        tracking=True,
    )
    category = fields.Selection(
        [
            ("product", "Product Quality"),
            ("delivery", "Delivery"),
            ("service", "Service"),
            ("price", "Price and Billing"),
            ("staff", "Staff Conduct"),
            ("other", "Other"),
        ],
        required=True,
        default="service",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    order_id = fields.Many2one(
        "sale.order",
        index=True,
        tracking=True,
        domain="[('partner_id', 'child_of', partner_id)]",
        check_company=True,
    )
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        store=True,
        index=True,
        help="The customer's salesperson (of the order, else of the customer): sees the "
        "complaint even when somebody else handles it.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Handles the complaint and feeds the result back to the customer.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        string="Received On", required=True, default=fields.Date.context_today, tracking=True
    )
    deadline = fields.Date(
        required=True,
        tracking=True,
        default=lambda self: self._default_deadline(),
        help="Past this date an open complaint is overdue and goes to the owner's "
        "supervisor (篇四 §20).",
    )
    description = fields.Html(required=True)
    handling = fields.Html(help="What was done to solve the complaint or act on the suggestion.")
    result = fields.Text(help="The result, as it was told to the customer.")
    feedback_date = fields.Date(string="Fed Back On", tracking=True)
    feedback_channel = fields.Selection(CHANNELS, string="Fed Back By", tracking=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("resolved", "Resolved"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="new",
        readonly=True,
        tracking=True,
        index=True,
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    date_resolved = fields.Date(string="Resolved On", readonly=True)

    @api.model
    def _default_deadline(self):
        days = self.env.company.sales_policy_complaint_days or 0
        return fields.Date.context_today(self) + timedelta(days=days)

    @api.depends("order_id.user_id", "partner_id.commercial_partner_id.user_id")
    def _compute_salesperson_id(self):
        for complaint in self:
            complaint.salesperson_id = (
                complaint.order_id.user_id or complaint.partner_id.commercial_partner_id.user_id
            )

    @api.depends("state", "deadline")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for complaint in self:
            complaint.is_overdue = complaint.state in OPEN_STATES and complaint.deadline < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = [
            ("state", "in", OPEN_STATES),
            ("deadline", "<", fields.Date.context_today(self)),
        ]
        positive = (True in value) == (operator == "in")
        return domain if positive else ["!", *domain]

    @api.constrains("deadline", "date")
    def _check_deadline(self):
        for complaint in self:
            if complaint.deadline < complaint.date:
                raise ValidationError(
                    self.env._(
                        "The deadline of %(name)s cannot be before the day the complaint "
                        "was received (%(article)s).",
                        name=complaint.name,
                        article=self.env["sales.policy.control"]._cite("complaint_handling"),
                    )
                )

    @api.constrains("order_id", "partner_id")
    def _check_order_partner(self):
        for complaint in self:
            complaint.order_id._policy_check_ordered_by(complaint.partner_id)

    @api.model_create_multi
    def create(self, vals_list):
        supervisor = self.env.su or self.env.user.has_group("sales_policy.group_sales_supervisor")
        max_days = self.env.company.sales_policy_complaint_days
        for vals in vals_list:
            if vals.get("deadline") and not supervisor and max_days > 0:
                received = fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self)
                if fields.Date.to_date(vals["deadline"]) > received + timedelta(days=max_days):
                    raise UserError(
                        self.env._(
                            "A complaint is handled within %(days)s days; only a supervisor "
                            "or above sets a later deadline (%(article)s).",
                            days=max_days,
                            article=self.env["sales.policy.control"]._cite("complaint_handling"),
                        )
                    )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sales.policy.complaint") or "/"
        complaints = super().create(vals_list)
        for complaint in complaints:
            complaint._sales_policy_schedule_owner()
        return complaints

    def write(self, vals):
        if (
            not self.env.su
            and "deadline" in vals
            and not self.env.user.has_group("sales_policy.group_sales_supervisor")
        ):
            raise UserError(
                self.env._(
                    "Only a supervisor or above may move the deadline of a complaint "
                    "(%(article)s).",
                    article=self.env["sales.policy.control"]._cite("complaint_handling"),
                )
            )
        res = super().write(vals)
        if "user_id" in vals:
            self.activity_unlink(["mail.mail_activity_data_todo"])
            for complaint in self:
                complaint._sales_policy_schedule_owner()
        return res

    # ------------------------------------------------------------------------------
    # Workflow guard: the buttons move the state; a closed complaint is on record
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"state", "date_resolved"}

    def _policy_guard_locked_fields(self):
        return {"resolved": ALL_FIELDS, "cancel": ALL_FIELDS}

    def _policy_guard_deletable_states(self):
        return ()

    def _policy_guard_deletable(self):
        # complaints are kept on record; a sales administrator removes a wrong entry
        return super()._policy_guard_deletable() or self.env.user.has_group(
            "sales_team.group_sale_manager"
        )

    def _policy_guard_control(self):
        return "complaint_handling"

    def _policy_guard_hint(self, kind):
        if kind == "system":
            return self.env._("Use the buttons to change the state of a complaint.")
        if kind == "deleted":
            return self.env._("Cancel it instead.")
        return super()._policy_guard_hint(kind)

    def _sales_policy_schedule_owner(self):
        self.ensure_one()
        env = self.with_context(lang=self.user_id.lang or self.env.lang).env  # the owner's language
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.deadline,
            user_id=self.user_id.id,
            summary=env._("Handle and feed back to the customer"),
            note=env._(
                "Handle %(name)s and feed the result back to the customer by %(deadline)s "
                "(%(article)s).",
                name=self.name,
                deadline=self.deadline,
                article=env["sales.policy.control"]._cite("complaint_handling"),
            ),
        )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_start(self):
        self.check_access("write")
        if any(complaint.state != "new" for complaint in self):
            raise UserError(self.env._("Only new complaints can be started."))
        self.sudo().write({"state": "in_progress"})
        return True

    def action_resolve(self):
        """Close the complaint: handling, result and the feedback to the customer
        (date and channel) are required (及时反馈处理结果)."""
        self.check_access("write")
        labels = self._fields
        for complaint in self:
            if complaint.state not in OPEN_STATES:
                raise UserError(self.env._("%(name)s is not open.", name=complaint.name))
            missing = [
                labels[fname]._description_string(self.env)
                for fname in ("handling", "result", "feedback_date", "feedback_channel")
                if not complaint[fname] or (fname == "handling" and is_html_empty(complaint[fname]))
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Before resolving %(name)s, record how it was handled and the "
                        "result fed back to the customer. Missing: %(fields)s (%(article)s).",
                        name=complaint.name,
                        fields=", ".join(missing),
                        article=self.env["sales.policy.control"]._cite("complaint_handling"),
                    )
                )
            if complaint.feedback_date < complaint.date:
                raise UserError(
                    self.env._(
                        "The feedback to the customer cannot be dated before the complaint "
                        "%(name)s was received.",
                        name=complaint.name,
                    )
                )
            if complaint.feedback_date > fields.Date.context_today(self):
                raise UserError(
                    self.env._(
                        "The feedback to the customer of %(name)s cannot be in the future.",
                        name=complaint.name,
                    )
                )
        self.sudo().write({"state": "resolved", "date_resolved": fields.Date.context_today(self)})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_cancel(self):
        self.check_access("write")
        if any(complaint.state not in OPEN_STATES for complaint in self):
            raise UserError(self.env._("Only open complaints can be cancelled."))
        if not self.env.user.has_group("sales_policy.group_sales_supervisor"):
            raise UserError(
                self.env._(
                    "Only a supervisor or above may cancel a complaint (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("complaint_handling"),
                )
            )
        self.sudo().write({"state": "cancel"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True
