from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

#: The satisfaction scale shared by return visits and satisfaction surveys.
SCORE_MIN, SCORE_MAX = 1, 5

CHANNELS = [
    ("phone", "Phone"),
    ("visit", "On-site Visit"),
    ("email", "Email"),
    ("message", "Instant Message"),
    ("other", "Other"),
]


class SalesPolicyReturnVisit(models.Model):
    """A return visit (回访) to a customer after delivery of a confirmed order.

    篇四 §16 / 篇三 3.8: the salesperson visits the customer again after the sale,
    records the customer's satisfaction (1–5) and feedback, and passes feedback on
    to product or service improvement. The score counts for the order's salesperson
    (see ``sales.policy.satisfaction.report``).
    """

    _name = "sales.policy.return.visit"
    _description = "Return Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        tracking=True,
        domain="[('state', '=', 'sale')]",
        help="The confirmed order whose delivery the customer is asked about.",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_from_order",
        store=True,
        index=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_from_order",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="The salesperson whose satisfaction figures this visit counts for.",
    )
    visitor_id = fields.Many2one(
        "res.users",
        string="Visited By",
        default=lambda self: self.env.user,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_from_order", store=True, index=True
    )
    date = fields.Date(
        string="Visit Date", required=True, default=fields.Date.context_today, tracking=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancel", "Cancelled")],
        required=True,
        default="planned",
        tracking=True,
        readonly=True,
    )
    score = fields.Integer(
        string="Satisfaction",
        tracking=True,
        aggregator="avg",
        help="Customer satisfaction from 1 (very dissatisfied) to 5 (very satisfied) (篇四 §16).",
    )
    feedback = fields.Text(help="What the customer said about the products and the service.")
    improvement = fields.Boolean(
        string="For Improvement",
        tracking=True,
        help="Pass this feedback on to product and service improvement (篇四 §16.3).",
    )
    improvement_note = fields.Text(string="Improvement Suggestion")

    @api.depends("order_id.name", "partner_id.name")
    def _compute_name(self):
        for visit in self:
            visit.name = self.env._(
                "Return visit %(order)s", order=visit.order_id.name or visit.partner_id.name or ""
            )

    @api.depends("order_id")
    def _compute_from_order(self):
        for visit in self:
            order = visit.order_id
            visit.partner_id = order.partner_id.commercial_partner_id
            visit.company_id = order.company_id
            visit.user_id = order.user_id or visit.user_id

    @api.constrains("score")
    def _check_score(self):
        for visit in self:
            if visit.score and not SCORE_MIN <= visit.score <= SCORE_MAX:
                raise ValidationError(
                    self.env._(
                        "The satisfaction score must be between %(min)s and %(max)s (%(article)s).",
                        min=SCORE_MIN,
                        max=SCORE_MAX,
                        article=self.env["sales.policy.control"]._cite("return_visit"),
                    )
                )

    @api.constrains("order_id", "date")
    def _check_order(self):
        for visit in self:
            order = visit.order_id
            if order.state != "sale":
                raise ValidationError(
                    self.env._(
                        "A return visit follows the delivery of a confirmed order; "
                        "%(order)s is not confirmed (%(article)s).",
                        order=order.display_name,
                        article=self.env["sales.policy.control"]._cite("return_visit"),
                    )
                )
            if order.date_order and visit.date < order.date_order.date():
                raise ValidationError(
                    self.env._(
                        "The return visit cannot be dated before the order %(order)s.",
                        order=order.display_name,
                    )
                )

    def write(self, vals):
        if "state" in vals and not self.env.su:
            raise UserError(self.env._("Use the buttons to change the state of a return visit."))
        if self.env.su:
            return super().write(vals)
        done = self.filtered(lambda v: v.state != "planned")
        if done and set(vals) & {"order_id", "score", "date", "user_id"}:
            raise UserError(
                self.env._(
                    "A recorded return visit cannot be changed: its score counts for "
                    "the salesperson's appraisal (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("return_visit"),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if not self.env.su and any(visit.state == "done" for visit in self):
            raise UserError(
                self.env._(
                    "A recorded return visit cannot be deleted (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("return_visit"),
                )
            )

    def action_done(self):
        """Record the visit: the customer's score and feedback are required."""
        self.check_access("write")
        for visit in self:
            if visit.state != "planned":
                raise UserError(
                    self.env._("The return visit %(name)s is not planned.", name=visit.name)
                )
            if not visit.score:
                raise UserError(
                    self.env._(
                        "Record the customer's satisfaction (1 to 5) before closing the "
                        "return visit %(name)s (%(article)s).",
                        name=visit.name,
                        article=self.env["sales.policy.control"]._cite("return_visit"),
                    )
                )
            if not visit.feedback:
                raise UserError(
                    self.env._(
                        "Record the customer's feedback before closing the return visit "
                        "%(name)s (%(article)s).",
                        name=visit.name,
                        article=self.env["sales.policy.control"]._cite("return_visit"),
                    )
                )
        self.sudo().write({"state": "done"})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_cancel(self):
        self.check_access("write")
        if any(visit.state == "done" for visit in self):
            raise UserError(
                self.env._(
                    "A recorded return visit cannot be cancelled (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("return_visit"),
                )
            )
        self.sudo().write({"state": "cancel"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True
