from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .sales_policy_workflow_guard import ALL_FIELDS

#: Who may move a case, from which states, to which state (the workflow guard's
#: transitions; the buttons write the state).
TRANSITIONS = {
    "action_legal": (("collecting",), "legal", ("finance", "legal")),
    "action_back_to_collecting": (("legal",), "collecting", ("finance", "legal")),
    "action_provision": (("collecting", "legal"), "provisioned", ("finance",)),
    "action_write_off": (("provisioned",), "written_off", ("finance",)),
    "action_recover": (("collecting", "legal", "provisioned"), "recovered", ("finance", "legal")),
    "action_reopen": (("recovered", "written_off"), "collecting", ("finance",)),
}
ROLE_GROUPS = {
    "finance": "sales_policy.group_finance",
    "legal": "sales_policy.group_legal",
}
#: Fields legal may edit on a case (finance edits every editable field).
LEGAL_FIELDS = {"legal_user_id", "legal_notes"}
#: Fields set by the system only.
SYSTEM_FIELDS = {
    "state",
    "invoice_id",
    "origin",
    "reported_by_id",
    "amount_at_risk",
    "date_opened",
    "date_closed",
}


class SalesPolicyBadDebt(models.Model):
    """A bad-debt risk case (坏账风险, 篇二 §14.4, 篇四 §15.4).

    A customer invoice at risk of never being paid becomes a case of its own, owned
    by finance, that legal can act on:

    collecting → legal involved → provisioned → written off, or recovered at any
    point before the write-off.

    A case is opened by whoever reports the risk on the invoice (its salesperson,
    their superiors, finance), or by the ``bad_debt`` alert rule when an invoice is
    overdue beyond the company's threshold (its "on raise" hook, so the engine's
    de-duplication and escalation apply). Either way the risk is reported upward:
    the salesperson's regional manager and the sales director get an activity. A paid
    invoice closes its case as recovered. The state changes only through the action
    methods, for the roles of :data:`TRANSITIONS`; a salesperson follows the case but
    cannot change it.
    """

    _name = "sales.policy.bad.debt"
    _description = "Bad-Debt Risk Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "sales.policy.workflow.guard"]
    _order = "date_opened desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"
    _OPEN_STATES = ("collecting", "legal", "provisioned")

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    invoice_id = fields.Many2one(
        "account.move",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    partner_id = fields.Many2one(
        related="invoice_id.commercial_partner_id", store=True, index=True, string="Customer"
    )
    user_id = fields.Many2one(
        related="invoice_id.invoice_user_id", store=True, index=True, string="Salesperson"
    )
    team_id = fields.Many2one(related="invoice_id.team_id", store=True, string="Sales Team")
    region_id = fields.Many2one(related="team_id.region_id", store=True, string="Region")
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    state = fields.Selection(
        [
            ("collecting", "Collecting"),
            ("legal", "Legal Involved"),
            ("provisioned", "Provisioned"),
            ("written_off", "Written Off"),
            ("recovered", "Recovered"),
        ],
        required=True,
        default="collecting",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    origin = fields.Selection(
        [("manual", "Reported"), ("overdue", "Overdue Threshold")],
        required=True,
        default="manual",
        readonly=True,
    )
    reported_by_id = fields.Many2one("res.users", readonly=True)
    date_opened = fields.Date(
        string="Opened On", required=True, readonly=True, default=fields.Date.context_today
    )
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    amount_at_risk = fields.Monetary(
        string="Amount at Risk",
        readonly=True,
        help="What was still owed on the invoice when the case was opened (company currency).",
    )
    amount_residual = fields.Monetary(
        related="invoice_id.amount_residual_signed", string="Still Open"
    )
    days_overdue = fields.Integer(related="invoice_id.sales_policy_days_overdue")
    finance_user_id = fields.Many2one(
        "res.users",
        string="Finance Owner",
        tracking=True,
        domain=lambda self: [
            ("group_ids", "in", self.env.ref("sales_policy.group_finance").ids),
            ("share", "=", False),
        ],
    )
    legal_user_id = fields.Many2one(
        "res.users",
        string="Legal Counsel",
        tracking=True,
        domain=lambda self: [
            ("group_ids", "in", self.env.ref("sales_policy.group_legal").ids),
            ("share", "=", False),
        ],
    )
    description = fields.Text(string="Risk Description")
    legal_notes = fields.Text()
    provision_amount = fields.Monetary(tracking=True)

    _invoice_open_uniq = models.UniqueIndex(
        "(invoice_id) WHERE state IN ('collecting', 'legal', 'provisioned')",
        "This invoice already has an open bad-debt risk case.",
    )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # users open cases through the invoice (report) or the daily job, with sudo
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("sales.policy.bad.debt") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------------------
    # Workflow guard: finance owns the case, legal acts on it, the buttons move it
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | SYSTEM_FIELDS

    def _policy_guard_field_groups(self):
        finance = (ROLE_GROUPS["finance"],)
        return {
            ALL_FIELDS: finance,
            **dict.fromkeys(LEGAL_FIELDS, (ROLE_GROUPS["finance"], ROLE_GROUPS["legal"])),
        }

    def _policy_guard_transitions(self):
        transitions = defaultdict(dict)
        for from_states, to_state, roles in TRANSITIONS.values():
            for from_state in from_states:
                transitions[from_state][to_state] = tuple(ROLE_GROUPS[role] for role in roles)
        return transitions

    def _policy_guard_control(self):
        return "collection_bad_debt"

    def _policy_guard_hint(self, kind):
        if kind == "system":
            return self.env._(
                "Open a case with “Report Bad-Debt Risk” on the invoice and move it with "
                "the buttons."
            )
        return super()._policy_guard_hint(kind)

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def _sales_policy_transition(self, action):
        to_state = TRANSITIONS[action][1]
        self.check_access("read")
        self._policy_guard_check_transition(to_state)
        closing = to_state in ("written_off", "recovered")
        self.sudo().write(
            {
                "state": to_state,
                "date_closed": fields.Date.context_today(self) if closing else False,
            }
        )
        return True

    def action_legal(self):
        """Hand the case to legal (legal involved)."""
        return self._sales_policy_transition("action_legal")

    def action_back_to_collecting(self):
        return self._sales_policy_transition("action_back_to_collecting")

    def action_provision(self):
        """Finance books a provision for the amount at risk."""
        for case in self:
            if not self.env.su and case.currency_id.compare_amounts(case.provision_amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "Set the provision amount of %(case)s before provisioning it.",
                        case=case.display_name,
                    )
                )
        return self._sales_policy_transition("action_provision")

    def action_write_off(self):
        return self._sales_policy_transition("action_write_off")

    def action_recover(self):
        return self._sales_policy_transition("action_recover")

    def action_reopen(self):
        return self._sales_policy_transition("action_reopen")

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.invoice_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_open_cases(self, invoices, origin="manual"):
        """Open a case on each invoice of ``invoices`` and report it upward.

        Manual reports need an unpaid posted customer invoice without an open case;
        the bad-debt alert rule only passes such invoices.
        """
        for invoice in invoices:
            if (
                invoice.move_type != "out_invoice"
                or invoice.state != "posted"
                or invoice.currency_id.is_zero(invoice.amount_residual)
            ):
                raise UserError(
                    self.env._(
                        "Only an unpaid posted customer invoice can be reported as a bad-debt "
                        "risk (%(invoice)s).",
                        invoice=invoice.display_name,
                    )
                )
        existing = self.sudo().search(
            [("invoice_id", "in", invoices.ids), ("state", "in", self._OPEN_STATES)]
        )
        if existing:
            raise UserError(
                self.env._(
                    "%(invoices)s already has an open bad-debt risk case: %(cases)s.",
                    invoices=", ".join(existing.invoice_id.mapped("display_name")),
                    cases=", ".join(existing.mapped("name")),
                )
            )
        cases = self.sudo().create(
            [
                {
                    "invoice_id": invoice.id,
                    "origin": origin,
                    "reported_by_id": self.env.uid if origin == "manual" else False,
                    "amount_at_risk": invoice.amount_residual_signed,
                    "provision_amount": invoice.amount_residual_signed,
                }
                for invoice in invoices
            ]
        )
        cases._sales_policy_report_upward()
        return cases

    def _sales_policy_report_upward(self):
        """Report each case to the salesperson's regional manager and the director,
        each in their own language (amounts in the company's currency)."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for case in self.sudo():
            recipients = self.env["res.users"]
            if case.user_id:
                superiors = dict(case.user_id._sales_policy_superiors())
                recipients |= superiors.get("regional_manager") or superiors.get("supervisor")
                recipients |= superiors.get("director")
            recipients |= case.company_id.sales_policy_director_id
            recipients |= case.finance_user_id
            for user in recipients.filtered("active"):
                summary, note = case._sales_policy_risk_texts(user.lang)
                case.activity_schedule(
                    activity_type_id=todo.id if todo else False,
                    summary=summary,
                    note=note,
                    user_id=user.id,
                )
            case.message_post(
                body=case._sales_policy_risk_texts(self.env.lang)[1], subtype_xmlid="mail.mt_note"
            )
            case.invoice_id.message_post(
                body=self.env._(
                    "Bad-debt risk case %(case)s opened (%(article)s).",
                    case=case.name,
                    article=self.env["sales.policy.control"]._cite("collection_bad_debt"),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _sales_policy_risk_texts(self, lang):
        """(summary, note) reporting the case in ``lang``: the amount at risk in the
        company's currency, formatted for that language."""
        self.ensure_one()
        env = self.with_context(lang=lang).env
        invoice = self.invoice_id
        if self.origin == "manual":
            summary = env._("Bad-debt risk reported: %(invoice)s", invoice=invoice.name)
        else:
            summary = env._("Bad-debt risk (overdue): %(invoice)s", invoice=invoice.name)
        note = env._(
            "%(customer)s owes %(amount)s on %(invoice)s, %(days)s days overdue; "
            "salesperson %(user)s. Finance owns the case (%(article)s).",
            customer=self.partner_id.display_name,
            amount=format_amount(env, self.amount_at_risk, self.currency_id, lang_code=lang),
            invoice=invoice.name,
            days=invoice.sales_policy_days_overdue,
            user=self.user_id.name or "-",
            article=env["sales.policy.control"]._cite("collection_bad_debt"),
        )
        return summary, Markup("<p>%s</p>") % note

    def _sales_policy_recovered(self):
        """The invoices of the open cases ``self`` are paid: the cases close as
        recovered."""
        if not self:
            return
        self.sudo().write({"state": "recovered", "date_closed": fields.Date.context_today(self)})
        for case in self:
            case.message_post(
                body=self.env._("The invoice is paid: the case is closed as recovered."),
                subtype_xmlid="mail.mt_note",
            )
