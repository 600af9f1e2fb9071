from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

#: Fields that make a payment promise; frozen once the promise is kept or broken.
PROMISE_FIELDS = frozenset({"promised_amount", "promised_date", "invoice_ids", "partner_id"})


class SalesPolicyCollectionLog(models.Model):
    """A collection contact with a customer about overdue invoices (催收记录, 篇四 §15.2).

    Who was contacted and how, the customer's reason for not paying, the measures
    taken, the customer's payment promise (承诺付款: amount and date) and the next
    action. The log concerns one or more open invoices of the customer; the amount
    still open on them is recorded when the log is written, so that a promise can be
    judged later:

    * **kept**: since the log, at least the promised amount was settled on the
      invoices (or they are fully paid);
    * **pending**: not yet, and the promised date has not passed;
    * **broken**: the promised date has passed and the promised amount was not
      received. Broken promises raise an alert (rule ``collection_broken_promise``).
    """

    _name = "sales.policy.collection.log"
    _description = "Collection Log"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "sales.policy.salesperson.mixin",
        "sales.policy.workflow.guard",
    ]
    _order = "date desc, id desc"
    _check_company_auto = True
    #: the guard locks a promise by its outcome
    _policy_guard_state_field = "promise_state"

    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "sales_policy_collection_log_move_rel",
        "log_id",
        "move_id",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('amount_residual', '>', 0)]",
        help="The open invoices this contact was about.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    contact_id = fields.Many2one(
        "res.partner",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="The person at the customer who was contacted.",
        check_company=True,
    )
    contact_method = fields.Selection(
        [
            ("phone", "Phone Call"),
            ("visit", "Visit"),
            ("email", "E-mail"),
            ("message", "Instant Message"),
            ("letter", "Letter"),
            ("other", "Other"),
        ],
        string="Contacted By",
        required=True,
        default="phone",
    )
    reason_category = fields.Selection(
        [
            ("cash_flow", "Cash-flow difficulty"),
            ("dispute", "Dispute on goods or service"),
            ("documents", "Missing documents or invoice"),
            ("approval", "Pending internal approval"),
            ("forgotten", "Forgotten / oversight"),
            ("unreachable", "Customer unreachable"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
    )
    reason = fields.Text(string="Customer's Reason", required=True)
    measures = fields.Text(string="Measures Taken")
    promised_amount = fields.Monetary(tracking=True)
    promised_date = fields.Date(string="Promised Payment Date", tracking=True)
    next_action = fields.Char()
    next_action_date = fields.Date()
    residual_at_log = fields.Monetary(
        string="Open When Logged",
        readonly=True,
        copy=False,
        help="What was still owed on the invoices when the log was written (company currency).",
    )
    amount_residual = fields.Monetary(
        string="Still Open",
        compute="_compute_promise",
        help="What is still owed on the invoices now (company currency).",
    )
    amount_settled = fields.Monetary(
        string="Settled Since",
        compute="_compute_promise",
        help="What was settled on the invoices since the log was written.",
    )
    promise_state = fields.Selection(
        [
            ("none", "No Promise"),
            ("pending", "Awaiting Payment"),
            ("kept", "Kept"),
            ("broken", "Broken"),
        ],
        string="Promise",
        compute="_compute_promise",
        search="_search_promise_state",
    )

    _promise_amount_positive = models.Constraint(
        "CHECK (promised_amount IS NULL OR promised_amount >= 0)",
        "A promised amount cannot be negative.",
    )

    # ------------------------------------------------------------------------------
    # Computes and searches
    # ------------------------------------------------------------------------------

    @api.depends("invoice_ids.amount_residual_signed", "promised_amount", "promised_date")
    @api.depends_context("uid")
    def _compute_promise(self):
        today = fields.Date.context_today(self)
        for log in self:
            residual = sum(log.sudo().invoice_ids.mapped("amount_residual_signed"))
            log.amount_residual = residual
            log.amount_settled = max(log.residual_at_log - residual, 0.0)
            log.promise_state = log._sales_policy_promise_state(residual, today)

    def _sales_policy_promise_state(self, residual, today):
        self.ensure_one()
        if not self.promised_date or not self.promised_amount:
            return "none"
        currency = self.currency_id or self.env.company.currency_id
        settled = self.residual_at_log - residual
        if (
            currency.is_zero(residual)
            or currency.compare_amounts(settled, self.promised_amount) >= 0
        ):
            return "kept"
        return "pending" if self.promised_date >= today else "broken"

    def _search_promise_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        ids = self._sales_policy_promise_ids(set(value))
        return [("id", operator, ids)]

    @api.model
    def _sales_policy_alert_promise_broken(self, rule):
        """Alert rule ``collection_broken_promise``: broken promises, counted from the
        day after the promised date, owned by the log's salesperson; the rule's filter
        and company apply. One query."""
        Log = self.sudo()
        logs = Log._search(rule._get_record_domain())
        Log.flush_model(["user_id"])
        return SQL(
            """
            SELECT log.id AS res_id, log.user_id, log.promised_date + 1 AS since
              FROM %(promise)s
              JOIN sales_policy_collection_log log ON log.id = promise.id
             WHERE promise.state = 'broken' AND log.id IN %(logs)s
            """,
            promise=Log._sales_policy_promise_sql(rule._alert_today()),
            logs=logs.subselect(),
        )

    def _sales_policy_promise_ids(self, states):
        today = fields.Date.context_today(self)
        rows = self.env.execute_query(
            SQL(
                "SELECT promise.id FROM %s WHERE promise.state = ANY(%s)",
                self._sales_policy_promise_sql(today),
                list(states),
            )
        )
        return [row[0] for row in rows]

    def _sales_policy_promise_sql(self, today):
        """A subquery ``promise(id, state)`` giving every log's promise state today."""
        self.flush_model(["promised_amount", "promised_date", "residual_at_log"])
        self.env["account.move"].flush_model(["amount_residual_signed"])
        return SQL(
            """
            (SELECT log.id,
                    CASE WHEN log.promised_date IS NULL OR COALESCE(log.promised_amount, 0) = 0
                              THEN 'none'
                         WHEN ROUND(COALESCE(open.residual, 0), 2) = 0
                              OR log.residual_at_log - COALESCE(open.residual, 0)
                                 >= log.promised_amount - 0.005
                              THEN 'kept'
                         WHEN log.promised_date >= %(today)s THEN 'pending'
                         ELSE 'broken'
                    END AS state
               FROM sales_policy_collection_log log
          LEFT JOIN (SELECT rel.log_id, SUM(move.amount_residual_signed) AS residual
                       FROM sales_policy_collection_log_move_rel rel
                       JOIN account_move move ON move.id = rel.move_id
                   GROUP BY rel.log_id) open ON open.log_id = log.id
            ) AS promise
            """,
            today=today,
        )

    # ------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------
    @api.constrains("partner_id", "invoice_ids", "promised_amount", "promised_date")
    def _check_invoices(self):
        for log in self:
            invoices = log.sudo().invoice_ids
            wrong = invoices.filtered(
                lambda m, log=log: (
                    m.move_type != "out_invoice"
                    or m.state != "posted"
                    or m.commercial_partner_id != log.partner_id.commercial_partner_id
                    or m.company_id != log.company_id
                )
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "A collection log concerns posted customer invoices of its customer "
                        "and company: %(invoices)s do not qualify.",
                        invoices=", ".join(wrong.mapped("display_name")),
                    )
                )
            if log.promised_amount and (not log.promised_date or not invoices):
                raise ValidationError(
                    self.env._(
                        "A payment promise needs a promised date and the invoices it pays "
                        "(%(article)s).",
                        article=self.env["sales.policy.control"]._cite("collection_log"),
                    )
                )

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner_id = values.get("partner_id")
        if partner_id and "invoice_ids" in fields_list and not values.get("invoice_ids"):
            # a log per customer: about every overdue invoice of the customer
            today = fields.Date.context_today(self)
            overdue = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner_id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("amount_residual", ">", 0),
                    ("invoice_date_due", "<", today),
                    ("company_id", "=", values.get("company_id") or self.env.company.id),
                ]
            )
            values["invoice_ids"] = [fields.Command.set(overdue.ids)]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._sales_policy_check_user(vals.get("user_id", self.env.uid))
        logs = super().create(vals_list)
        for log in logs:
            log.sudo().residual_at_log = sum(
                log.sudo().invoice_ids.mapped("amount_residual_signed")
            )
        logs._sales_policy_schedule_next_action()
        return logs

    def write(self, vals):
        if not self.env.su and "user_id" in vals:
            self._sales_policy_check_user(vals["user_id"])
        res = super().write(vals)
        if "invoice_ids" in vals:
            for log in self:
                log.sudo().residual_at_log = sum(
                    log.sudo().invoice_ids.mapped("amount_residual_signed")
                )
        if {"next_action", "next_action_date", "user_id"} & set(vals):
            self._sales_policy_schedule_next_action()
        return res

    def _sales_policy_check_user(self, user_id):
        """A rep logs their own collection work; supervisors and finance log for others."""
        if user_id == self.env.uid or self.env.su:
            return
        if not (
            self.env.user.has_group("sales_policy.group_sales_supervisor")
            or self.env.user.has_group("sales_policy.group_sales_assistant")
            or self.env.user.has_group("sales_policy.group_finance")
        ):
            raise UserError(
                self.env._(
                    "You can only log your own collection work (%(article)s).",
                    article=self.env["sales.policy.control"]._cite("collection_log"),
                )
            )

    # ------------------------------------------------------------------------------
    # Workflow guard: a kept or broken promise is on record
    # ------------------------------------------------------------------------------
    def _policy_guard_system_fields(self):
        return super()._policy_guard_system_fields() | {"residual_at_log"}

    def _policy_guard_locked_fields(self):
        return {"kept": PROMISE_FIELDS, "broken": PROMISE_FIELDS}

    def _policy_guard_control(self):
        return "collection_broken_promise"

    def _policy_guard_hint(self, kind):
        if kind == "locked":
            return self.env._("Log the new promise in a new collection log.")
        return super()._policy_guard_hint(kind)

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for log in self:
            log.display_name = self.env._(
                "%(customer)s, %(date)s",
                customer=log.partner_id.display_name or "",
                date=(log.date and fields.Date.to_string(log.date)) or "",
            )

    # ------------------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------------------
    def _sales_policy_schedule_next_action(self):
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for log in self.filtered(lambda log: log.next_action_date and log.next_action):
            log.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == todo and a.automated
            ).unlink()
            log.sudo().activity_schedule(
                activity_type_id=todo.id if todo else False,
                date_deadline=log.next_action_date,
                summary=log.next_action,
                note=log.with_context(lang=log.user_id.lang or self.env.lang).env._(
                    "Collection follow-up with %(customer)s.",
                    customer=log.partner_id.display_name,
                ),
                user_id=log.user_id.id,
            )
