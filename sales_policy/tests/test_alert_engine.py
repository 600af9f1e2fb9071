from datetime import datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import SalesPolicyCommon

#: Registered options of the rule's methods (of other models), patched onto sale.order.
METHOD = "_sales_policy_alert_lead_follow_up"
ON_RAISE = "_sales_policy_alert_open_bad_debt"


@tagged("post_install", "-at_install")
class TestAlertEngine(SalesPolicyCommon):
    """The alert engine (mechanism 3) on a generic rule: draft quotations of the
    fixtures older than 5 days → the supervisor, escalated to the regional manager
    after 2 more days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.policy.alert.rule"]
        cls.Alert = cls.env["sales.policy.alert"]
        cls.SaleOrder = type(cls.env["sale.order"])
        cls.today = fields.Date.today()
        cls.control = cls.env.ref("sales_policy.control_lead_follow_up")
        cls.article = cls.control.article_id.code
        cls.order_ids = [order.id for order in cls.orders.values()]
        for order in cls.orders.values():
            order.date_order = cls._at(cls.today)
        cls.rule = cls._make_rule("test_quotation_pending", cls.order_ids)

    @classmethod
    def _at(cls, day, hour=9):
        return datetime.combine(day, time(hour))

    @classmethod
    def _make_rule(cls, code, order_ids, **values):
        return cls.Rule.create(
            {
                "name": f"Quotation pending ({code})",
                "code": code,
                "control_id": cls.control.id,
                "model_id": cls.env["ir.model"]._get_id("sale.order"),
                "domain": f"[('state', 'in', ('draft', 'sent')), ('id', 'in', {order_ids})]",
                "date_field": "date_order",
                "user_field": "user_id",
                "days": 5,
                "escalation_days": 2,
                "notify_level": "supervisor",
                "escalate_level": "regional_manager",
                **values,
            }
        )

    def _run(self, day, rule=None):
        with freeze_time(day):
            return (rule or self.rule)._run()

    def _alerts(self, rule=None, **domain):
        return self.Alert.search(
            [("rule_id", "=", (rule or self.rule).id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def _age(self, rep, days):
        """Make the quotation of ``rep`` ``days`` days old (relative to today)."""
        self.orders[rep].date_order = self._at(self.today - timedelta(days=days))

    def test_new_breach_raises_alert_and_activity_for_supervisor(self):
        self._age(self.rep_n1a, 10)
        stats = self._run(self.today)
        self.assertEqual(stats["test_quotation_pending"]["created"], 1)
        alert = self._alerts()
        self.assertRecordValues(
            alert,
            [
                {
                    "res_model": "sale.order",
                    "res_id": self.orders[self.rep_n1a].id,
                    "name": self.orders[self.rep_n1a].name,
                    "user_id": self.rep_n1a.id,
                    "notify_user_id": self.sup_n1.id,
                    "level": "supervisor",
                    "state": "open",
                    "date_start": self.today,
                    "date_since": self.today - timedelta(days=10),
                    "company_id": self.company.id,
                    "article": self.article,
                }
            ],
        )
        activity = alert.engine_activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.res_model, "sale.order")
        self.assertEqual(activity.res_id, self.orders[self.rep_n1a].id)
        self.assertEqual(activity.user_id, self.sup_n1)
        self.assertEqual(activity.date_deadline, self.today)
        self.assertIn(self.article, activity.summary)
        self.assertIn(self.article, str(activity.note))

    def test_open_alert_is_not_duplicated(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        stats = self._run(self.today + timedelta(days=1))
        self.assertEqual(stats["test_quotation_pending"]["created"], 0)
        alert = self._alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(len(alert.engine_activity_ids), 1)

    def test_escalates_once_after_k_days(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        alert = self._alerts()
        self._run(self.today + timedelta(days=1))
        self.assertFalse(alert.date_escalated, "escalated before K days")
        stats = self._run(self.today + timedelta(days=2))
        self.assertEqual(stats["test_quotation_pending"]["escalated"], 1)
        self.assertRecordValues(
            alert,
            [
                {
                    "level": "regional_manager",
                    "escalate_user_id": self.rm_north.id,
                    "date_escalated": self.today + timedelta(days=2),
                    "state": "open",
                }
            ],
        )
        self.assertEqual(alert.engine_activity_ids.user_id, self.sup_n1 | self.rm_north)
        self.assertIn("Escalated to", alert.message_ids[0].body)
        stats = self._run(self.today + timedelta(days=6))
        self.assertEqual(stats["test_quotation_pending"]["escalated"], 0)
        self.assertEqual(len(alert.engine_activity_ids), 2, "escalated twice")

    def test_no_escalation_when_k_is_zero(self):
        self.rule.escalation_days = 0
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        self._run(self.today + timedelta(days=30))
        self.assertTrue(self._alerts())
        self.assertFalse(self._alerts().filtered("date_escalated"))

    def test_resolved_when_no_longer_breaching(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        alert = self._alerts()
        self.orders[self.rep_n1a].date_order = self._at(self.today)
        stats = self._run(self.today + timedelta(days=1))
        self.assertEqual(stats["test_quotation_pending"]["resolved"], 1)
        self.assertEqual(alert.state, "resolved")
        self.assertEqual(alert.date_resolved, self.today + timedelta(days=1))
        self.assertFalse(alert.engine_activity_ids, "the open activity is removed")
        # a new breach later raises a new alert; the resolved one stays as history
        self._age(self.rep_n1a, 10)
        self._run(self.today + timedelta(days=2))
        self.assertEqual(len(self._alerts()), 2)
        self.assertEqual(len(self._alerts(state="open")), 1)

    def test_done_activity_is_kept_when_resolved(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        alert = self._alerts()
        activity = alert.engine_activity_ids
        activity.with_user(self.sup_n1).action_feedback(feedback="Called the rep")
        self.orders[self.rep_n1a].date_order = self._at(self.today)
        self._run(self.today + timedelta(days=1))
        self.assertTrue(activity.exists(), "a done activity is history, not removed")
        self.assertFalse(activity.active)

    def test_owner_change_follows_the_record(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        self.orders[self.rep_n1a].user_id = self.rep_n1b
        self._run(self.today + timedelta(days=1))
        self.assertEqual(self._alerts().user_id, self.rep_n1b)

    def test_hierarchy_gap_falls_back_to_the_level_group(self):
        loner = self.env["res.users"].create(
            {
                "name": "Rep without team",
                "login": "sp_rep_loner",
                "group_ids": [Command.link(self.env.ref("sales_policy.group_sales_rep").id)],
            }
        )
        self.orders[self.rep_n1a].write({"user_id": loner.id})
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        alert = self._alerts()
        supervisors = self.env.ref("sales_policy.group_sales_supervisor").user_ids
        self.assertIn(alert.notify_user_id, supervisors)
        self.assertEqual(alert.engine_activity_ids.user_id, alert.notify_user_id)

    def test_notify_owner_level(self):
        self.rule.notify_level = "owner"
        self._age(self.rep_s1, 10)
        self._run(self.today)
        alert = self._alerts()
        self.assertEqual(alert.notify_user_id, self.rep_s1)
        self.assertEqual(alert.engine_activity_ids.user_id, self.rep_s1)

    def test_rule_calls_its_candidates_method(self):
        """A rule naming a method takes its records from that method of the watched
        model, not from its domain and date field; N applies to the method's rows as to
        any rule's."""
        calls = []

        def method(model, rule):
            calls.append(rule)
            return SQL(
                "SELECT id AS res_id, user_id, CASE WHEN id = %s THEN %s ELSE %s END AS since"
                " FROM sale_order WHERE id IN %s",
                self.orders[self.rep_s1].id,
                self.today - timedelta(days=7),  # N = 5: breaching for 7 days
                self.today - timedelta(days=2),  # 2 days: not yet
                (self.orders[self.rep_s1].id, self.orders[self.rep_n2].id),
            )

        self._age(self.rep_n1a, 10)  # matches the domain and date field: not used
        with patch.object(self.SaleOrder, METHOD, method, create=True):
            self.rule.candidates_method = METHOD
            self._run(self.today)
        self.assertEqual(calls, [self.rule])
        alert = self._alerts()
        self.assertEqual(alert.res_id, self.orders[self.rep_s1].id)
        self.assertEqual(alert.user_id, self.rep_s1)
        self.assertEqual(alert.date_since, self.today - timedelta(days=7))

    def test_rule_calls_its_raise_method_once_per_alert(self):
        raised = []

        def on_raise(records, alerts):
            raised.append((records, alerts))

        self._age(self.rep_n1a, 10)
        with patch.object(self.SaleOrder, ON_RAISE, on_raise, create=True):
            self.rule.raise_method = ON_RAISE
            self._run(self.today)
            self._run(self.today + timedelta(days=1))  # de-duplicated: not raised again
        [(records, alerts)] = raised
        self.assertEqual(records, self.orders[self.rep_n1a])
        self.assertEqual(alerts, self._alerts())

    def test_methods_belong_to_the_watched_model(self):
        for fname, method in (("candidates_method", METHOD), ("raise_method", ON_RAISE)):
            with self.assertRaisesRegex(ValidationError, "does not have"):
                self._make_rule(f"test_bad_{fname}", self.order_ids, **{fname: method})
        with self.assertRaisesRegex(ValidationError, "needs a date field or a method"):
            self._make_rule("test_no_date", self.order_ids, date_field=False)

    def test_changes_hold_only_what_differs_from_the_open_alerts(self):
        """The engine's diff: a steady day brings nothing to Python; a record that no
        longer breaches, a new owner, a new breach and a due escalation each appear in
        their own list."""
        for rep in (self.rep_n1a, self.rep_n1b, self.rep_s1):
            self._age(rep, 10)
        self._run(self.today)
        alerts = {alert.res_id: alert for alert in self._alerts()}
        with freeze_time(self.today + timedelta(days=1)):
            changes = self.rule._get_changes(self.today + timedelta(days=1))
        self.assertEqual(changes, {"candidates": 3, "new": {}, "gone": [], "moved": [], "due": []})
        self.orders[self.rep_n1a].date_order = self._at(self.today)  # no longer breaches
        self.orders[self.rep_n1b].user_id = self.rep_n2  # changes hands
        self._age(self.rep_n2, 10)  # breaches for the first time
        day = self.today + timedelta(days=2)  # K = 2: the open alerts are due
        with freeze_time(day):
            changes = self.rule._get_changes(day)
        n1a, n1b, s1 = (
            alerts[self.orders[rep].id].id for rep in (self.rep_n1a, self.rep_n1b, self.rep_s1)
        )
        self.assertEqual(changes["candidates"], 3)
        self.assertEqual(
            changes["new"],
            {self.orders[self.rep_n2].id: (self.rep_n2.id, self.today - timedelta(days=10))},
        )
        self.assertEqual(changes["gone"], [n1a])
        self.assertEqual(changes["moved"], [(n1b, self.rep_n2.id)])
        self.assertEqual(changes["due"], sorted([n1b, s1]))

    def test_activity_on_alert_when_model_has_no_activities(self):
        event = self.env["calendar.event"].create(
            {
                "name": "Customer meeting",
                "user_id": self.rep_n1a.id,
                "start": self._at(self.today - timedelta(days=10)),
                "stop": self._at(self.today - timedelta(days=10), 10),
            }
        )
        rule = self.Rule.create(
            {
                "name": "Old meetings",
                "code": "test_old_meetings",
                "model_id": self.env["ir.model"]._get_id("calendar.event"),
                "domain": f"[('id', '=', {event.id})]",
                "date_field": "start",
                "user_field": "user_id",
                "days": 3,
                "notify_level": "owner",
                "control_id": self.control.id,
            }
        )
        self._run(self.today, rule)
        alert = self._alerts(rule)
        self.assertEqual(alert.res_id, event.id)
        self.assertEqual(alert.activity_ids.user_id, self.rep_n1a)
        self.assertEqual(alert.engine_activity_ids, alert.activity_ids)

    def test_run_all_runs_every_active_rule(self):
        other = self._make_rule("test_quotation_other", self.order_ids, days=1)
        archived = self._make_rule("test_quotation_archived", self.order_ids, active=False)
        self._age(self.rep_n1a, 10)
        with freeze_time(self.today):
            stats = self.Rule._run_all()
        self.assertIn(self.rule.code, stats)
        self.assertIn(other.code, stats)
        self.assertIn("lead_follow_up", stats)
        self.assertNotIn(archived.code, stats)

    def test_cron_isolates_a_failing_rule(self):
        self._age(self.rep_n1a, 10)
        broken = self._make_rule("test_broken", self.order_ids, sequence=1)
        Rule = type(self.Rule)
        original = Rule._run_one

        def run_one(rule, cache):
            if rule.code == "test_broken":
                raise ValueError("boom")
            return original(rule, cache)

        progress = []
        Cron = type(self.env["ir.cron"])
        with (
            patch.object(Rule, "_run_one", run_one),
            patch.object(Cron, "_commit_progress", lambda cron, *a, **kw: progress.append(a)),
            freeze_time(self.today),
            self.assertLogs("odoo.addons.sales_policy.models.sales_policy_alert_rule", "ERROR"),
        ):
            self.Rule._cron_run_all()
        self.assertFalse(self._alerts(broken))
        self.assertEqual(len(self._alerts()), 1, "the other rules still ran")
        self.assertEqual(len(progress), len(self.Rule.search([])) + 1)

    def test_query_count_does_not_grow_with_records(self):
        """A run costs the same number of queries for 5 or 40 new breaches."""
        Order = self.env["sale.order"]
        partner = self.customers[self.rep_n1a][0]

        def orders(count):
            return Order.create(
                [
                    {
                        "partner_id": partner.id,
                        "user_id": self.rep_n1a.id,
                        "date_order": self._at(self.today - timedelta(days=10)),
                    }
                    for _i in range(count)
                ]
            )

        warmup = self._make_rule("test_q_warmup", orders(2).ids)
        small = self._make_rule("test_q_small", orders(5).ids)
        large = self._make_rule("test_q_large", orders(40).ids)

        def count(rule):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            stats = self._run(self.today, rule)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, stats[rule.code]["created"]

        count(warmup)
        small_queries, small_created = count(small)
        large_queries, large_created = count(large)
        self.assertEqual((small_created, large_created), (5, 40))
        self.assertEqual(small_queries, large_queries)

    def test_alerts_follow_the_hierarchy(self):
        for rep in self.reps:
            self._age(rep, 10)
        self._run(self.today)
        alerts = self._alerts()
        self.assertEqual(len(alerts), 4)

        def seen(user):
            return set(self.Alert.with_user(user).search([("id", "in", alerts.ids)]).user_id)

        self.assertEqual(seen(self.rep_n1a), {self.rep_n1a})
        self.assertEqual(seen(self.sup_n1), {self.rep_n1a, self.rep_n1b})
        self.assertEqual(seen(self.assistant_n1), {self.rep_n1a, self.rep_n1b})
        self.assertEqual(seen(self.rm_north), {self.rep_n1a, self.rep_n1b, self.rep_n2})
        self.assertEqual(seen(self.rm_south), {self.rep_s1})
        self.assertEqual(seen(self.director), set(self.reps))
        self.assertEqual(seen(self.presales), set())
        my_team = self.Alert.with_user(self.sup_n1).search([("is_my_team", "=", True)])
        self.assertEqual(set(my_team.user_id), {self.rep_n1a, self.rep_n1b})
        with self.assertRaises(AccessError):
            alerts.filtered(lambda a: a.user_id == self.rep_s1).with_user(self.rep_n1a).read(
                ["name"]
            )

    def test_users_cannot_change_alerts(self):
        self._age(self.rep_n1a, 10)
        self._run(self.today)
        alert = self._alerts()
        for user in (self.rep_n1a, self.sup_n1, self.director):
            with self.assertRaises(AccessError):
                alert.with_user(user).write({"state": "resolved"})
        with self.assertRaises(AccessError):
            self.Alert.with_user(self.director).create(
                {
                    "rule_id": self.rule.id,
                    "res_model": "sale.order",
                    "res_id": self.orders[self.rep_n1a].id,
                    "date_start": self.today,
                    "level": "owner",
                }
            )
        # but they can discuss it
        alert.with_user(self.rep_n1a).message_post(body="On it")

    def test_run_now_is_for_sales_managers(self):
        self._age(self.rep_n1a, 10)
        with self.assertRaises(AccessError):
            self.rule.with_user(self.sup_n1).action_run()
        with freeze_time(self.today):
            self.rule.with_user(self.director).action_run()
        self.assertEqual(len(self._alerts()), 1)

    def test_rule_checks_its_fields(self):
        with self.assertRaises(ValidationError):
            self._make_rule("test_bad_date", self.order_ids, date_field="partner_id")
        with self.assertRaises(ValidationError):
            self._make_rule("test_bad_user", self.order_ids, user_field="partner_id")
        with self.assertRaises(ValidationError):
            self._make_rule("test_bad_domain", self.order_ids, domain="[('no_such_field', '=', 1)]")
