from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .sale_order import DOWN_PAYMENT

#: Groups that read collection logs and bad-debt cases (the fields are hidden from others).
COLLECTION_GROUPS = (
    "sales_policy.group_sales_rep,sales_policy.group_sales_assistant,sales_policy.group_finance,"
    "sales_policy.group_legal,account.group_account_readonly"
)

#: Groups that may change the responsible salesperson of a customer invoice.
SALESPERSON_EDITOR_GROUPS = (
    "sales_policy.group_sales_supervisor",
    "sales_policy.group_finance",
    "account.group_account_manager",
)


class AccountMove(models.Model):
    """Collection (回款管理, 篇四 §15) on customer invoices.

    * The responsible salesperson is Odoo's own ``invoice_user_id`` (set from the
      order). Only supervisors and above (and finance) may change it.
    * Overdue invoices are chased by their salesperson: the escalation ladder is a set
      of alert rules (reminder to the rep → supervisor → regional manager) whose
      candidates come from :meth:`_sales_policy_alert_invoice_overdue`, one grouped
      query that the engine joins with the open alerts in the database.
    * Collection logs and bad-debt risk cases hang off the invoice; the bad-debt alert
      rule (:meth:`_sales_policy_alert_bad_debt_risk`) opens a case when it raises
      its alert (:meth:`_sales_policy_alert_open_bad_debt`), and a paid invoice closes
      its open case as recovered.
    * :meth:`_sales_policy_collection_figures` publishes the collection rate per
      salesperson and period for the appraisal addon.
    """

    _inherit = "account.move"

    sales_policy_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_sales_policy_days_overdue",
        help="Days since the oldest unpaid installment of the invoice fell due "
        "(0 when nothing is overdue).",
    )
    sales_policy_collection_log_ids = fields.Many2many(
        "sales.policy.collection.log",
        "sales_policy_collection_log_move_rel",
        "move_id",
        "log_id",
        string="Collection Logs",
        copy=False,
        groups=COLLECTION_GROUPS,
    )
    sales_policy_collection_log_count = fields.Integer(
        string="Collection Log Count", compute="_compute_sales_policy_collection_log_count"
    )
    sales_policy_bad_debt_ids = fields.One2many(
        "sales.policy.bad.debt",
        "invoice_id",
        string="Bad-Debt Risk Cases",
        copy=False,
        groups=COLLECTION_GROUPS,
    )
    sales_policy_bad_debt_state = fields.Selection(
        selection=lambda self: self.env["sales.policy.bad.debt"]._fields["state"].selection,
        string="Bad-Debt Risk",
        compute="_compute_sales_policy_bad_debt_state",
        help="State of the invoice's open bad-debt risk case, if any.",
    )
    sales_policy_can_edit_salesperson = fields.Boolean(
        compute="_compute_sales_policy_can_edit_salesperson"
    )

    # ------------------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------------------
    def _compute_sales_policy_days_overdue(self):
        today = fields.Date.context_today(self)
        ids = [move_id for move_id in self.ids if move_id]
        oldest = self._sales_policy_open_installments(move_ids=ids) if ids else {}
        for move in self:
            due = oldest.get(move.id, (False, False))[1]
            move.sales_policy_days_overdue = max((today - due).days, 0) if due else 0

    def _compute_sales_policy_collection_log_count(self):
        # every log of the invoice, whoever may read it (a count reveals no content)
        counts = dict(
            self.env["sales.policy.collection.log"]
            .sudo()
            ._read_group([("invoice_ids", "in", self.ids)], ["invoice_ids"], ["__count"])
        )
        for move in self:
            move.sales_policy_collection_log_count = counts.get(move._origin, 0)

    def _compute_sales_policy_bad_debt_state(self):
        BadDebt = self.env["sales.policy.bad.debt"]
        cases = BadDebt.sudo().search(
            [("invoice_id", "in", self.ids), ("state", "in", BadDebt._OPEN_STATES)]
        )
        state_by_move = {case.invoice_id.id: case.state for case in cases}
        for move in self:
            move.sales_policy_bad_debt_state = state_by_move.get(move._origin.id, False)

    @api.depends_context("uid")
    def _compute_sales_policy_can_edit_salesperson(self):
        allowed = self._sales_policy_may_change_salesperson()
        for move in self:
            move.sales_policy_can_edit_salesperson = allowed or not move._origin.invoice_user_id

    # ------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------
    def write(self, vals):
        if "invoice_user_id" in vals and not self.env.su:
            self._sales_policy_check_salesperson_change(vals["invoice_user_id"])
        return super().write(vals)

    def action_post(self):
        # Odoo reprices the orders' down payment lines when their invoice is posted
        with self._sales_policy_down_payment_orders()._policy_mark(DOWN_PAYMENT):
            return super().action_post()

    def unlink(self):
        # and deletes them with their draft invoice
        with self._sales_policy_down_payment_orders()._policy_mark(DOWN_PAYMENT):
            return super().unlink()

    def _sales_policy_down_payment_orders(self):
        """The orders whose down payment lines these invoices carry."""
        lines = self.sudo().line_ids.sale_line_ids.filtered("is_downpayment")
        return self.env["sale.order"].browse(lines.order_id.ids)

    def _sales_policy_may_change_salesperson(self):
        return self.env.su or any(self.env.user.has_group(g) for g in SALESPERSON_EDITOR_GROUPS)

    def _sales_policy_check_salesperson_change(self, new_user_id):
        """Only supervisors and above (and finance) reassign a customer invoice."""
        changed = self.filtered(
            lambda m: (
                m.is_sale_document(include_receipts=True)
                and m.invoice_user_id
                and m.invoice_user_id.id != (new_user_id or False)
            )
        )
        if changed and not self._sales_policy_may_change_salesperson():
            raise UserError(
                self.env._(
                    "Only a sales supervisor, a manager above them or finance can change the "
                    "salesperson responsible for collecting %(invoices)s (%(article)s).",
                    invoices=", ".join(changed.mapped("display_name")),
                    article=self.env["sales.policy.control"]._cite("collection_salesperson"),
                )
            )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_sales_policy_collection_logs(self):
        """The collection logs of the invoice; a new one starts on this invoice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_collection_log_action"
        )
        action["domain"] = [("invoice_ids", "in", self.ids)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "default_invoice_ids": self.ids,
            "default_user_id": self.invoice_user_id.id or self.env.uid,
            "default_company_id": self.company_id.id,
        }
        return action

    def action_sales_policy_log_collection(self):
        """Open a new collection log on this overdue invoice."""
        self.ensure_one()
        action = self.action_sales_policy_collection_logs()
        action.update({"views": [(False, "form")], "view_mode": "form", "target": "new"})
        return action

    def action_sales_policy_report_bad_debt(self):
        """Report a bad-debt risk on the invoice (坏账风险, 篇四 §15.4).

        Anybody who may read the invoice (its salesperson, their superiors, finance)
        reports it; the case is created by the system, owned by finance, and the
        salesperson's superiors are notified.
        """
        self.ensure_one()
        self.check_access("read")
        case = self.env["sales.policy.bad.debt"]._sales_policy_open_cases(self, origin="manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": "sales.policy.bad.debt",
            "res_id": case.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_sales_policy_change_salesperson(self):
        """Reassign the salesperson (supervisors and above, finance)."""
        if not self._sales_policy_may_change_salesperson():
            self._sales_policy_check_salesperson_change(False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Salesperson"),
            "res_model": "sales.policy.invoice.salesperson.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": "account.move", "active_ids": self.ids},
        }

    def action_sales_policy_bad_debt_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_bad_debt_action"
        )
        action["domain"] = [("invoice_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------------------
    # Business: overdue invoices (escalation ladder)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_open_installments_query(
        self, due_before=None, move_ids=None, company_ids=None, move_domain=None
    ):
        """SQL selecting the posted customer invoices with an unpaid installment, one
        row per invoice: ``res_id`` (the invoice), ``user_id`` (its salesperson) and
        ``since`` (the due date of its oldest unpaid installment).

        An installment is a receivable line of the invoice (``display_type =
        'payment_term'``) with a residual amount; an invoice with several installments
        is overdue as soon as its oldest unpaid one is.

        :param due_before: keep installments due on or before this date only
        :param move_ids: restrict to these invoices
        :param company_ids: restrict to these companies
        :param move_domain: restrict to the invoices matching this domain (a subquery)
        """
        conditions = [
            SQL("aml.display_type = 'payment_term'"),
            SQL("aml.parent_state = 'posted'"),
            SQL("aml.reconciled IS NOT TRUE"),
            SQL("aml.amount_residual > 0"),
            SQL("move.move_type = 'out_invoice'"),
        ]
        if due_before:
            conditions.append(SQL("aml.date_maturity <= %s", due_before))
        if move_ids is not None:
            conditions.append(SQL("aml.move_id = ANY(%s)", list(move_ids)))
        if company_ids:
            conditions.append(SQL("aml.company_id = ANY(%s)", list(company_ids)))
        if move_domain is not None:
            subquery = self.with_context(active_test=False)._search(move_domain)
            conditions.append(SQL("aml.move_id IN %s", subquery.subselect()))
        self.env["account.move.line"].flush_model(
            [
                "display_type",
                "parent_state",
                "reconciled",
                "amount_residual",
                "date_maturity",
                "move_id",
                "company_id",
            ]
        )
        self.flush_model(["move_type", "invoice_user_id"])
        return SQL(
            """
            SELECT aml.move_id AS res_id, move.invoice_user_id AS user_id,
                   min(aml.date_maturity) AS since
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
             WHERE %s
          GROUP BY aml.move_id, move.invoice_user_id
            """,
            SQL(" AND ").join(conditions),
        )

    @api.model
    def _sales_policy_open_installments(self, **filters):
        """The rows of :meth:`_sales_policy_open_installments_query` (same filters), in
        ONE query.

        :returns: ``{move_id: (salesperson_id or False, oldest unpaid due date)}``
        """
        rows = self.env.execute_query(self._sales_policy_open_installments_query(**filters))
        return {move_id: (user_id or False, since) for move_id, user_id, since in rows}

    @api.model
    def _sales_policy_alert_invoice_overdue(self, rule):
        """Alert rules of the collection escalation ladder: posted customer invoices with
        an unpaid installment, counted from the due date of the oldest one (N = days
        overdue), owned by the invoice's salesperson; the rule's filter and company
        apply. One grouped query, joined by the engine with the open alerts."""
        domain = rule._get_record_domain()
        return self.sudo()._sales_policy_open_installments_query(
            due_before=rule._alert_cutoff("date"),
            move_domain=None if domain.is_true() else domain,
        )

    @api.model
    def _sales_policy_alert_bad_debt_risk(self, rule):
        """Alert rule ``bad_debt``: customer invoices at bad-debt risk, counted from the
        day the oldest unpaid installment is overdue for the company's "Bad-Debt Risk
        After" days (companies with 0 days are left out). One grouped query."""
        days = (
            self.env["res.company"]
            .sudo()
            .search([("sales_policy_bad_debt_days", ">", 0)])
            .mapped("sales_policy_bad_debt_days")
        )
        domain = rule._get_record_domain()
        installments = self.sudo()._sales_policy_open_installments_query(
            due_before=rule._alert_cutoff("date") - timedelta(days=min(days, default=0)),
            move_domain=None if domain.is_true() else domain,
        )
        self.env["res.company"].flush_model(["sales_policy_bad_debt_days"])
        return SQL(
            """
            SELECT invoice.res_id, invoice.user_id,
                   invoice.since + company.sales_policy_bad_debt_days AS since
              FROM (%s) AS invoice
              JOIN account_move move ON move.id = invoice.res_id
              JOIN res_company company ON company.id = move.company_id
             WHERE company.sales_policy_bad_debt_days > 0
            """,
            installments,
        )

    def _sales_policy_alert_open_bad_debt(self, alerts):
        """On raise of the bad-debt alert: open a case on the invoices without an open
        one (a reported risk already has its case)."""
        BadDebt = self.env["sales.policy.bad.debt"].sudo()
        reported = BadDebt.search(
            [("invoice_id", "in", self.ids), ("state", "in", BadDebt._OPEN_STATES)]
        ).invoice_id
        if self - reported:
            BadDebt._sales_policy_open_cases(self - reported, origin="overdue")

    def _invoice_paid_hook(self):
        """A paid invoice closes its open bad-debt case as recovered."""
        res = super()._invoice_paid_hook()
        BadDebt = self.env["sales.policy.bad.debt"].sudo()
        BadDebt.search(
            [("invoice_id", "in", self.ids), ("state", "in", BadDebt._OPEN_STATES)]
        )._sales_policy_recovered()
        return res

    # ------------------------------------------------------------------------------
    # Business: collection rate (for the appraisal addon)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_collection_figures(self, date_from, date_to, user_ids=None):
        """Collection rate (回款率) per salesperson for the period [date_from, date_to].

        Definition (also in the README). For a salesperson, take every installment
        (receivable line) of their posted customer invoices that falls due on or
        before ``date_to`` and was still unpaid on ``date_from``:

        * **due** = what was still owed on those installments at the start of the
          period (amount minus everything settled before ``date_from``), minus what
          credit notes (entries of a sales journal) settled on them during the period:
          a credit note lowers the debt, it is not money collected;
        * **collected** = what payments settled on those installments during the
          period: reconciliations dated ``date_from`` … ``date_to`` with an entry of a
          bank, cash or credit-card journal (payments, bank statement lines) or of the
          company's exchange-difference journal (the difference that completes a
          foreign-currency payment);
        * **rate** = collected ÷ due, between 0 and 1; ``None`` when nothing was due.

        Write-offs and other miscellaneous entries do not count as collected (they
        stay in due). Invoices of
        the period that fall due after ``date_to`` are not yet due. Amounts are in
        company currency, as booked (``balance``), so partial payments, credit notes
        and payments in another currency count for what they settled of the debt.
        The companies are the environment's companies (``self.env.companies``);
        amounts of a company whose currency differs from ``self.env.company``'s are
        converted at the rate of ``date_to``. One query (run without JIT
        compilation: two more), whatever the number of invoices.

        :returns: ``{user_id: {"due": float, "collected": float, "rate": float | None}}``
            with an entry for every user of ``user_ids`` (when given) or every
            salesperson with something due.
        """
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        companies = self.env.companies
        conditions = [
            SQL("aml.display_type = 'payment_term'"),
            SQL("aml.parent_state = 'posted'"),
            SQL("move.move_type = 'out_invoice'"),
            SQL("move.invoice_user_id IS NOT NULL"),
            SQL("aml.date_maturity <= %s", date_to),
            SQL("aml.date <= %s", date_to),
            SQL("aml.company_id = ANY(%s)", companies.ids),
        ]
        if user_ids is not None:
            conditions.append(SQL("move.invoice_user_id = ANY(%s)", list(user_ids)))
        self.env["account.move.line"].flush_model(
            [
                "display_type",
                "parent_state",
                "date_maturity",
                "date",
                "company_id",
                "balance",
                "journal_id",
            ]
        )
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "amount", "max_date"]
        )
        self.flush_model(["move_type", "invoice_user_id"])
        # One pass, one grouped query: each installment joined with its settlements
        # (and their counterpart's journal), grouped per installment, then per
        # salesperson. No CTE read twice: the planner estimates the rows from the
        # tables' statistics (a CTE has none, and its wild estimate made PostgreSQL
        # JIT-compile the plan, which cost more than running it at 1M lines). Run
        # without JIT compilation, which costs about a third of the query's time
        # whatever the estimate (see _sales_policy_execute_without_jit).
        rows = self._sales_policy_execute_without_jit(
            SQL(
                """
                SELECT installment.company_id, installment.user_id,
                       SUM(installment.balance - installment.before - installment.credited),
                       SUM(installment.collected)
                  FROM (
                    SELECT aml.company_id, move.invoice_user_id AS user_id, aml.balance,
                           COALESCE(SUM(part.amount) FILTER (
                               WHERE part.max_date < %(date_from)s), 0) AS before,
                           COALESCE(SUM(part.amount) FILTER (
                               WHERE part.max_date >= %(date_from)s
                                 AND journal.type = 'sale'), 0) AS credited,
                           COALESCE(SUM(part.amount) FILTER (
                               WHERE part.max_date >= %(date_from)s
                                 AND (journal.type IN ('bank', 'cash', 'credit')
                                      OR journal.id = company.currency_exchange_journal_id)
                           ), 0) AS collected
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                 LEFT JOIN (account_partial_reconcile part
                            JOIN account_move_line counter ON counter.id = part.credit_move_id
                            JOIN account_journal journal ON journal.id = counter.journal_id
                            JOIN res_company company ON company.id = counter.company_id)
                        ON part.debit_move_id = aml.id AND part.max_date <= %(date_to)s
                     WHERE %(conditions)s
                  GROUP BY aml.id, move.id
                  ) AS installment
                 WHERE installment.balance - installment.before > 0
              GROUP BY installment.company_id, installment.user_id
                """,
                conditions=SQL(" AND ").join(conditions),
                date_from=date_from,
                date_to=date_to,
            )
        )
        target = self.env.company.currency_id
        company_by_id = {company.id: company for company in companies}
        figures = {user_id: {"due": 0.0, "collected": 0.0} for user_id in (user_ids or ())}
        for company_id, user_id, due, collected in rows:
            company = company_by_id[company_id]
            if company.currency_id != target:
                due = company.currency_id._convert(due, target, company, date_to)
                collected = company.currency_id._convert(collected, target, company, date_to)
            entry = figures.setdefault(user_id, {"due": 0.0, "collected": 0.0})
            entry["due"] += float(due or 0.0)
            entry["collected"] += float(collected or 0.0)
        for entry in figures.values():
            entry["due"] = target.round(entry["due"])
            entry["collected"] = target.round(entry["collected"])
            entry["rate"] = (
                entry["collected"] / entry["due"]
                if target.compare_amounts(entry["due"], 0) > 0
                else None
            )
        return figures
