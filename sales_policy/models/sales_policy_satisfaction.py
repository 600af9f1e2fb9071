import uuid
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import split_every

from .sales_policy_return_visit import SCORE_MAX, SCORE_MIN

#: Days a customer has to answer a survey before it expires.
SURVEY_VALIDITY_DAYS = 30
#: Customers handled per batch by the daily survey job.
SURVEY_BATCH_SIZE = 1000
#: Fields only the customer's answer (or the system) may write.
ANSWER_FIELDS = {"state", "score", "comment", "date_answered", "date_sent"}

#: What the answer is about and whose figures it counts for: frozen once sent.
FROZEN_ONCE_SENT = {"partner_id", "order_id", "user_id", "company_id"}


class SalesPolicySatisfaction(models.Model):
    """A customer satisfaction survey (客户满意度调查, 篇四 §20.3).

    The daily job sends one survey per customer and interval (company setting
    ``sales_policy_satisfaction_interval``, months) to every customer with a confirmed
    order in that interval; a salesperson can also send one by hand. The customer
    answers through a tokenised link, without logging in: the small portal route of
    ``controllers/satisfaction.py`` (``/sales_policy/satisfaction/<id>?access_token=…``)
    shows a 1–5 scale and a comment box. We do not use the ``rating`` module (its
    scale is three smileys, 1/3/5, and it is not a dependency of sale) nor ``survey``
    (a whole app for a single question).

    The answer is scored per customer, order and salesperson; it only ever comes from
    the customer (the answer fields are written with ``sudo()`` by the portal route).
    Satisfaction figures per salesperson and period, combining these answers with the
    scores of return visits, come from :meth:`_sales_policy_satisfaction_figures`.
    """

    _name = "sales.policy.satisfaction"
    _description = "Satisfaction Survey"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_sent desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
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
        domain="[('state', '=', 'sale'), ('partner_id', 'child_of', partner_id)]",
        help="The order the customer is asked about (the last confirmed one for the "
        "surveys sent by the daily job).",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="The salesperson whose satisfaction figures this answer counts for.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("draft", "To Send"),
            ("sent", "Sent"),
            ("answered", "Answered"),
            ("expired", "Expired"),
        ],
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
    )
    date_sent = fields.Date(string="Sent On", readonly=True, index=True)
    date_expiry = fields.Date(string="Answer By", compute="_compute_date_expiry", store=True)
    date_answered = fields.Datetime(string="Answered On", readonly=True)
    score = fields.Integer(
        string="Satisfaction",
        readonly=True,
        aggregator="avg",
        help="The customer's answer, from 1 (very dissatisfied) to 5 (very satisfied).",
    )
    comment = fields.Text(readonly=True)
    survey_url = fields.Char(
        string="Survey Link",
        compute="_compute_survey_url",
        help="The link the customer opens to answer, e.g. to share it by instant message. "
        "The salesperson whose figures the answer counts for never sees it (篇四 §20.3).",
    )
    # the key of the answer link: read by the workflow only (see _compute_survey_url)
    access_token = fields.Char(groups="base.group_system", default=lambda self: str(uuid.uuid4()))

    @api.depends("partner_id.name", "date_sent")
    def _compute_name(self):
        for survey in self:
            survey.name = self.env._(
                "Satisfaction survey %(customer)s", customer=survey.partner_id.name or ""
            )

    @api.depends("order_id", "partner_id")
    def _compute_user_id(self):
        for survey in self:
            survey.user_id = survey.order_id.user_id or survey.partner_id.user_id or survey.user_id

    @api.depends("date_sent")
    def _compute_date_expiry(self):
        for survey in self:
            survey.date_expiry = survey.date_sent and survey.date_sent + timedelta(
                days=SURVEY_VALIDITY_DAYS
            )

    def _compute_access_url(self):
        for survey in self:
            survey.access_url = f"/sales_policy/satisfaction/{survey.id}"

    @api.depends_context("uid")
    def _compute_survey_url(self):
        for survey in self:
            survey.survey_url = (
                survey.id
                and not survey._sales_policy_link_hidden()
                and (
                    f"{survey.get_base_url()}{survey.access_url}"
                    f"?access_token={survey.sudo().access_token}"
                )
            )

    def _sales_policy_link_hidden(self):
        """Whether the user may not see the answer link: the salesperson whose
        figures the answer counts for would answer in the customer's place."""
        self.ensure_one()
        return not self.env.su and self.env.user == self.user_id

    def _sales_policy_check_link_access(self):
        hidden = self.filtered(lambda survey: survey._sales_policy_link_hidden())
        if hidden:
            raise UserError(
                self.env._(
                    "%(surveys)s: the answer link goes to the customer only; the salesperson "
                    "whose satisfaction figures the answer counts for never sees it (the "
                    "supervisor or the sales assistant may send it again) (%(article)s).",
                    surveys=", ".join(hidden.mapped("display_name")),
                    article=self.env["sales.policy.control"]._cite("satisfaction_survey"),
                )
            )

    def _sign_token(self, pid):
        # the portal signs the customer's notification links with the token
        return super(SalesPolicySatisfaction, self.sudo())._sign_token(pid)

    def _portal_ensure_token(self):
        # every way to the link (portal URL, share wizard, access action) comes here
        self._sales_policy_check_link_access()
        return super(SalesPolicySatisfaction, self.sudo())._portal_ensure_token()

    @api.constrains("order_id", "partner_id")
    def _check_order_partner(self):
        for survey in self:
            survey.order_id._policy_check_ordered_by(survey.partner_id)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su and ANSWER_FIELDS & set(vals):
                raise UserError(self._sales_policy_answer_error())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and ANSWER_FIELDS & set(vals):
            raise UserError(self._sales_policy_answer_error())
        if not self.env.su and FROZEN_ONCE_SENT & set(vals):
            sent = self.filtered(lambda survey: survey.state != "draft")
            if sent:
                raise UserError(
                    self.env._(
                        "%(surveys)s: once sent, a satisfaction survey belongs to the customer: "
                        "its customer, order and salesperson no longer change (%(article)s).",
                        surveys=", ".join(sent.mapped("display_name")),
                        article=self.env["sales.policy.control"]._cite("satisfaction_survey"),
                    )
                )
        return super().write(vals)

    def _sales_policy_answer_error(self):
        return self.env._(
            "Only the customer answers a satisfaction survey, through the survey link "
            "(%(article)s).",
            article=self.env["sales.policy.control"]._cite("satisfaction_survey"),
        )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_send(self):
        """Send the survey link to the customer by email (drafts only)."""
        self.check_access("write")
        if any(survey.state != "draft" for survey in self):
            raise UserError(self.env._("Only surveys to send can be sent."))
        self._sales_policy_check_recipients()
        self._sales_policy_mail()
        self.sudo().write({"state": "sent", "date_sent": fields.Date.context_today(self)})
        return True

    def action_resend(self):
        """Send the link to the customer again (sent surveys): the supervisor or the
        sales assistant, never the salesperson the answer counts for."""
        self.check_access("write")
        self._sales_policy_check_link_access()
        if any(survey.state != "sent" for survey in self):
            raise UserError(self.env._("Only surveys waiting for the answer can be sent again."))
        self._sales_policy_check_recipients()
        self._sales_policy_mail()
        return True

    def _sales_policy_check_recipients(self):
        """The link goes to the customer's e-mail address: one there is, and it is
        not the address of one of the company's users (one query)."""
        missing = self.filtered(lambda s: not s.partner_id.email)
        if missing:
            raise UserError(
                self.env._(
                    "%(customers)s has no email address: share the survey link another way.",
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )
        emails = set(self.partner_id.mapped("email_normalized")) - {False}
        internal = (
            self.env["res.users"]
            .sudo()
            .search([("share", "=", False), ("email_normalized", "in", list(emails))])
        )
        if internal:
            raise UserError(
                self.env._(
                    "The survey goes to the customer: %(emails)s is the e-mail address of a "
                    "user of the company, not of the customer (%(article)s).",
                    emails=", ".join(internal.mapped("email_normalized")),
                    article=self.env["sales.policy.control"]._cite("satisfaction_survey"),
                )
            )

    def action_mark_sent(self):
        """The link was shared another way (instant message …): by whoever may see it,
        not by the salesperson the answer counts for."""
        self.check_access("write")
        self._sales_policy_check_link_access()
        if any(survey.state != "draft" for survey in self):
            raise UserError(self.env._("Only surveys to send can be marked as sent."))
        self.sudo().write({"state": "sent", "date_sent": fields.Date.context_today(self)})
        return True

    def _sales_policy_mail(self):
        """The company e-mails the link to the customer. The e-mail is kept off the
        survey's thread (whoever reads the survey would read the link in it); the
        chatter notes that it was sent, without the link."""
        template = self.env.ref(
            "sales_policy.mail_template_sales_policy_satisfaction", raise_if_not_found=False
        )
        if not (template and self):
            return
        # as the superuser: whoever sends is neither author nor creator of the e-mail
        template = template.with_user(SUPERUSER_ID)
        for company, surveys in self.grouped("company_id").items():
            template.send_mail_batch(
                surveys.ids,
                email_values={
                    "model": False,
                    "res_id": False,
                    "author_id": company.partner_id.id,
                },
            )
        self._message_log_batch(
            {
                survey.id: self.env._(
                    "Survey link sent by e-mail to %(customer)s.",
                    customer=survey.partner_id.display_name,
                )
                for survey in self
            }
        )

    # ------------------------------------------------------------------------------
    # The customer's answer (portal route)
    # ------------------------------------------------------------------------------
    def _sales_policy_answer(self, score, comment=None):
        """Store the customer's answer. Called with sudo() by the portal route once
        the access token matched; rejects bad input with a translated error."""
        self.ensure_one()
        if self.state == "answered":
            raise UserError(self.env._("This survey has already been answered. Thank you!"))
        if self.state != "sent" or (
            self.date_expiry and self.date_expiry < fields.Date.context_today(self)
        ):
            raise UserError(self.env._("This survey is closed."))
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = 0
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ValidationError(
                self.env._(
                    "Choose a satisfaction score between %(min)s and %(max)s.",
                    min=SCORE_MIN,
                    max=SCORE_MAX,
                )
            )
        comment = (comment or "").strip()[:5000]
        self.sudo().write(
            {
                "state": "answered",
                "score": score,
                "comment": comment,
                "date_answered": fields.Datetime.now(),
            }
        )
        if score <= 2 and self.user_id:
            env = self.with_context(
                lang=self.user_id.lang or self.env.lang
            ).env  # the salesperson's language
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id,
                summary=env._("Dissatisfied customer: follow up"),
                note=env._(
                    "%(customer)s scored %(score)s/5: %(comment)s (%(article)s)",
                    customer=self.partner_id.display_name,
                    score=score,
                    comment=comment or "-",
                    article=env["sales.policy.control"]._cite("satisfaction_survey"),
                ),
            )
        return True

    # ------------------------------------------------------------------------------
    # Daily job
    # ------------------------------------------------------------------------------
    @api.model
    def _cron_send_surveys(self):
        """Send the periodic surveys and expire unanswered ones, company by company.

        Per company, one grouped query finds the customers with a confirmed order in
        the interval and no survey in it (with their last order); then, per batch of
        customers, a constant number of queries: the orders' salespeople, the
        customers' emails, one multi-row create, the mails (rendered in chunks). Run as
        the scheduled job, each batch is committed and the job stops when its time is
        up (it is triggered again and goes on with the customers left).
        """
        Survey = self.sudo().with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        today = fields.Date.context_today(self)
        Survey.search([("state", "=", "sent"), ("date_expiry", "<", today)]).write(
            {"state": "expired"}
        )
        companies = (
            self.env["res.company"].sudo().search([("sales_policy_satisfaction_interval", ">", 0)])
        )
        for company in companies:
            months = company.sales_policy_satisfaction_interval
            done = Survey.with_company(company)._sales_policy_send_periodic(
                company, today - relativedelta(months=months)
            )
            if not done:
                return False
        return True

    def _sales_policy_send_periodic(self, company, since):
        """Send the surveys due for ``company``; False when the cron's time is up."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        already = self._search(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "=", "draft"),
                ("date_sent", ">=", since),
            ]
        ).subselect("partner_id")
        domain = (
            Domain("state", "=", "sale")
            & Domain("company_id", "=", company.id)
            & Domain("date_order", ">=", since)
            # customers only (not the companies' own partners, nor employees) …
            & Domain(
                "partner_id.commercial_partner_id",
                "any",
                self.env["res.partner"]._sales_policy_customer_domain(),
            )
            # … not surveyed in the interval yet
            & Domain("partner_id.commercial_partner_id", "not any!", already)
        )
        groups = self.env["sale.order"]._read_group(
            domain, ["partner_id.commercial_partner_id"], ["id:max"]
        )
        last_order = {partner.id: order_id for partner, order_id in groups}
        if in_cron:
            self.env["ir.cron"]._commit_progress(remaining=len(last_order))
        today = fields.Date.context_today(self)
        for batch in split_every(SURVEY_BATCH_SIZE, list(last_order)):
            orders = self.env["sale.order"].browse([last_order[partner_id] for partner_id in batch])
            orders.fetch(["user_id"])
            partners = self.env["res.partner"].browse(batch)
            partners.fetch(["email", "user_id"])
            vals_list = [
                {
                    "partner_id": partner.id,
                    "order_id": order.id,
                    "user_id": (order.user_id or partner.user_id).id,
                    "company_id": company.id,
                    "state": "sent" if partner.email else "draft",
                    "date_sent": today if partner.email else False,
                }
                for partner, order in zip(partners, orders, strict=True)
            ]
            surveys = self.create(vals_list)
            surveys.filtered(lambda s: s.state == "sent")._sales_policy_mail()
            self.env.flush_all()
            self.env.invalidate_all()
            if in_cron and not self.env["ir.cron"]._commit_progress(len(batch)):
                self.env.ref("sales_policy.ir_cron_sales_policy_satisfaction")._trigger()
                return False
        return True

    # ------------------------------------------------------------------------------
    # Figures for the appraisal (sales_policy_kpi)
    # ------------------------------------------------------------------------------
    @api.model
    def _sales_policy_satisfaction_figures(self, date_from, date_to, user_ids=None):
        """Customer satisfaction per salesperson over ``[date_from, date_to]``.

        Combines, in one grouped query over ``sales.policy.satisfaction.report``, the
        scores of the return visits done in the period (dated by the visit date) and
        the answers to satisfaction surveys received in the period (dated by the
        answer). Each counts once, with the same weight, for its salesperson.
        Record rules of the caller apply (call it with ``sudo()`` for company-wide
        figures); only the current companies (``self.env.companies``) count.

        :returns: ``{user_id: {"average": float, "count": int}}`` for the
            salespeople with at least one score in the period.
        """
        domain = [
            ("date", ">=", date_from),
            ("date", "<=", date_to),
            ("company_id", "in", self.env.companies.ids),
        ]
        if user_ids is not None:
            domain.append(("user_id", "in", list(user_ids)))
        else:
            domain.append(("user_id", "!=", False))
        groups = self.env["sales.policy.satisfaction.report"]._read_group(
            domain, ["user_id"], ["score:avg", "__count"]
        )
        return {
            user.id: {"average": average or 0.0, "count": count} for user, average, count in groups
        }
