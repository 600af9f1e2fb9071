from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from odoo.addons.sales_policy.models.sales_policy_workflow_guard import ALL_FIELDS

#: The control every message of the register cites (篇四 §21).
CONTROL = "risk_register"

LIKELIHOOD = [
    ("1", "1 - Rare"),
    ("2", "2 - Unlikely"),
    ("3", "3 - Possible"),
    ("4", "4 - Likely"),
    ("5", "5 - Almost Certain"),
]
IMPACT = [
    ("1", "1 - Negligible"),
    ("2", "2 - Minor"),
    ("3", "3 - Moderate"),
    ("4", "4 - Major"),
    ("5", "5 - Severe"),
]
#: Level of a score (likelihood × impact, 1–25): the highest threshold reached.
#: Our choice (the policy is silent): the usual 5 × 5 risk matrix bands.
LEVEL_THRESHOLDS = ((16, "critical"), (10, "high"), (5, "medium"), (1, "low"))

#: Written by the workflow only (server code, with sudo).
SYSTEM_FIELDS = frozenset({"reference", "state", "score", "level", "date_assessed", "date_closed"})
#: What the reporter wrote: frozen once the owner assessed the risk.
REPORT_FIELDS = frozenset(
    {
        "user_id",
        "risk_type",
        "name",
        "description",
        "proposed_response",
        "partner_id",
        "order_id",
        "contract_id",
        "market_info_id",
        "company_id",
    }
)
#: The assessment and the follow-up: set by the owner and the managers above only.
MANAGER_FIELDS = frozenset({"likelihood", "impact", "owner_id", "review_date", "mitigation"})
LOCKED_FIELDS = {
    "reported": frozenset({"user_id", "company_id"}),
    "assessed": REPORT_FIELDS,
    "mitigating": REPORT_FIELDS,
    "closed": ALL_FIELDS,
}
#: action: (from states, to state); who may act is :meth:`_sales_policy_can_manage`.
TRANSITIONS = {
    "assess": (("reported",), "assessed"),
    "mitigate": (("assessed",), "mitigating"),
    "close": (("assessed", "mitigating"), "closed"),
    "reopen": (("closed",), "mitigating"),
}
#: Days from the report to the first review date (our choice; editable on the risk).
DEFAULT_REVIEW_DAYS = 30


class SalesPolicyRisk(models.Model):
    """A sales risk of the risk register (销售风险, 篇一 §17–18, 篇四 §21–22).

    Reps identify credit, market and contract risks and report them to their manager
    with a proposed response (及时向销售经理汇报发现的风险,并提出应对建议). The risk
    has an owner (the regional manager of the reporter's region by default: 篇四 §6.5
    makes the regional manager responsible for the region's sales risk), who assesses it
    (likelihood × impact → score and level), decides the mitigation and reviews it
    periodically (定期进行风险评估): a risk past its review date and not closed raises
    the ``risk_review_overdue`` alert.

    reported → assessed → mitigating → closed. The state, score and level are written
    by the workflow only (workflow guard); only the owner and the managers above move a
    risk and change its assessment; the reporter never closes their own risk.
    """

    _name = "sales.policy.risk"
    _description = "Sales Risk"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "sales.policy.salesperson.mixin",
        "sales.policy.workflow.guard",
    ]
    _order = "score desc, review_date, id desc"
    _check_company_auto = True
    _mail_post_access = "read"
    _rec_names_search = ["name", "reference"]

    reference = fields.Char(readonly=True, copy=False, default="/", index=True)
    name = fields.Char(string="Risk", required=True, tracking=True)
    user_id = fields.Many2one(
        string="Reporter", help="Who identified and reported the risk (their region and team)."
    )
    risk_type = fields.Selection(
        [
            ("credit", "Credit Risk"),
            ("market", "Market Risk"),
            ("contract", "Contract Risk"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="credit",
        tracking=True,
        index=True,
    )
    description = fields.Html(required=True, help="What could happen, why, and what it affects.")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        check_company=True,
        index="btree_not_null",
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        check_company=True,
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    contract_id = fields.Many2one(
        "sales.policy.contract",
        check_company=True,
        index="btree_not_null",
        tracking=True,
    )
    market_info_id = fields.Many2one(
        "sales.policy.market.info",
        string="Market Report",
        check_company=True,
        index="btree_not_null",
        help="The market information report this risk was raised from.",
    )
    likelihood = fields.Selection(LIKELIHOOD, required=True, default="3", tracking=True)
    impact = fields.Selection(IMPACT, required=True, default="3", tracking=True)
    score = fields.Integer(
        compute="_compute_score",
        store=True,
        aggregator="max",
        help="Likelihood × impact, from 1 to 25.",
    )
    level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")],
        compute="_compute_score",
        store=True,
        index=True,
        help="Low: score 1–4; medium: 5–9; high: 10–15; critical: 16–25.",
    )
    owner_id = fields.Many2one(
        "res.users",
        compute="_compute_owner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Assesses, mitigates and reviews the risk: by default the regional manager "
        "of the reporter's region (篇四 §6.5).",
    )
    proposed_response = fields.Html(
        required=True,
        help="The reporter's suggestion for handling the risk (提出应对建议, 篇四 §21.2).",
    )
    mitigation = fields.Html(
        string="Mitigation Actions",
        help="What the owner decided to do about the risk, by whom and by when.",
    )
    review_date = fields.Date(
        tracking=True,
        index=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=DEFAULT_REVIEW_DAYS),
        help="The next periodic review: past it, an open risk raises an alert to its owner "
        "(定期进行风险评估, 篇四 §21.4).",
    )
    is_review_overdue = fields.Boolean(
        compute="_compute_is_review_overdue", search="_search_is_review_overdue"
    )
    state = fields.Selection(
        [
            ("reported", "Reported"),
            ("assessed", "Assessed"),
            ("mitigating", "Mitigating"),
            ("closed", "Closed"),
        ],
        required=True,
        default="reported",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_assessed = fields.Date(string="Assessed On", readonly=True, copy=False)
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    can_manage = fields.Boolean(compute="_compute_can_manage")

    _score_range = models.Constraint(
        "CHECK(score IS NULL OR (score >= 1 AND score <= 25))",
        "The risk score is between 1 and 25.",
    )

    # ------------------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------------------
    @api.depends("likelihood", "impact")
    def _compute_score(self):
        for risk in self:
            score = int(risk.likelihood or 0) * int(risk.impact or 0)
            risk.score = score or False
            risk.level = self._score_level(score)

    @api.model
    def _score_level(self, score):
        """The level of a score: the highest threshold of :data:`LEVEL_THRESHOLDS` it
        reaches."""
        return next((level for threshold, level in LEVEL_THRESHOLDS if score >= threshold), False)

    @api.depends("user_id")
    def _compute_owner_id(self):
        for risk in self:
            if not risk.owner_id and risk.user_id:
                risk.owner_id = risk._sales_policy_default_owner(risk.user_id)

    @api.model
    def _sales_policy_default_owner(self, reporter):
        """The regional manager of the reporter's region; on a gap, the director, then
        the reporter's supervisor (hierarchy API)."""
        superiors = dict(reporter._sales_policy_superiors())
        for level in ("regional_manager", "director", "supervisor"):
            if superiors.get(level):
                return superiors[level]
        return self.env["res.users"]

    @api.depends("state", "review_date")
    def _compute_is_review_overdue(self):
        today = fields.Date.context_today(self)
        for risk in self:
            risk.is_review_overdue = bool(
                risk.state != "closed" and risk.review_date and risk.review_date < today
            )

    def _search_is_review_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = [
            ("state", "!=", "closed"),
            ("review_date", "<", fields.Date.context_today(self)),
        ]
        positive = (True in value) == (operator == "in")
        return domain if positive else ["!", *domain]

    @api.depends_context("uid")
    @api.depends("owner_id", "user_id")
    def _compute_can_manage(self):
        for risk in self:
            risk.can_manage = risk._sales_policy_can_manage()

    # ------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------
    @api.constrains("proposed_response", "description")
    def _check_proposed_response(self):
        for risk in self:
            if is_html_empty(risk.description) or is_html_empty(risk.proposed_response):
                raise ValidationError(
                    self.env._(
                        "Describe the risk and propose a response when you report it "
                        "(提出应对建议, %(article)s).",
                        article=self.env["sales.policy.control"]._cite(CONTROL),
                    )
                )

    @api.constrains("order_id", "partner_id")
    def _check_order_partner(self):
        for risk in self.filtered(lambda r: r.order_id and r.partner_id):
            risk.order_id._policy_check_ordered_by(risk.partner_id)

    # ------------------------------------------------------------------------------
    # Workflow guard
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | SYSTEM_FIELDS

    def _policy_guard_locked_fields(self):
        return LOCKED_FIELDS

    def _policy_guard_deletable_states(self):
        return ("reported",)

    def _policy_guard_control(self):
        return CONTROL

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._sales_policy_check_new(vals)
        risks = super().create(vals_list)
        Sequence = self.env["ir.sequence"].sudo()
        for risk in risks.filtered(lambda r: r.reference == "/").sudo():
            risk.reference = (
                Sequence.with_company(risk.company_id).next_by_code("sales.policy.risk") or "/"
            )
        risks._sales_policy_notify_owner()
        return risks

    def write(self, vals):
        if not self.env.su and MANAGER_FIELDS & set(vals):
            for risk in self:
                if not risk._sales_policy_can_manage():
                    raise AccessError(risk._sales_policy_refusal())
        old_owners = {risk: risk.owner_id for risk in self} if "owner_id" in vals else {}
        result = super().write(vals)
        moved = self.filtered(lambda r: old_owners and r.owner_id != old_owners[r])
        moved._sales_policy_notify_owner()
        return result

    def _sales_policy_check_new(self, vals):
        """A user reports risks in their own name; without a manager's role, to one of
        their own superiors."""
        user = self.env.user
        if vals.get("user_id", user.id) != user.id:
            raise AccessError(
                self.env._(
                    "A risk is reported in your own name (%(article)s).",
                    article=self.env["sales.policy.control"]._cite(CONTROL),
                )
            )
        owner_id = vals.get("owner_id")
        if owner_id and not user.has_group("sales_policy.group_regional_manager"):
            superiors = self.env["res.users"].concat(
                *(superior for _level, superior in user._sales_policy_superiors())
            )
            if owner_id not in superiors.ids:
                raise AccessError(
                    self.env._(
                        "You report a risk to one of your managers: %(names)s (%(article)s).",
                        names=", ".join(superiors.mapped("name")) or "-",
                        article=self.env["sales.policy.control"]._cite(CONTROL),
                    )
                )

    # ------------------------------------------------------------------------------
    # Who may act
    # ------------------------------------------------------------------------------
    def _sales_policy_managers(self):
        """The users who assess and move the risk: its owner, the owner's superiors,
        the reporter's regional manager and director, the company's director."""
        self.ensure_one()
        users = self.owner_id | self.company_id.sudo().sales_policy_director_id
        if self.owner_id:
            for _level, superior in self.owner_id._sales_policy_superiors():
                users |= superior
        for level, superior in self.user_id._sales_policy_superiors():
            if level != "supervisor":
                users |= superior
        return users

    def _sales_policy_can_manage(self, user=None):
        self.ensure_one()
        user = user or self.env.user
        if self.env.su and user == self.env.user:
            return True
        return user in self._sales_policy_managers() or user.has_group(
            "sales_policy.group_sales_director"
        )

    def _sales_policy_refusal(self):
        return self.env._(
            "%(risk)s: only its owner (%(owner)s) and the managers above assess, move and "
            "review a risk (%(article)s).",
            risk=self.display_name,
            owner=self.owner_id.name or "-",
            article=self.env["sales.policy.control"]._cite(CONTROL),
        )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def _sales_policy_transition(self, action):
        from_states, to_state = TRANSITIONS[action]
        self.check_access("write")
        today = fields.Date.context_today(self)
        selection = dict(self._fields["state"]._description_selection(self.env))
        for risk in self:
            if not risk._sales_policy_can_manage():
                raise AccessError(risk._sales_policy_refusal())
            if risk.state not in from_states:
                raise UserError(
                    self.env._(
                        "%(risk)s is %(state)s: this step does not apply.",
                        risk=risk.display_name,
                        state=selection[risk.state],
                    )
                )
            if to_state == "closed" and risk.user_id == self.env.user and not self.env.su:
                raise AccessError(
                    self.env._(
                        "%(risk)s: you reported this risk, somebody else closes it (%(article)s).",
                        risk=risk.display_name,
                        article=self.env["sales.policy.control"]._cite(CONTROL),
                    )
                )
            if to_state == "assessed" and not risk.review_date:
                raise UserError(
                    self.env._(
                        "%(risk)s: set the next review date when you assess it (%(article)s).",
                        risk=risk.display_name,
                        article=self.env["sales.policy.control"]._cite("risk_review"),
                    )
                )
            if to_state == "mitigating" and is_html_empty(risk.mitigation):
                raise UserError(
                    self.env._(
                        "%(risk)s: describe the mitigation actions first.",
                        risk=risk.display_name,
                    )
                )
        values = {"state": to_state}
        if to_state == "assessed":
            values["date_assessed"] = today
        if to_state == "closed":
            values["date_closed"] = today
        if action == "reopen":
            values["date_closed"] = False
        self.sudo().write(values)
        if to_state in ("assessed", "closed"):
            self.sudo().activity_feedback(
                ["sales_policy_risk.mail_activity_type_risk_assess"],
                feedback=self.env._(
                    "%(state)s by %(user)s", state=selection[to_state], user=self.env.user.name
                ),
            )
        return True

    def action_assess(self):
        """The owner assessed the risk (likelihood, impact, next review date)."""
        return self._sales_policy_transition("assess")

    def action_mitigate(self):
        """The mitigation actions are decided and under way."""
        return self._sales_policy_transition("mitigate")

    def action_close(self):
        """The risk is gone or accepted: closed, no more reviews."""
        return self._sales_policy_transition("close")

    def action_reopen(self):
        return self._sales_policy_transition("reopen")

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _sales_policy_notify_owner(self):
        """The reporter reports to the owner: an activity to assess the risk (a reported
        risk; later, a new owner is notified by the assignment on the tracked field)."""
        activity_type = self.env.ref(
            "sales_policy_risk.mail_activity_type_risk_assess", raise_if_not_found=False
        )
        article = self.env["sales.policy.control"]._cite(CONTROL)
        for risk in self.sudo().filtered(lambda r: r.owner_id and r.state == "reported"):
            env = self.with_context(
                lang=risk.owner_id.lang or self.env.lang
            ).env  # the owner's language
            risk.with_context(mail_activity_quick_update=True).activity_schedule(
                activity_type_id=activity_type.id if activity_type else False,
                summary=env._("Assess the risk: %(risk)s", risk=risk.name),
                note=env._(
                    "%(reporter)s reported a %(type)s (score %(score)s, %(level)s) and "
                    "proposes a response. Assess it, decide the mitigation and set the next "
                    "review date (%(article)s).",
                    reporter=risk.user_id.name,
                    type=dict(self._fields["risk_type"]._description_selection(env))[
                        risk.risk_type
                    ],
                    score=risk.score,
                    level=dict(self._fields["level"]._description_selection(env)).get(
                        risk.level, "-"
                    ),
                    article=article,
                ),
                user_id=risk.owner_id.id,
                date_deadline=fields.Date.context_today(self),
            )
