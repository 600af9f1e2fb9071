import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, groupby
from odoo.tools.misc import format_date
from odoo.tools.safe_eval import safe_eval

from .res_users import HIERARCHY_LEVELS

_logger = logging.getLogger(__name__)

#: Who an alert goes to: the responsible user or one level of the hierarchy.
ALERT_LEVELS = [
    ("owner", "Responsible"),
    ("supervisor", "Supervisor"),
    ("regional_manager", "Regional Manager"),
    ("director", "Director"),
]
ESCALATE_LEVELS = [
    ("supervisor", "Supervisor"),
    ("regional_manager", "Regional Manager"),
    ("director", "Director"),
    ("none", "Never"),
]
#: The registered candidates hooks: (method of the watched model, label). Another addon
#: adds its own with ``selection_add`` on ``candidates_method``.
CANDIDATES_METHODS = [
    ("_sales_policy_alert_lead_follow_up", "Leads not followed up (crm.lead)"),
    ("_sales_policy_alert_visit_overdue", "Customers overdue for a visit (res.partner)"),
    ("_sales_policy_alert_data_stale", "Customers with stale data (res.partner)"),
    ("_sales_policy_alert_data_incomplete", "Customers with incomplete data (res.partner)"),
    ("_sales_policy_alert_contract_unfiled", "Signed contracts not filed (contract)"),
    ("_sales_policy_alert_invoice_overdue", "Overdue invoices (account.move)"),
    ("_sales_policy_alert_bad_debt_risk", "Invoices at bad-debt risk (account.move)"),
    ("_sales_policy_alert_promise_broken", "Broken payment promises (collection log)"),
]
#: The registered "on raise" hooks: (method of the watched model, label).
RAISE_METHODS = [
    ("_sales_policy_alert_open_bad_debt", "Open a bad-debt risk case (account.move)"),
]
#: Context of the engine's writes: no tracking, no auto-subscription, no e-mail per
#: activity (the assignee sees the activity in the systray), no "created" log.
ENGINE_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_activity_quick_update": True,
}


class SalesPolicyAlertRule(models.Model):
    """An alert rule: "records of model M in breach of a condition for N days →
    notify level L of the hierarchy, then escalate after K days" (mechanism 3).

    Every breaching record has a ``since``: the date (or date and time) its breach is
    counted from, which each rule documents (the last contact, the due date, the day
    after a deadline…). **N** is the rule's one threshold, applied by the engine to
    every rule alike: the alert is raised once N days have passed since ``since``
    (``since <= now - N days``; a date counts from its start).

    The candidates come from the rule's ``candidates_method``, a method of the watched
    model registered in the selection (the OCA exception-rules pattern; another addon
    adds options with ``selection_add`` and defines the method)::

        @api.model
        def _sales_policy_alert_<what>(self, rule):
            \"\"\"SQL selecting the records breaching ``rule``, one row per record,
            columns res_id, user_id (owner or NULL) and since (date or timestamp).\"\"\"

    The engine keeps the rows with ``since <= rule._alert_cutoff()``; a hook may apply
    the same cutoff inside its query for speed, and honours the rule's filter and
    company with :meth:`_get_record_domain`. A rule without a method selects the
    records matching ``domain`` by ``date_field`` (the ``since``) and ``user_field``.

    ``raise_method`` (optional, registered the same way) is called on the watched
    records whose alert was just raised, with those alerts:
    ``records._sales_policy_alert_<action>(alerts)``.

    The daily job (:meth:`_cron_run_all`) runs every active rule with a number of
    queries per rule that does not grow with the number of records: the candidates
    are joined with the rule's open alerts in the database (:meth:`_get_changes`), so
    only what changes today reaches Python.
    """

    _name = "sales.policy.alert.rule"
    _description = "Policy Alert Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, index=True, copy=False, help="Technical key used by the code."
    )
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(
        translate=True,
        help="What the responsible person should do, added to the activity; also what "
        "the rule's N counts from.",
    )
    control_id = fields.Many2one(
        "sales.policy.control",
        ondelete="restrict",
        help="The control whose article the alerts cite.",
    )
    article = fields.Char(related="control_id.article_id.code", string="Article")
    model_id = fields.Many2one(
        "ir.model",
        string="Watched Model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(
        related="model_id.model", string="Model Name", store=True, index=True, readonly=True
    )
    candidates_method = fields.Selection(
        CANDIDATES_METHODS,
        string="Breaching Records",
        help="The method of the watched model that selects the records breaching the "
        "rule and the date each breach is counted from. Empty: the records matching the "
        "filter, counted from the date field.",
    )
    raise_method = fields.Selection(
        RAISE_METHODS,
        string="On Raise",
        help="What is done on the record when its alert is raised, besides the activity.",
    )
    days = fields.Integer(
        string="Days (N)",
        default=3,
        required=True,
        help="The alert is raised once a record has been in breach for N days, counted "
        "from the date the rule states (its “Counted From”): the date field, or the "
        "date given by the rule's method. Same meaning for every rule.",
    )
    escalation_days = fields.Integer(
        string="Escalate After (K Days)",
        default=0,
        help="Escalate an alert still open K days after it was raised; 0 never escalates.",
    )
    notify_level = fields.Selection(
        ALERT_LEVELS,
        string="Notify",
        required=True,
        default="owner",
        help="Who gets the activity when the alert is raised: the responsible user, or "
        "their superior at that level (the level's group when the chain has a gap).",
    )
    escalate_level = fields.Selection(
        ESCALATE_LEVELS, string="Escalate To", required=True, default="supervisor"
    )
    domain = fields.Char(
        default="[]", help="Optional extra filter on the watched records (an Odoo domain)."
    )
    date_field = fields.Char(
        help="Technical name of the date or datetime field the days are counted from "
        "(rules without a method)."
    )
    user_field = fields.Char(
        default="user_id",
        help="Technical name of the field holding the responsible user (res.users).",
    )
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to watch the records of every company."
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False),
        help="The type of the activities the alerts create (To-Do by default).",
    )
    alert_ids = fields.One2many("sales.policy.alert", "rule_id", string="Alerts")
    open_alert_count = fields.Integer(compute="_compute_open_alert_count")
    last_run = fields.Datetime(readonly=True, copy=False)

    _code_uniq = models.UniqueIndex("(code)", "Each alert rule code is unique.")
    _days_positive = models.Constraint("CHECK(days >= 0)", "The number of days cannot be negative.")
    _escalation_days_positive = models.Constraint(
        "CHECK(escalation_days >= 0)", "The escalation delay cannot be negative."
    )

    def _compute_open_alert_count(self):
        counts = dict(
            self.env["sales.policy.alert"]._read_group(
                [("rule_id", "in", self.ids), ("state", "=", "open")], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.open_alert_count = counts.get(rule, 0)

    @api.constrains("model_id", "date_field", "user_field", "domain", "candidates_method")
    def _check_watched_fields(self):
        for rule in self:
            Model = self.env[rule.model_name]
            if rule.date_field:
                field = Model._fields.get(rule.date_field)
                if not field or field.type not in ("date", "datetime") or not field.store:
                    raise ValidationError(
                        self.env._(
                            "The rule “%(rule)s” counts the days from “%(field)s”, which is "
                            "not a stored date field of %(model)s.",
                            rule=rule.name,
                            field=rule.date_field,
                            model=rule.model_id.name,
                        )
                    )
            elif not rule.candidates_method:
                raise ValidationError(
                    self.env._(
                        "The rule “%(rule)s” needs a date field or a method that selects "
                        "its records.",
                        rule=rule.name,
                    )
                )
            if rule.user_field:
                field = Model._fields.get(rule.user_field)
                if not field or field.type != "many2one" or field.comodel_name != "res.users":
                    raise ValidationError(
                        self.env._(
                            "The rule “%(rule)s” reads the responsible user from “%(field)s”, "
                            "which is not a user field of %(model)s.",
                            rule=rule.name,
                            field=rule.user_field,
                            model=rule.model_id.name,
                        )
                    )
            try:
                domain = rule._get_record_domain()
                domain.validate(Model)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The filter of the rule “%(rule)s” is not a valid domain: %(error)s",
                        rule=rule.name,
                        error=error,
                    )
                ) from error

    @api.constrains("model_id", "candidates_method", "raise_method")
    def _check_methods(self):
        for rule in self:
            Model = type(self.env[rule.model_name])
            for fname in ("candidates_method", "raise_method"):
                method = rule[fname]
                if method and not callable(getattr(Model, method, None)):
                    raise ValidationError(
                        self.env._(
                            "The rule “%(rule)s” calls “%(method)s”, which %(model)s does "
                            "not have: choose a method of the watched model.",
                            rule=rule.name,
                            method=dict(self._fields[fname]._description_selection(self.env))[
                                method
                            ],
                            model=rule.model_id.name,
                        )
                    )

    # ------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------
    def action_run(self):
        """Run the rules now (sales managers): the same job as the daily one."""
        self.check_access("write")
        stats = self.sudo()._run()
        created = sum(s["created"] for s in stats.values())
        escalated = sum(s["escalated"] for s in stats.values())
        resolved = sum(s["resolved"] for s in stats.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(created)s alerts raised, %(escalated)s escalated, %(resolved)s resolved.",
                    created=created,
                    escalated=escalated,
                    resolved=resolved,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_policy.sales_policy_alert_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        return action

    # ------------------------------------------------------------------------------
    # Helpers for the watched models' hooks
    # ------------------------------------------------------------------------------
    def _get_record_domain(self):
        """The rule's extra filter and company restriction, as a Domain."""
        self.ensure_one()
        domain = Domain(
            safe_eval(self.domain or "[]", {"uid": self.env.uid, "today": self._alert_today()})
        )
        Model = self.env[self.model_name]
        if self.company_id and "company_id" in Model._fields:
            domain &= Domain("company_id", "=", self.company_id.id)
        return domain

    @api.model
    def _alert_today(self):
        """The day the rules are evaluated for (UTC, like the cron)."""
        return fields.Date.today()

    def _alert_cutoff(self, field_type="datetime"):
        """A record breaching since this moment or earlier has been in breach for N
        days: the alert is raised when ``since <= cutoff`` (now minus N days; for a
        ``date`` field type, that moment's day)."""
        self.ensure_one()
        cutoff = fields.Datetime.now() - timedelta(days=self.days)
        return cutoff.date() if field_type == "date" else cutoff

    @api.model
    def _no_candidates(self):
        """The candidates query of a rule with nothing to watch (no row)."""
        return SQL("SELECT NULL::int AS res_id, NULL::int AS user_id, NULL::date AS since LIMIT 0")

    # ------------------------------------------------------------------------------
    # The engine
    # ------------------------------------------------------------------------------
    @api.model
    def _cron_run_all(self):
        """The daily job: each active rule in its own transaction, one failing rule
        does not stop the others."""
        rules = self.sudo().search([("active", "=", True)])
        self.env["ir.cron"]._commit_progress(remaining=len(rules))
        for rule in rules:
            try:
                with self.env.cr.savepoint():
                    rule._run()
            except Exception:
                _logger.exception("Sales Policy: the alert rule %s failed", rule.code)
            self.env["ir.cron"]._commit_progress(1)

    @api.model
    def _run_all(self):
        """Run every active rule; returns {code: statistics}."""
        return self.sudo().search([("active", "=", True)])._run()

    def _run(self):
        """Run the rules ``self`` for today.

        :returns: ``{code: {"candidates", "created", "escalated", "resolved"}}``
        """
        result = {}
        targets_cache = {}
        for rule in self.sudo().with_context(**ENGINE_CONTEXT):
            result[rule.code] = rule._run_one(targets_cache)
        return result

    def _run_one(self, targets_cache):
        self.ensure_one()
        today = self._alert_today()
        changes = self._get_changes(today)
        Alert = self.env["sales.policy.alert"]
        gone = Alert.browse(changes["gone"])
        self._resolve_alerts(gone, today)
        created = self._create_alerts(changes["new"], today, targets_cache)
        self._on_raise(created)
        self._sync_owners(changes["moved"])
        escalated = self._escalate_alerts(Alert.browse(changes["due"]), today, targets_cache)
        self.last_run = fields.Datetime.now()
        return {
            "candidates": changes["candidates"],
            "created": len(created),
            "escalated": len(escalated),
            "resolved": len(gone),
        }

    def _get_changes(self, today):
        """What today's run changes, compared with the rule's open alerts, in ONE query.

        The candidates (:meth:`_get_candidates_query`) are joined with the open alerts
        in the database, which returns only the differences: at a million breaching
        records and as many open alerts, a steady day moves no row to Python.

        :returns: ``{"candidates": int, "new": {res_id: (owner_id or False, since)},
            "gone": [alert_id], "moved": [(alert_id, owner_id or False)],
            "due": [alert_id]}`` where ``gone`` are the open alerts of records that no
            longer breach, ``moved`` those whose record changed responsible user and
            ``due`` those open for K days or more and not escalated yet.
        """
        self.ensure_one()
        Alert = self.env["sales.policy.alert"]
        Alert.flush_model(["rule_id", "state", "res_id", "user_id", "date_start", "date_escalated"])
        escalate = bool(self.escalation_days) and self.escalate_level != "none"
        [row] = self.env.execute_query(
            SQL(
                """
                WITH candidate AS (%(candidates)s),
                     alert AS (
                        SELECT id, res_id, user_id, date_start, date_escalated
                          FROM sales_policy_alert
                         WHERE rule_id = %(rule)s AND state = 'open')
                SELECT count(candidate.res_id),
                       array_agg(alert.id) FILTER (WHERE candidate.res_id IS NULL),
                       array_agg(candidate.res_id) FILTER (WHERE alert.id IS NULL),
                       array_agg(candidate.user_id) FILTER (WHERE alert.id IS NULL),
                       array_agg(candidate.since) FILTER (WHERE alert.id IS NULL),
                       array_agg(alert.id) FILTER (WHERE %(moved)s),
                       array_agg(candidate.user_id) FILTER (WHERE %(moved)s),
                       array_agg(alert.id) FILTER (
                           WHERE %(escalate)s AND candidate.res_id IS NOT NULL
                             AND alert.date_escalated IS NULL
                             AND alert.date_start <= %(raised_before)s)
                  FROM candidate
                  FULL JOIN alert ON alert.res_id = candidate.res_id
                """,
                candidates=self._get_candidates_query(),
                rule=self.id,
                moved=SQL(
                    "alert.id IS NOT NULL AND candidate.res_id IS NOT NULL"
                    " AND alert.user_id IS DISTINCT FROM candidate.user_id"
                ),
                escalate=escalate,
                raised_before=today - timedelta(days=self.escalation_days),
            )
        )
        count, gone, new_ids, new_users, new_since, moved, moved_users, due = row
        new = sorted(zip(new_ids or [], new_users or [], new_since or [], strict=True))
        return {
            "candidates": count,
            "new": {res_id: (user_id or False, since) for res_id, user_id, since in new},
            "gone": sorted(gone or []),
            "moved": sorted(zip(moved or [], [u or False for u in moved_users or []], strict=True)),
            "due": sorted(due or []),
        }

    def _get_candidates_query(self):
        """SQL selecting the records that have breached the rule for N days today, one
        row per record: ``res_id``, ``user_id`` (the responsible user, or NULL) and
        ``since`` (a date): the rows of the rule's method (or of the generic selection)
        whose ``since`` is at or before :meth:`_alert_cutoff`."""
        self.ensure_one()
        if self.candidates_method:
            Model = self.env[self.model_name].sudo()
            self.env.flush_all()  # a method's SQL may read any table
            query = getattr(Model, self.candidates_method)(self)
        else:
            query = self._get_generic_candidates_query()
        return SQL(
            "SELECT c.res_id, c.user_id, c.since::date AS since FROM (%s) AS c WHERE c.since <= %s",
            query,
            self._alert_cutoff(),
        )

    def _restrict_candidates(self, query):
        """``query`` (rows ``res_id, user_id, since``) kept to the records of the rule's
        filter and company; unchanged when the rule has none."""
        self.ensure_one()
        domain = self._get_record_domain()
        if domain.is_true():
            return query
        records = self.env[self.model_name].sudo().with_context(active_test=False)._search(domain)
        return SQL(
            "SELECT * FROM (%s) AS candidate WHERE candidate.res_id IN %s",
            query,
            records.subselect(),
        )

    def _get_candidates(self):
        """{record_id: (owner_user_id or False, since_date)} of the records breaching the
        rule today: the rows of :meth:`_get_candidates_query` (one query), for a look
        at a rule's breaches outside the daily job."""
        self.ensure_one()
        rows = self.env.execute_query(self._get_candidates_query())
        return {res_id: (user_id or False, since) for res_id, user_id, since in rows}

    def _get_generic_candidates_query(self):
        """Records matching the rule's domain whose date field is N days old."""
        self.ensure_one()
        Model = self.env[self.model_name].sudo()
        field_type = Model._fields[self.date_field].type
        domain = self._get_record_domain() & Domain(
            self.date_field, "<=", self._alert_cutoff(field_type)
        )
        query = Model._search(domain)
        fnames = [self.date_field] + ([self.user_field] if self.user_field else [])
        Model.flush_model(fnames)
        user = (
            Model._field_to_sql(Model._table, self.user_field, query)
            if self.user_field
            else SQL("NULL::int")
        )
        return query.select(
            SQL("%s AS res_id", SQL.identifier(Model._table, "id")),
            SQL("%s AS user_id", user),
            SQL("%s AS since", Model._field_to_sql(Model._table, self.date_field, query)),
        )

    def _on_raise(self, alerts):
        """The rule's "on raise" hook on the records of the alerts just raised (outside
        the engine's silent context: what it does is tracked and logged)."""
        if not self.raise_method or not alerts:
            return
        records = self.env[self.model_name].browse(alerts.mapped("res_id"))
        records = records.sudo().with_context(**dict.fromkeys(ENGINE_CONTEXT, False))
        getattr(records, self.raise_method)(alerts)

    def _get_record_info(self, res_ids):
        """{record_id: (display name, company_id)} of the watched records: one query."""
        Model = self.env[self.model_name].sudo().with_context(active_test=False)
        name_field = Model._rec_name if Model._rec_name in Model._fields else None
        stored_name = bool(name_field and Model._fields[name_field].store)
        has_company = "company_id" in Model._fields and Model._fields["company_id"].store
        fnames = ([name_field] if stored_name else []) + (["company_id"] if has_company else [])
        records = Model.search_fetch([("id", "in", list(res_ids))], fnames)
        # the activities' res_name is the display name: compute it for the whole batch
        # here, or mail.activity reads each record alone (one query per new alert)
        records.mapped("display_name")
        default_company = self.company_id.id
        return {
            record.id: (
                (record[name_field] if stored_name else record.display_name) or "",
                record.company_id.id if has_company else default_company,
            )
            for record in records
        }

    def _hosts_activities(self):
        """Whether the activities go on the watched record (it has activities) or on
        the alert."""
        self.ensure_one()
        return issubclass(self.pool[self.model_name], self.pool["mail.activity.mixin"])

    def _get_targets(self, owner_ids, level, cache):
        """{owner_id: user_id or False}: who is notified at ``level`` for each owner,
        through the hierarchy API (one call per distinct owner and level)."""
        Users = self.env["res.users"].sudo()
        targets = {}
        for owner_id in set(owner_ids):
            key = (owner_id, level, self.company_id.id)
            if key not in cache:
                cache[key] = self._find_target(Users.browse(owner_id), level)
            targets[owner_id] = cache[key]
        return targets

    def _find_target(self, owner, level):
        if level == "owner":
            if owner and owner.active:
                return owner.id
            level = "supervisor"
        elif owner:
            superior = dict(owner._sales_policy_superiors()).get(level)
            if superior and superior.active:
                return superior.id
        return self._find_level_fallback(level, owner)

    def _find_level_fallback(self, level, owner):
        """A user of the level's group, in the owner's company, other than the owner:
        members named in the group itself first (not only through a higher role)."""
        group = self.env.ref(dict(HIERARCHY_LEVELS)[level]).sudo()
        company = owner.company_id or self.company_id or self.env.company
        users = group.user_ids._sales_policy_working_for(company, owner)
        users = users or group.all_user_ids._sales_policy_working_for(company, owner)
        return users[:1].id

    def _texts(self, lang):
        """The rule's name, description and article in ``lang`` (for the assignee)."""
        rule = self.with_context(lang=lang)
        return rule.name, rule.description or "", self.control_id.article_id.code or ""

    def _activity_values(self, items, level, today, cache, escalation=False):
        """Values of the activities for ``items``: [(alert, res_id, owner_id, since, name)].

        :returns: (list of activity values, {alert_id: assignee_id})
        """
        targets = self._get_targets([owner for _alert, _res, owner, _s, _n in items], level, cache)
        assignees = self.env["res.users"].sudo().browse({t for t in targets.values() if t})
        langs = {user.id: user.lang or "en_US" for user in assignees}
        on_record = self._hosts_activities()
        res_model_id = self.env["ir.model"]._get_id(
            self.model_name if on_record else "sales.policy.alert"
        )
        texts = {}
        dates = {}
        values = []
        assigned = {}
        for alert, res_id, owner_id, since, name in items:
            target = targets.get(owner_id)
            if not target:
                continue
            lang = langs[target]
            if lang not in texts:
                env = self.with_context(lang=lang).env
                rule_name, description, article = self._texts(lang)
                summary = (
                    env._("Escalated: %(rule)s", rule=rule_name)
                    if escalation
                    else env._("%(rule)s (%(article)s)", rule=rule_name, article=article)
                )
                texts[lang] = (env, rule_name, description, article, summary)
            env, rule_name, description, article, summary = texts[lang]
            if (lang, since) not in dates:
                dates[lang, since] = format_date(env, since, lang_code=lang) if since else ""
            when = dates[lang, since]
            if escalation:
                body = env._(
                    "%(record)s still breaches “%(rule)s” (since %(since)s, threshold %(days)s "
                    "days), %(delay)s days after the alert was raised (%(article)s).",
                    record=name,
                    rule=rule_name,
                    since=when,
                    days=self.days,
                    delay=self.escalation_days,
                    article=article,
                )
            else:
                body = env._(
                    "%(record)s breaches “%(rule)s” since %(since)s (threshold %(days)s days, "
                    "%(article)s).",
                    record=name,
                    rule=rule_name,
                    since=when,
                    days=self.days,
                    article=article,
                )
            note = Markup("<p>%s</p>") % body
            if description:
                note += Markup("<p>%s</p>") % description
            values.append(
                {
                    "res_model_id": res_model_id,
                    "res_id": res_id if on_record else alert.id,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": summary,
                    "note": note,
                    "user_id": target,
                    "date_deadline": today,
                    "sales_policy_alert_id": alert.id,
                }
            )
            assigned[alert.id] = target
        return values, assigned

    def _create_alerts(self, candidates, today, cache):
        """One alert and one activity per new breach: one create call for each.

        :param candidates: ``{res_id: (owner_id or False, since)}`` of the new breaches
        """
        Alert = self.env["sales.policy.alert"]
        if not candidates:
            return Alert
        info = self._get_record_info(list(candidates))
        new_ids = [res_id for res_id in candidates if res_id in info]
        targets = self._get_targets(
            [candidates[res_id][0] for res_id in new_ids], self.notify_level, cache
        )
        alerts = Alert.create(
            [
                {
                    "rule_id": self.id,
                    "res_model": self.model_name,
                    "res_id": res_id,
                    "name": info[res_id][0],
                    "company_id": info[res_id][1],
                    "user_id": candidates[res_id][0],
                    "date_since": candidates[res_id][1],
                    "date_start": today,
                    "level": self.notify_level,
                    "notify_user_id": targets.get(candidates[res_id][0]),
                    "state": "open",
                }
                for res_id in new_ids
            ]
        )
        items = [
            (alert, res_id, candidates[res_id][0], candidates[res_id][1], info[res_id][0])
            for alert, res_id in zip(alerts, new_ids, strict=True)
        ]
        values, _assigned = self._activity_values(items, self.notify_level, today, cache)
        self.env["mail.activity"].create(values)
        return alerts

    def _sync_owners(self, moved):
        """The responsible user of a still-breaching record changed: follow it (one
        write per new owner).

        :param moved: ``[(alert_id, new owner_id or False)]``
        """
        Alert = self.env["sales.policy.alert"]
        for owner_id, pairs in groupby(moved, key=lambda pair: pair[1]):
            Alert.browse([alert_id for alert_id, _owner in pairs]).write({"user_id": owner_id})

    def _escalate_alerts(self, alerts, today, cache):
        """Alerts open for K days or more, not escalated yet: an activity for the
        superior at the escalation level, the level updated, a chatter note."""
        Alert = self.env["sales.policy.alert"]
        if not self.escalation_days or self.escalate_level == "none":
            return Alert
        due = alerts.filtered(
            lambda alert: (
                not alert.date_escalated and (today - alert.date_start).days >= self.escalation_days
            )
        )
        if not due:
            return due
        if self._hosts_activities():
            # the activities' stored record names: one query, not one per activity
            self._get_record_info(due.mapped("res_id"))
        items = [
            (alert, alert.res_id, alert.user_id.id, alert.date_since, alert.name) for alert in due
        ]
        values, assigned = self._activity_values(
            items, self.escalate_level, today, cache, escalation=True
        )
        self.env["mail.activity"].create(values)
        for target, group in groupby(due, key=lambda alert: assigned.get(alert.id, False)):
            Alert.concat(*group).write(
                {
                    "level": self.escalate_level,
                    "date_escalated": today,
                    "escalate_user_id": target,
                }
            )
        level_name = dict(self._fields["escalate_level"]._description_selection(self.env))[
            self.escalate_level
        ]
        users = self.env["res.users"].sudo().browse({t for t in assigned.values() if t})
        names = {user.id: user.name for user in users}
        due._message_log_batch(
            {
                alert.id: Markup("<p>%s</p>")
                % self.env._(
                    "Escalated to %(user)s (%(level)s): still open %(days)s days after it "
                    "was raised.",
                    user=names.get(assigned.get(alert.id)) or self.env._("nobody"),
                    level=level_name,
                    days=self.escalation_days,
                )
                for alert in due
            }
        )
        return due

    def _resolve_alerts(self, alerts, today):
        """The records no longer breach: alerts resolved, their open activities gone."""
        if not alerts:
            return
        alerts.write({"state": "resolved", "date_resolved": today})
        self.env["mail.activity"].search([("sales_policy_alert_id", "in", alerts.ids)]).unlink()
