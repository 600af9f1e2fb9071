import hashlib
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date, is_html_empty

#: States in which the order may be confirmed: legal approved the contract.
APPROVED_STATES = ("approved", "signed", "filed")

#: Set by the workflow only (server code, with sudo): never by a user's write.
SYSTEM_FIELDS = frozenset(
    {
        "name",
        "state",
        "submitted_by_id",
        "date_submitted",
        "reviewer_id",
        "review_date",
        "review_comment",
        "signed_by_id",
        "filing_number",
        "filed_by_id",
        "date_filed",
    }
)
TERMS_FIELDS = frozenset({"template_id", "terms"})
SIGNATURE_FIELDS = frozenset({"date_signed"})
SCAN_FIELDS = frozenset({"signed_copy", "signed_copy_filename"})
FILING_FIELDS = frozenset({"date_received", "storage_location"})
#: What a user may no longer change in each state: the terms once signed, the
#: signature date outside its step, the scan once filed, the filing data before signing.
LOCKED_FIELDS = {
    "draft": SIGNATURE_FIELDS | SCAN_FIELDS | FILING_FIELDS,
    "review": SIGNATURE_FIELDS | SCAN_FIELDS | FILING_FIELDS,
    "rejected": SIGNATURE_FIELDS | SCAN_FIELDS | FILING_FIELDS,
    "approved": FILING_FIELDS,
    "signed": TERMS_FIELDS | SIGNATURE_FIELDS,
    "filed": TERMS_FIELDS | SIGNATURE_FIELDS | SCAN_FIELDS,
}

#: The placeholders every user may put in a contract template: formatted values of
#: the order, rendered without evaluating code (see mail_allowed_qweb_expressions).
TERM_FIELDS = (
    "term_seller",
    "term_seller_address",
    "term_buyer",
    "term_buyer_address",
    "term_buyer_vat",
    "term_order_ref",
    "term_order_date",
    "term_amount_untaxed",
    "term_amount_tax",
    "term_amount_total",
    "term_amount_total_capitals",
    "term_payment_terms",
    "term_delivery_address",
    "term_delivery_date",
    "term_salesperson",
    "term_lines",
)


class SalesPolicyContract(models.Model):
    """A sales contract (销售合同) per order, with legal review and filing (篇四 §13).

    * Made from the company's contract template (合同范本): the terms are the template
      rendered with the order's data, and stay editable.
    * Legal review before signing (合同签订前,应由法务部门进行审核): draft → legal
      review → approved / rejected (with comments). The review is the ``legal`` level
      of the approval engine: only legal reviewers decide, never on a contract of their
      own, from the same inbox as every approver. Any change of the terms, or of the
      order's amount, currency or customer, voids the approval and sends the contract
      back to legal review.
    * Major contracts (amount ≥ the company's threshold) also need the director's
      approval (篇四 §5.6): the engine's next level, after legal, required before
      signing and before the order is confirmed.
    * The order is confirmed only once legal approved its contract (orders below the
      company's exemption amount excepted; none by default).
    * Signed → filed (备案) by the contract administration: filing number (sequence),
      date the original was received, storage location. Signed contracts not filed
      within the company's number of days are flagged daily (alert engine, rule
      ``contract_unfiled``).

    Workflow fields are written by the server only (``sudo``), never by a user's write,
    whatever the context (workflow guard).
    """

    _name = "sales.policy.contract"
    _description = "Sales Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.approval.mixin"]
    _order = "id desc"
    _mail_post_access = "read"
    _check_company_auto = True

    name = fields.Char(
        string="Contract Number", required=True, readonly=True, copy=False, default="/", index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('state', 'in', ('draft', 'sent', 'sale'))]",
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", string="Customer", store=True, index=True
    )
    partner_uscc = fields.Char(
        related="partner_id.commercial_partner_id.sales_policy_uscc",
        string="Unified Social Credit Code",
    )
    user_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", store=True, index=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id", store=True)
    amount_total = fields.Monetary(related="order_id.amount_total", string="Total", store=True)
    amount_total_capitals = fields.Char(
        related="order_id.sales_policy_amount_in_capitals", string="Total in Capitals"
    )
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    is_major = fields.Boolean(
        string="Major Contract",
        compute="_compute_is_major",
        store=True,
        help="The amount reaches the company's major contract amount: the director "
        "approves the contract too (篇四 §5.6).",
    )
    template_id = fields.Many2one(
        "sales.policy.contract.template",
        default=lambda self: self.env["sales.policy.contract.template"]._default_for_company(
            self.env.company
        ),
        domain="[('company_id', 'in', [company_id, False])]",
        check_company=True,
        tracking=True,
    )
    terms = fields.Html(
        sanitize_style=True,
        help="The text of the contract: the template with the order's data filled in. "
        "A change after legal approval sends the contract back to legal review.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("review", "Legal Review"),
            ("approved", "Approved by Legal"),
            ("rejected", "Rejected"),
            ("signed", "Signed"),
            ("filed", "Filed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_submitted = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    reviewer_id = fields.Many2one(
        "res.users", string="Legal Reviewer", compute="_compute_review", compute_sudo=True
    )
    review_date = fields.Datetime(
        string="Reviewed On", compute="_compute_review", compute_sudo=True
    )
    review_comment = fields.Text(
        string="Legal Comments", compute="_compute_review", compute_sudo=True
    )
    can_review = fields.Boolean(compute="_compute_can_review")
    date_signed = fields.Date(string="Signed On", copy=False, tracking=True)
    signed_by_id = fields.Many2one(
        "res.users",
        string="Signature Recorded By",
        readonly=True,
        copy=False,
    )
    signed_copy = fields.Binary(string="Scanned Copy", attachment=True, copy=False)
    signed_copy_filename = fields.Char(copy=False)
    filing_number = fields.Char(readonly=True, copy=False, tracking=True, index="btree_not_null")
    date_received = fields.Date(
        string="Original Received On",
        copy=False,
        tracking=True,
        help="The day the contract administration received the signed original.",
    )
    storage_location = fields.Char(
        copy=False, tracking=True, help="Where the signed original is kept (cabinet, box…)."
    )
    filed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_filed = fields.Date(string="Filed On", readonly=True, copy=False)
    filing_deadline = fields.Date(
        compute="_compute_filing_deadline",
        help="A signed contract is filed by this day (signature date plus the company's "
        "days to file).",
    )
    is_filing_overdue = fields.Boolean(
        string="Filing Overdue",
        compute="_compute_filing_deadline",
        search="_search_is_filing_overdue",
    )

    # placeholders of the contract templates (formatted values of the order)
    term_seller = fields.Char(string="Seller", compute="_compute_terms_values")
    term_seller_address = fields.Char(string="Seller Address", compute="_compute_terms_values")
    term_buyer = fields.Char(string="Buyer", compute="_compute_terms_values")
    term_buyer_address = fields.Char(string="Buyer Address", compute="_compute_terms_values")
    term_buyer_vat = fields.Char(string="Buyer Tax ID", compute="_compute_terms_values")
    term_order_ref = fields.Char(string="Order Reference", compute="_compute_terms_values")
    term_order_date = fields.Char(string="Order Date", compute="_compute_terms_values")
    term_amount_untaxed = fields.Char(string="Untaxed Amount", compute="_compute_terms_values")
    term_amount_tax = fields.Char(string="Taxes", compute="_compute_terms_values")
    term_amount_total = fields.Char(string="Total Amount", compute="_compute_terms_values")
    term_amount_total_capitals = fields.Char(
        string="Total Amount in Capitals", compute="_compute_terms_values"
    )
    term_payment_terms = fields.Char(string="Payment Terms", compute="_compute_terms_values")
    term_delivery_address = fields.Char(string="Delivery Address", compute="_compute_terms_values")
    term_delivery_date = fields.Char(string="Delivery Date", compute="_compute_terms_values")
    term_salesperson = fields.Char(string="Salesperson Name", compute="_compute_terms_values")
    term_lines = fields.Html(
        string="Products and Prices", compute="_compute_terms_values", sanitize=False
    )

    _order_uniq = models.UniqueIndex("(order_id)", "An order has one sales contract.")

    # ------------------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------------------
    @api.depends(
        "amount_total",
        "currency_id",
        "company_id.sales_policy_contract_major_amount",
        "order_id.date_order",
    )
    def _compute_is_major(self):
        for contract in self:
            threshold = contract.company_id.sales_policy_contract_major_amount
            contract.is_major = bool(
                contract.order_id
                and threshold > 0
                and contract._sales_policy_amount_company() >= threshold
            )

    @api.depends("policy_approval_ids.state", "policy_approval_ids.decided_by_id")
    def _compute_review(self):
        """The legal review of the latest submission (approval engine, level legal)."""
        for contract in self:
            step = contract._policy_approval_current_steps().filtered(
                lambda s: s.level == "legal" and s.decided_by_id
            )[:1]
            contract.reviewer_id = step.decided_by_id
            contract.review_date = step.decision_date
            contract.review_comment = step.comment

    @api.depends("policy_approval_ids.state")
    @api.depends_context("uid")
    def _compute_can_review(self):
        for contract in self:
            step = contract._policy_approval_pending_step()
            contract.can_review = step.level == "legal" and step._can_be_decided_by(self.env.user)

    @api.depends("state", "date_signed", "company_id.sales_policy_contract_filing_days")
    def _compute_filing_deadline(self):
        today = fields.Date.context_today(self)
        for contract in self:
            deadline = contract.date_signed and contract.date_signed + timedelta(
                days=contract.company_id.sales_policy_contract_filing_days
            )
            contract.filing_deadline = deadline
            contract.is_filing_overdue = bool(
                contract.state == "signed" and deadline and deadline < today
            )

    def _search_is_filing_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._sales_policy_unfiled_domain(fields.Date.context_today(self))
        positive = (True in value) == (operator == "in")
        return domain if positive else ~domain

    @api.depends(
        "order_id.company_id",
        "order_id.partner_id",
        "order_id.partner_shipping_id",
        "order_id.amount_total",
        "order_id.currency_id",
        "order_id.partner_id.commercial_partner_id.sales_policy_uscc",
        "order_id.order_line",
        "order_id.payment_term_id",
        "order_id.commitment_date",
        "order_id.user_id",
    )
    @api.depends_context("lang")
    def _compute_terms_values(self):
        for contract in self:
            order = contract.order_id
            company = order.company_id
            buyer = order.partner_id.commercial_partner_id
            currency = order.currency_id
            address = self._sales_policy_address
            delivery = order.commitment_date or order.expected_date
            contract.update(
                {
                    "term_seller": company.name or "",
                    "term_seller_address": address(company.partner_id) if company else "",
                    "term_buyer": buyer.name or "",
                    "term_buyer_address": address(buyer) if buyer else "",
                    "term_buyer_vat": buyer.sales_policy_uscc or buyer.vat or "",
                    "term_order_ref": order.name or "",
                    "term_order_date": format_date(self.env, order.date_order)
                    if order.date_order
                    else "",
                    "term_amount_untaxed": format_amount(self.env, order.amount_untaxed, currency)
                    if currency
                    else "",
                    "term_amount_tax": format_amount(self.env, order.amount_tax, currency)
                    if currency
                    else "",
                    "term_amount_total": format_amount(self.env, order.amount_total, currency)
                    if currency
                    else "",
                    "term_amount_total_capitals": order.sales_policy_amount_in_capitals or "",
                    "term_payment_terms": order.payment_term_id.name or "",
                    "term_delivery_address": address(order.partner_shipping_id)
                    if order.partner_shipping_id
                    else "",
                    "term_delivery_date": format_date(self.env, delivery) if delivery else "",
                    "term_salesperson": order.user_id.name or "",
                    "term_lines": contract._sales_policy_lines_table(),
                }
            )

    @api.model
    def _sales_policy_address(self, partner):
        """The address of ``partner`` on one line."""
        lines = partner._display_address(without_company=True).splitlines()
        return " ".join(line.strip() for line in lines if line.strip())

    def _sales_policy_lines_table(self):
        """The order's products and prices as an HTML table (QWeb escapes the values)."""
        self.ensure_one()
        order = self.order_id
        lines = order.order_line.filtered(lambda line: not line.display_type)
        if not lines:
            return Markup()
        return self.env["ir.qweb"]._render(
            "sales_policy.contract_term_lines",
            {
                "lines": lines,
                "currency": order.currency_id,
                "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
            },
        )

    @api.constrains("date_signed", "date_received")
    def _check_dates(self):
        for contract in self:
            if (
                contract.date_signed
                and contract.date_received
                and contract.date_received < contract.date_signed
            ):
                raise ValidationError(
                    self.env._(
                        "The original of %(contract)s cannot be received before it was signed.",
                        contract=contract.name,
                    )
                )

    def mail_allowed_qweb_expressions(self):
        return (
            *super().mail_allowed_qweb_expressions(),
            *(f"object.{fname}" for fname in TERM_FIELDS),
        )

    # ------------------------------------------------------------------------------
    # Approval engine hooks: legal review (篇四 §13), then the director for a major
    # contract (篇四 §5.6)
    # ------------------------------------------------------------------------------
    def _policy_approval_levels(self):
        self.ensure_one()
        return ["legal", "director"] if self.is_major else ["legal"]

    def _policy_approval_control(self):
        return "contract_legal_review"

    def _policy_approval_snapshot(self):
        self.ensure_one()
        return self._sales_policy_snapshot()

    def _policy_approval_is_watched(self):
        self.ensure_one()
        return self.state in ("review", "approved")

    def _policy_approval_activity_type(self, step):
        if step.level == "legal":
            return "sales_policy.mail_activity_type_contract_review"
        return super()._policy_approval_activity_type(step)

    def _policy_approval_check_submit(self):
        self.ensure_one()
        if self.state not in ("draft", "rejected"):
            raise UserError(
                self.env._(
                    "%(contract)s is already %(state)s.",
                    contract=self.name,
                    state=self._sales_policy_state_label(),
                )
            )
        if self.order_state == "cancel":
            raise UserError(
                self.env._("The order %(order)s is cancelled.", order=self.order_id.display_name)
            )
        if is_html_empty(self.terms):
            raise UserError(
                self.env._(
                    "Write the terms of %(contract)s (or fill them in from the template) "
                    "before submitting it to legal review.",
                    contract=self.name,
                )
            )

    def _on_policy_submitted(self):
        contract = self.sudo()
        contract.write(
            {
                "state": "review",
                "submitted_by_id": self.env.uid,
                "date_submitted": fields.Datetime.now(),
            }
        )
        contract.activity_unlink(["sales_policy.mail_activity_type_contract_sign"])

    def _on_policy_next_level(self, step):
        # legal approved; the director decides next (major contract)
        self.sudo().write({"state": "approved"})

    def _on_policy_approved(self):
        for contract in self:
            contract.sudo().write({"state": "approved"})
            contract._sales_policy_schedule_signature()

    def _on_policy_rejected(self):
        for contract in self.sudo():
            contract.write({"state": "rejected"})
            contract.activity_unlink(["sales_policy.mail_activity_type_contract_sign"])

    def _on_policy_voided(self, changed):
        """A change of the approved content: the contract goes back to legal review."""
        for contract in self:
            if contract.state not in ("review", "approved"):
                continue
            params = {
                "changes": ", ".join(contract._policy_approval_describe(changed)),
                "article": self.env["sales.policy.control"]._cite("contract_legal_review"),
            }
            if contract.state == "approved":
                body = self.env._(
                    "Changed after legal approval (%(changes)s): back to legal review "
                    "(%(article)s).",
                    **params,
                )
            else:
                body = self.env._(
                    "Changed during legal review (%(changes)s): legal reviews the new "
                    "version (%(article)s).",
                    **params,
                )
            contract._policy_approval_start(
                contract._policy_approval_route(contract._policy_approval_levels(), strict=False)
            )
            contract.sudo().message_post(
                author_id=self.env.user.partner_id.id, body=body, subtype_xmlid="mail.mt_note"
            )

    # ------------------------------------------------------------------------------
    # CRUD: workflow fields are the server's
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name") == "/":
                del vals["name"]  # the number comes from the sequence, below
        Template = self.env["sales.policy.contract.template"]
        orders = self.env["sale.order"].browse(
            [vals["order_id"] for vals in vals_list if vals.get("order_id")]
        )
        for vals in vals_list:
            order = orders.browse(vals.get("order_id"))
            if order and order.state == "cancel":
                raise UserError(
                    self.env._(
                        "The order %(order)s is cancelled: it gets no contract.",
                        order=order.display_name,
                    )
                )
            if "template_id" not in vals and order:
                vals["template_id"] = Template._default_for_company(order.company_id).id
        contracts = super().create(vals_list)
        for contract in contracts.filtered(lambda c: c.name == "/").sudo():
            contract.name = (
                self.env["ir.sequence"]
                .with_company(contract.company_id or self.env.company)
                .next_by_code("sales.policy.contract")
                or "/"
            )
        to_render = contracts.filtered(lambda c: c.template_id and is_html_empty(c.terms))
        to_render._sales_policy_render_terms()
        return contracts

    def write(self, vals):
        if "order_id" in vals and any(c.order_id.id != vals["order_id"] for c in self):
            raise UserError(self.env._("A contract stays with the order it was made for."))
        return super().write(vals)

    # ------------------------------------------------------------------------------
    # Workflow guard
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | SYSTEM_FIELDS

    def _policy_guard_locked_fields(self):
        return LOCKED_FIELDS

    def _policy_guard_field_groups(self):
        return dict.fromkeys(FILING_FIELDS, ("sales_policy.group_contract_admin",))

    def _policy_guard_deletable_states(self):
        return ("draft",)

    def _sales_policy_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_render_terms(self):
        """Fill the terms in again from the template with the order's current data."""
        self.check_access("write")
        for contract in self:
            if not contract.template_id:
                raise UserError(self.env._("Choose the contract template first."))
        self._sales_policy_render_terms()
        return True

    def action_submit_review(self):
        """Submit the contract to legal review (合同签订前,应由法务部门进行审核)."""
        return self.action_policy_submit()

    def action_legal_approve(self):
        for contract in self:
            contract._sales_policy_legal_decide("approved")
        return True

    def action_legal_reject(self, comment):
        for contract in self:
            contract._sales_policy_legal_decide("rejected", comment)
        return True

    def action_legal_decide_wizard(self):
        """The approve / reject dialog (with comments) of the legal review."""
        self.ensure_one()
        return self.action_policy_decide_wizard()

    def action_sign_dialog(self):
        self.ensure_one()
        return self._sales_policy_dialog(
            self.env._("Record the Signature"),
            "sales_policy.sales_policy_contract_view_form_sign",
        )

    def action_sign(self):
        """Record the signature (after legal approval, and the director's for a major
        contract): signature date, optional scanned copy; the original goes to the
        contract administration for filing."""
        self.check_access("write")
        cite = self.env["sales.policy.control"]._cite
        today = fields.Date.context_today(self)
        for contract in self:
            if contract.state != "approved":
                raise UserError(
                    self.env._(
                        "%(contract)s cannot be signed: it is %(state)s, and a contract is "
                        "signed only once legal approved it (%(article)s).",
                        contract=contract.name,
                        state=contract._sales_policy_state_label(),
                        article=cite("contract_legal_review"),
                    )
                )
            contract._sales_policy_check_review_current()
            if contract.is_major and contract.policy_approval_state != "approved":
                raise UserError(
                    self.env._(
                        "%(contract)s is a major contract: the director approves it before "
                        "it is signed (%(article)s).",
                        contract=contract.name,
                        article=cite("contract_major_approval"),
                    )
                )
            date_signed = contract.date_signed or today
            if date_signed > today:
                raise UserError(self.env._("The signature date cannot be in the future."))
            review_day = fields.Date.context_today(contract, contract.review_date)
            if date_signed < review_day:
                raise UserError(
                    self.env._(
                        "%(contract)s was approved by legal on %(date)s: it cannot have been "
                        "signed before (%(article)s).",
                        contract=contract.name,
                        date=format_date(self.env, review_day),
                        article=cite("contract_legal_review"),
                    )
                )
            contract.sudo().write(
                {"state": "signed", "date_signed": date_signed, "signed_by_id": self.env.uid}
            )
            contract.sudo().activity_feedback(["sales_policy.mail_activity_type_contract_sign"])
            contract._sales_policy_schedule_filing()
        return True

    def action_file_dialog(self):
        self.ensure_one()
        self._sales_policy_check_contract_admin()
        return self._sales_policy_dialog(
            self.env._("File the Contract"),
            "sales_policy.sales_policy_contract_view_form_file",
        )

    def action_file(self):
        """File the signed original (备案): contract administration only."""
        self._sales_policy_check_contract_admin()
        self.check_access("write")
        today = fields.Date.context_today(self)
        for contract in self:
            if contract.state != "signed":
                raise UserError(
                    self.env._(
                        "Only signed contracts are filed; %(contract)s is %(state)s.",
                        contract=contract.name,
                        state=contract._sales_policy_state_label(),
                    )
                )
            if not contract.date_received or not (contract.storage_location or "").strip():
                raise UserError(
                    self.env._(
                        "To file %(contract)s, record the day the original was received and "
                        "where it is stored (%(article)s).",
                        contract=contract.name,
                        article=self.env["sales.policy.control"]._cite("contract_filing"),
                    )
                )
            if contract.date_received > today or contract.date_received < contract.date_signed:
                raise UserError(
                    self.env._(
                        "The original of %(contract)s is received between its signature "
                        "(%(date)s) and today.",
                        contract=contract.name,
                        date=format_date(self.env, contract.date_signed),
                    )
                )
            number = (
                self.env["ir.sequence"]
                .with_company(contract.company_id)
                .next_by_code("sales.policy.contract.filing")
            )
            contract.sudo().write(
                {
                    "state": "filed",
                    "filing_number": number,
                    "filed_by_id": self.env.uid,
                    "date_filed": today,
                }
            )
            contract.sudo().activity_feedback(["sales_policy.mail_activity_type_contract_filing"])
            contract.sudo().message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Filed under %(number)s, original kept at %(location)s (%(article)s).",
                    number=number,
                    location=contract.storage_location,
                    article=self.env["sales.policy.control"]._cite("contract_filing"),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }

    @api.model
    def _action_open_for_order(self, order):
        """The contract of ``order`` (a new one, ready to fill in, when it has none)."""
        order.ensure_one()
        contract = self.search([("order_id", "=", order.id)], limit=1)
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Contract"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
        }
        if contract:
            action["res_id"] = contract.id
        else:
            action["context"] = {"default_order_id": order.id}
        return action

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _sales_policy_dialog(self, title, view_xmlid):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref(view_xmlid).id, "form")],
            "target": "new",
        }

    def _sales_policy_amount_company(self):
        """The contract amount (order total) in the company's currency."""
        self.ensure_one()
        order = self.order_id
        company = order.company_id or self.env.company
        return order.currency_id._convert(
            order.amount_total,
            company.currency_id,
            company,
            order.date_order or fields.Date.context_today(self),
        )

    def _sales_policy_snapshot(self):
        """What legal (and the director) approved: the terms, the order's amount,
        currency and customer, and everything the contract shows from the order (its
        placeholders: delivery date and address, payment terms, lines, addresses…),
        read in one language so that the reader's does not count as a change."""
        self.ensure_one()
        order = self.order_id

        def digest(text):
            return hashlib.sha256((text or "").encode()).hexdigest()

        snapshot = {
            "terms": digest(self.terms),
            "amount_total": order.currency_id.round(order.amount_total),
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_id.id,
        }
        shown = self.with_context(lang="en_US")
        for fname in TERM_FIELDS:
            snapshot[fname] = digest(str(shown[fname] or ""))
        return snapshot

    def _sales_policy_changes(self):
        self.ensure_one()
        before = self.policy_approval_snapshot or {}
        after = self._sales_policy_snapshot()
        return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))

    def _sales_policy_check_review_current(self):
        self.ensure_one()
        changed = self._sales_policy_changes()
        if changed:
            raise UserError(
                self.env._(
                    "%(contract)s changed after legal approved it (%(changes)s): submit it to "
                    "legal review again (%(article)s).",
                    contract=self.name,
                    changes=", ".join(self._policy_approval_describe(changed)),
                    article=self.env["sales.policy.control"]._cite("contract_legal_review"),
                )
            )

    def _sales_policy_render_terms(self):
        for template, contracts in self.grouped("template_id").items():
            if not template:
                continue
            rendered = template._render_contract_terms(contracts)
            for contract in contracts:
                contract.terms = rendered[contract.id]

    def _sales_policy_check_contract_admin(self):
        if not self.env.su and not self.env.user.has_group("sales_policy.group_contract_admin"):
            raise AccessError(
                self.env._(
                    "Only the contract administration files contracts (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("contract_filing"),
                )
            )

    def _sales_policy_company_users(self, group_xmlid, exclude=None):
        """Active internal users of ``group_xmlid`` working for the contract's company."""
        self.ensure_one()
        users = self.env.ref(group_xmlid).sudo().all_user_ids
        return users._sales_policy_working_for(self.company_id, exclude)

    def _sales_policy_legal_decide(self, decision, comment=False):
        """The legal review's decision: the engine's, on the pending legal level."""
        self.ensure_one()
        self.check_access("read")
        if self._policy_approval_pending_step().level != "legal":
            raise UserError(
                self.env._("%(contract)s is not waiting for legal review.", contract=self.name)
            )
        self._policy_approval_decide(decision, comment)

    def _sales_policy_schedule_signature(self):
        self.ensure_one()
        user = self.user_id or self.env.user
        env = self.with_context(lang=user.lang or self.env.lang).env  # the salesperson's language
        self.sudo().activity_schedule(
            "sales_policy.mail_activity_type_contract_sign",
            user_id=user.id,
            summary=env._("Have contract %(contract)s signed", contract=self.name),
            note=env._(
                "The contract %(contract)s is approved: have it signed, record the signature "
                "and hand the original to the contract administration (%(article)s).",
                contract=self.name,
                article=env["sales.policy.control"]._cite("contract_filing"),
            ),
        )

    def _sales_policy_schedule_filing(self):
        self.ensure_one()
        deadline = self.date_signed + timedelta(
            days=self.company_id.sales_policy_contract_filing_days
        )
        for admin in self._sales_policy_company_users("sales_policy.group_contract_admin"):
            env = self.with_context(
                lang=admin.lang or self.env.lang
            ).env  # each administrator's language
            self.sudo().activity_schedule(
                "sales_policy.mail_activity_type_contract_filing",
                date_deadline=deadline,
                user_id=admin.id,
                summary=env._("File contract %(contract)s", contract=self.name),
                note=env._(
                    "The contract %(contract)s was signed on %(date)s: file the original "
                    "by %(deadline)s (%(article)s).",
                    contract=self.name,
                    date=format_date(env, self.date_signed),
                    deadline=format_date(env, deadline),
                    article=env["sales.policy.control"]._cite("contract_filing"),
                ),
            )

    @api.model
    def _sales_policy_order_changed(self, orders):
        """Hook of sale.order: the orders may have changed (amount, customer…)."""
        if not orders:
            return
        contracts = self.sudo().search(
            [("order_id", "in", orders.ids), ("state", "in", ("review", "approved"))]
        )
        if contracts:
            contracts.with_env(self.env(su=True))._policy_approval_recheck()

    @api.model
    def _sales_policy_partners_changed(self, partners):
        """Hook of res.partner: the address, name or tax id of ``partners`` changed; the
        contracts showing them (buyer or delivery address) are checked again."""
        if not partners:
            return
        contracts = self.sudo().search(
            [
                ("state", "in", ("review", "approved")),
                "|",
                ("order_id.partner_shipping_id", "in", partners.ids),
                ("order_id.partner_id.commercial_partner_id", "in", partners.ids),
            ]
        )
        if contracts:
            contracts.with_env(self.env(su=True))._policy_approval_recheck()

    # ------------------------------------------------------------------------------
    # Unfiled contracts (alert engine)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_unfiled_domain(self, today):
        """Signed contracts not filed within their company's days on ``today``: one
        grouped query for the companies, the rest is a domain."""
        companies = [
            company
            for (company,) in self.sudo()._read_group([("state", "=", "signed")], ["company_id"])
        ]
        per_company = [
            Domain("company_id", "=", company.id)
            & Domain(
                "date_signed",
                "<",
                today - timedelta(days=company.sales_policy_contract_filing_days),
            )
            for company in companies
        ]
        return Domain("state", "=", "signed") & Domain.OR(per_company)

    @api.model
    def _sales_policy_alert_contract_unfiled(self, rule):
        """Alert rule ``contract_unfiled``: signed contracts, counted from the first day
        past their filing deadline (the signature date plus the company's days to file,
        Sales settings). One query."""
        Contract = self.sudo()
        query = Contract._search(Domain("state", "=", "signed") & rule._get_record_domain())
        Contract.flush_model(["user_id", "date_signed", "company_id"])
        self.env["res.company"].flush_model(["sales_policy_contract_filing_days"])
        return SQL(
            """
            SELECT contract.id AS res_id, contract.user_id,
                   contract.date_signed + company.sales_policy_contract_filing_days + 1 AS since
              FROM sales_policy_contract contract
              JOIN res_company company ON company.id = contract.company_id
             WHERE contract.id IN %s
            """,
            query.subselect(),
        )
