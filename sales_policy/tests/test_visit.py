from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SalesPolicyCommon


class VisitCommon(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Visit = cls.env["sales.policy.visit"]
        cls.customer = {rep: partners[0] for rep, partners in cls.customers.items()}
        cls.contact = {rep: partners[1] for rep, partners in cls.customers.items()}
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def _visit(self, user, rep, **values):
        """A visit planned by ``user`` to the customer of ``rep`` (for ``user``)."""
        vals = {
            "partner_id": self.customer[rep].id,
            "date_planned": self.now - timedelta(hours=2),
            "purpose": "needs",
        }
        vals.update(values)
        return self.Visit.with_user(user).create(vals)

    def _record(self, visit, **values):
        vals = {"findings": "<p>Needs 12 doors with face recognition.</p>", "outcome": "Quote"}
        vals.update(values)
        visit.write(vals)
        return visit


@tagged("post_install", "-at_install")
class TestVisitFlow(VisitCommon):
    """Plan a visit, record it, follow it up (篇四 §10), acting as the real roles."""

    def test_rep_plans_visit_to_own_customer(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a, contact_id=self.contact[self.rep_n1a].id)
        self.assertEqual(visit.user_id, self.rep_n1a, "the salesperson defaults to the user")
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.team_id, self.team_n1)
        self.assertEqual(visit.commercial_partner_id, self.customer[self.rep_n1a])
        self.assertIn(self.customer[self.rep_n1a].name, visit.name)
        self.assertEqual(visit.date_end, visit.date_planned + timedelta(hours=1))

    def test_rep_cannot_plan_visit_to_another_reps_customer(self):
        with self.assertRaisesRegex(UserError, "is a customer of SP_REP_S1"):
            self._visit(self.rep_n1a, self.rep_s1)
        with self.assertRaisesRegex(UserError, "is a customer of SP_REP_N1B"):
            self._visit(self.rep_n1a, self.rep_n1b)
        self.assertFalse(self.Visit.search([("user_id", "=", self.rep_n1a.id)]))

    def test_rep_cannot_plan_visit_for_another_rep(self):
        with self.assertRaisesRegex(UserError, "SP_REP_N1B cannot plan"):
            self._visit(self.rep_n1a, self.rep_n1a, user_id=self.rep_n1b.id)
        self.assertFalse(self.Visit.search([("partner_id", "=", self.customer[self.rep_n1a].id)]))

    def test_rep_cannot_move_visit_to_another_reps_customer(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a)
        with self.assertRaises(UserError):
            visit.write({"partner_id": self.customer[self.rep_n1b].id})
        self.assertEqual(visit.partner_id, self.customer[self.rep_n1a])

    def test_supervisor_plans_visits_in_team_only(self):
        visit = self._visit(self.sup_n1, self.rep_n1b, user_id=self.rep_n1b.id)
        self.assertEqual(visit.user_id, self.rep_n1b)
        own = self._visit(self.sup_n1, self.rep_n1a)
        self.assertEqual(own.user_id, self.sup_n1, "a supervisor may join a team customer")
        with self.assertRaises(UserError):
            self._visit(self.sup_n1, self.rep_s1)
        # the visit's salesperson must cover the customer too
        with self.assertRaisesRegex(UserError, "SP_REP_N1A cannot plan"):
            self._visit(self.sup_n1, self.rep_n1b, user_id=self.rep_n1a.id)

    def test_regional_manager_and_director_scopes(self):
        self._visit(self.rm_north, self.rep_n2)
        with self.assertRaises(UserError):
            self._visit(self.rm_north, self.rep_s1)
        visit = self._visit(self.director, self.rep_s1, user_id=self.rep_s1.id)
        self.assertEqual(visit.user_id, self.rep_s1)

    def test_customer_without_salesperson_is_open(self):
        prospect = self.env["res.partner"].create({"name": "Prospect", "is_company": True})
        prospect.user_id = False
        visit = self.Visit.with_user(self.rep_n2).create(
            {"partner_id": prospect.id, "date_planned": self.now}
        )
        self.assertEqual(visit.user_id, self.rep_n2)

    def test_done_requires_findings_and_outcome(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a)
        with self.assertRaisesRegex(UserError, "Customer Needs, Outcome"):
            visit.action_done()
        visit.write({"findings": "<p><br></p>", "outcome": "Quote"})
        with self.assertRaisesRegex(UserError, r"fill in Customer Needs\."):
            visit.action_done()
        self.assertEqual(visit.state, "planned", "nothing changed")
        self._record(visit).action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.date_visited, visit.date_planned, "visited on the planned date")

    def test_done_error_cites_article(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a)
        with self.assertRaisesRegex(UserError, "篇四 §10"):
            visit.action_done()

    def test_rep_cannot_mark_done_another_reps_visit(self):
        visit = self._record(self._visit(self.rep_s1, self.rep_s1))
        with self.assertRaises(AccessError):
            visit.with_user(self.rep_n1a).action_done()
        self.assertEqual(visit.state, "planned")

    def test_rep_cannot_mark_done_once_customer_moved_to_another_rep(self):
        visit = self._record(self._visit(self.rep_n1a, self.rep_n1a))
        self.customer[self.rep_n1a].user_id = self.rep_n1b
        with self.assertRaisesRegex(UserError, "is a customer of SP_REP_N1B"):
            visit.action_done()
        self.assertEqual(visit.state, "planned")
        # the supervisor hands the visit over to the customer's new salesperson
        visit.with_user(self.sup_n1).user_id = self.rep_n1b
        visit.with_user(self.rep_n1b).action_done()
        self.assertEqual(visit.state, "done")

    def test_supervisor_records_team_visit(self):
        visit = self._record(self._visit(self.rep_n1b, self.rep_n1b))
        visit.with_user(self.sup_n1).action_done()
        self.assertEqual(visit.state, "done")

    def test_state_only_through_buttons(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a)
        with self.assertRaisesRegex(UserError, "through its buttons"):
            visit.write({"state": "done"})
        with self.assertRaises(UserError):
            self._visit(self.rep_n1a, self.rep_n1a, state="done")
        with self.assertRaises(UserError):
            # a context key grants nothing
            visit.with_context(sales_policy_bypass=True, tracking_disable=True).write(
                {"state": "done"}
            )
        self.assertEqual(visit.state, "planned")

    def test_done_visit_is_locked(self):
        visit = self._record(self._visit(self.rep_n1a, self.rep_n1a))
        visit.action_done()
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            visit.write({"outcome": "Rewritten"})
        with self.assertRaises(UserError):
            visit.with_user(self.director).write({"date_visited": self.now})
        self.assertEqual(visit.outcome, "Quote")
        with self.assertRaises(UserError):
            visit.action_cancel()

    def test_next_step_plans_next_visit(self):
        visit = self._visit(
            self.rep_n1a,
            self.rep_n1a,
            lead_id=self.leads[self.rep_n1a].id,
            contact_id=self.contact[self.rep_n1a].id,
        )
        follow_up = self.now + timedelta(days=7)
        self._record(
            visit,
            next_step="visit",
            next_step_date=follow_up,
            next_step_summary="Demo the solution",
        ).action_done()
        nxt = visit.next_visit_id
        self.assertTrue(nxt)
        self.assertEqual(nxt.state, "planned")
        self.assertEqual(nxt.date_planned, follow_up)
        self.assertEqual(nxt.user_id, self.rep_n1a)
        self.assertEqual(nxt.partner_id, visit.partner_id)
        self.assertEqual(nxt.contact_id, self.contact[self.rep_n1a])
        self.assertEqual(nxt.lead_id, self.leads[self.rep_n1a])
        self.assertEqual(nxt.agenda, "Demo the solution")
        self.assertEqual(nxt.previous_visit_id, visit)

    def test_next_step_activity_on_opportunity(self):
        lead = self.leads[self.rep_n1a]
        visit = self._visit(self.rep_n1a, self.rep_n1a, lead_id=lead.id)
        self._record(
            visit,
            next_step="activity",
            next_step_date=self.now + timedelta(days=3),
            next_step_summary="Send the quotation",
        ).action_done()
        activity = lead.activity_ids.filtered(lambda a: a.summary == "Send the quotation")
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.rep_n1a)
        self.assertEqual(
            activity.date_deadline,
            fields.Date.context_today(visit, self.now + timedelta(days=3)),
        )
        self.assertFalse(visit.next_visit_id)

    def test_next_step_activity_without_opportunity(self):
        visit = self._visit(self.rep_n2, self.rep_n2)
        self._record(
            visit, next_step="activity", next_step_date=self.now + timedelta(days=1)
        ).action_done()
        self.assertEqual(visit.activity_ids.user_id, self.rep_n2)
        self.assertIn("Follow up the visit", visit.activity_ids.summary)

    def test_next_step_needs_a_future_date(self):
        visit = self._record(self._visit(self.rep_n1a, self.rep_n1a), next_step="visit")
        with self.assertRaisesRegex(UserError, "Give the date"):
            visit.action_done()
        visit.next_step_date = self.now - timedelta(days=2)
        with self.assertRaisesRegex(UserError, "in the past"):
            visit.action_done()
        self.assertEqual(visit.state, "planned")
        self.assertFalse(self.Visit.search([("previous_visit_id", "=", visit.id)]))

    def test_visit_date_cannot_be_in_the_future(self):
        visit = self._visit(self.rep_n1a, self.rep_n1a)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            visit.write({"date_visited": self.now + timedelta(days=1)})

    def test_done_before_planned_time_uses_now(self):
        visit = self._record(
            self._visit(self.rep_n1a, self.rep_n1a, date_planned=self.now + timedelta(hours=5))
        )
        visit.action_done()
        self.assertLessEqual(visit.date_visited, fields.Datetime.now())

    def test_contact_must_work_for_customer(self):
        with self.assertRaisesRegex(ValidationError, "does not work for"):
            self._visit(self.rep_n1a, self.rep_n1a, contact_id=self.rep_n1b.partner_id.id)

    def test_no_show_cancel_and_plan_again(self):
        future = self._visit(self.rep_n1a, self.rep_n1a, date_planned=self.now + timedelta(days=1))
        with self.assertRaisesRegex(UserError, "still to come"):
            future.action_no_show()
        future.action_cancel()
        self.assertEqual(future.state, "cancelled")
        future.action_reset_to_planned()
        self.assertEqual(future.state, "planned")
        past = self._visit(self.rep_n1a, self.rep_n1a)
        past.action_no_show()
        self.assertEqual(past.state, "no_show")
        with self.assertRaises(UserError):
            past.action_done()


@tagged("post_install", "-at_install")
class TestVisitScopes(VisitCommon):
    """Record rules: own / team / region / all, multi-company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visits = {
            rep: cls.Visit.create(
                {"partner_id": cls.customer[rep].id, "user_id": rep.id, "date_planned": cls.now}
            )
            for rep in cls.reps
        }

    def _seen(self, user):
        ids = [visit.id for visit in self.visits.values()]
        seen = self.Visit.with_user(user).search([("id", "in", ids)])
        return {rep for rep, visit in self.visits.items() if visit in seen}

    def test_scopes(self):
        expectations = {
            self.rep_n1a: {self.rep_n1a},
            self.rep_s1: {self.rep_s1},
            self.sup_n1: {self.rep_n1a, self.rep_n1b},
            self.assistant_n1: {self.rep_n1a, self.rep_n1b},
            self.rm_north: {self.rep_n1a, self.rep_n1b, self.rep_n2},
            self.rm_south: {self.rep_s1},
            self.director: set(self.reps),
            self.presales: set(),
            self.finance: set(),
        }
        for user, expected in expectations.items():
            self.assertEqual(self._seen(user), expected, f"{user.login} sees the wrong visits")

    def test_rep_cannot_read_or_write_other_visit(self):
        visit = self.visits[self.rep_s1].with_user(self.rep_n1a)
        with self.assertRaises(AccessError):
            visit.read(["name"])
        with self.assertRaises(AccessError):
            visit.write({"agenda": "mine"})

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.director.write({"company_ids": [Command.link(other.id)]})
        visit = self.Visit.create(
            {
                "partner_id": self.customer[self.rep_s1].id,
                "user_id": self.director.id,
                "company_id": other.id,
                "date_planned": self.now,
            }
        )
        Visit = self.Visit.with_user(self.director).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertFalse(Visit.search([("id", "=", visit.id)]))
        self.assertEqual(
            Visit.with_context(allowed_company_ids=[other.id]).search([("id", "=", visit.id)]),
            visit,
        )

    def test_rep_cannot_delete_visit(self):
        with self.assertRaises(AccessError):
            self.visits[self.rep_n1a].with_user(self.rep_n1a).unlink()


@tagged("post_install", "-at_install")
class TestVisitFigures(VisitCommon):
    """Planned vs done per salesperson and period: the API the appraisal addon reads."""

    def _make(self, rep, day, state):
        visit = self.Visit.create(
            {
                "partner_id": self.customer[rep].id,
                "user_id": rep.id,
                "date_planned": datetime.combine(day, datetime.min.time()) + timedelta(hours=3),
            }
        )
        if state != "planned":
            visit.sudo().write({"state": state})
        return visit

    def test_planned_vs_done(self):
        may = date(2025, 5, 10)
        for state in ("done", "done", "planned", "no_show", "cancelled"):
            self._make(self.rep_n1a, may, state)
        self._make(self.rep_n1b, may, "planned")
        self._make(self.rep_n1a, date(2025, 6, 2), "done")  # outside the period
        Visit = self.Visit.with_context(tz="Asia/Shanghai").sudo()
        figures = Visit._sales_policy_visit_figures(date(2025, 5, 1), date(2025, 5, 31))
        self.assertEqual(figures[self.rep_n1a.id], {"planned": 4, "done": 2})
        self.assertEqual(figures[self.rep_n1b.id], {"planned": 1, "done": 0})
        self.assertNotIn(self.rep_s1.id, figures)
        only = Visit._sales_policy_visit_figures("2025-05-01", "2025-05-31", [self.rep_n1b.id])
        self.assertEqual(set(only), {self.rep_n1b.id})

    def test_period_bounds_follow_timezone(self):
        # 2025-05-31 23:30 in Shanghai is 15:30 UTC: it belongs to May there
        self.Visit.create(
            {
                "partner_id": self.customer[self.rep_n2].id,
                "user_id": self.rep_n2.id,
                "date_planned": datetime(2025, 5, 31, 15, 30),
            }
        )
        Visit = self.Visit.sudo().with_context(tz="Asia/Shanghai")
        self.assertEqual(
            Visit._sales_policy_visit_figures(date(2025, 5, 1), date(2025, 5, 31)),
            {self.rep_n2.id: {"planned": 1, "done": 0}},
        )
        self.assertFalse(Visit._sales_policy_visit_figures(date(2025, 6, 1), date(2025, 6, 30)))

    def test_figures_respect_caller_scope(self):
        self._make(self.rep_n1a, date(2025, 5, 10), "done")
        self._make(self.rep_s1, date(2025, 5, 10), "done")
        figures = self.Visit.with_user(self.sup_n1)._sales_policy_visit_figures(
            date(2025, 5, 1), date(2025, 5, 31)
        )
        self.assertEqual(set(figures), {self.rep_n1a.id})

    def test_figures_one_query(self):
        for rep in self.reps:
            self._make(rep, date(2025, 5, 10), "done")
        Visit = self.Visit.sudo()
        self.env.flush_all()
        self.env.invalidate_all()
        Visit.env.user.tz  # noqa: B018 - warm the user's cache, not part of the API cost
        with self.assertQueryCount(1):
            figures = Visit._sales_policy_visit_figures(date(2025, 5, 1), date(2025, 5, 31))
        self.assertEqual(len(figures), 4)


@tagged("post_install", "-at_install")
class TestVisitFrequency(VisitCommon):
    """Customer classes, the overdue list and the daily reminder (篇四 §10.4)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Class = cls.env["sales.policy.customer.class"]
        cls.class_a = Class.create({"code": "TA", "name": "Key", "max_days_between_visits": 30})
        cls.class_c = Class.create({"code": "TC", "name": "Regular"})
        cls.start = datetime(2025, 3, 1, 12, 0)
        # every test customer exists since the same day, whatever the real date
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id IN %s",
            [cls.start, tuple(p.id for p in cls.customer.values())],
        )
        cls.env.invalidate_all()
        cls.customer[cls.rep_n1a].sales_policy_customer_class_id = cls.class_a
        cls.customer[cls.rep_s1].sales_policy_customer_class_id = cls.class_a
        cls.customer[cls.rep_n2].sales_policy_customer_class_id = cls.class_c
        cls.rule = cls.env.ref("sales_policy.alert_rule_visit_frequency")
        cls.rule.write({"days": 0, "escalation_days": 7, "active": True})

    def _done_visit(self, rep, when):
        visit = self.Visit.create(
            {"partner_id": self.customer[rep].id, "user_id": rep.id, "date_planned": when}
        )
        visit.sudo().write(
            {"state": "done", "date_visited": when, "findings": "<p>x</p>", "outcome": "x"}
        )
        return visit

    def test_class_validation(self):
        Class = self.env["sales.policy.customer.class"]
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            Class.create({"code": "TN", "name": "Negative", "max_days_between_visits": -1})
        with self.assertRaises(AccessError):
            Class.with_user(self.rep_n1a).create({"code": "TX", "name": "Rep's class"})

    def test_class_is_a_commercial_field(self):
        contact = self.contact[self.rep_n1a]
        self.assertEqual(contact.sales_policy_customer_class_id, self.class_a)

    @freeze_time("2025-04-15 08:00:00")
    def test_last_visit_and_due_date(self):
        customer = self.customer[self.rep_n1a]
        self.assertFalse(customer.sales_policy_last_visit_date)
        self.assertEqual(customer.sales_policy_next_visit_due, date(2025, 3, 31))
        self.assertTrue(customer.sales_policy_visit_overdue)
        self._done_visit(self.rep_n1a, datetime(2025, 4, 10, 2, 0))
        customer.invalidate_recordset()
        self.assertEqual(customer.sales_policy_last_visit_date, date(2025, 4, 10))
        self.assertEqual(customer.sales_policy_next_visit_due, date(2025, 5, 10))
        self.assertFalse(customer.sales_policy_visit_overdue)
        self.assertEqual(self.contact[self.rep_n1a].sales_policy_last_visit_date, date(2025, 4, 10))
        self.assertFalse(self.customer[self.rep_n2].sales_policy_next_visit_due, "class C")

    @freeze_time("2025-04-15 08:00:00")
    def test_overdue_list(self):
        self._done_visit(self.rep_s1, datetime(2025, 4, 1, 2, 0))
        Partner = self.env["res.partner"]
        mine = Partner.search([("id", "in", [p.id for p in self.customer.values()])])
        overdue = mine.filtered_domain([("sales_policy_visit_overdue", "=", True)])
        self.assertEqual(
            Partner.search([("sales_policy_visit_overdue", "=", True), ("id", "in", mine.ids)]),
            self.customer[self.rep_n1a],
        )
        self.assertEqual(overdue, self.customer[self.rep_n1a])
        self.assertEqual(
            Partner.search([("sales_policy_visit_overdue", "=", False), ("id", "in", mine.ids)]),
            mine - self.customer[self.rep_n1a],
        )
        # each rep sees their own overdue customers only
        as_rep = Partner.with_user(self.rep_s1).search([("sales_policy_visit_overdue", "=", True)])
        self.assertFalse(as_rep & mine)
        as_rep = Partner.with_user(self.rep_n1a).search([("sales_policy_visit_overdue", "=", True)])
        self.assertEqual(as_rep & mine, self.customer[self.rep_n1a])

    def test_alert_candidates(self):
        rule = self.rule
        with freeze_time("2025-03-31 08:00:00"):
            self.assertNotIn(self.customer[self.rep_n1a].id, rule._get_candidates())
        with freeze_time("2025-04-01 08:00:00"):
            candidates = rule._get_candidates()
        # counted from the first day overdue: created 1 March, class A visits every 30 days
        self.assertEqual(
            candidates[self.customer[self.rep_n1a].id], (self.rep_n1a.id, date(2025, 4, 1))
        )
        self.assertNotIn(self.customer[self.rep_n2].id, candidates, "class C: no frequency")
        self.assertNotIn(self.contact[self.rep_n1a].id, candidates, "companies, not contacts")
        # N days after the first day overdue
        rule.days = 5
        with freeze_time("2025-04-05 08:00:00"):
            self.assertNotIn(self.customer[self.rep_n1a].id, rule._get_candidates())
        with freeze_time("2025-04-06 08:00:00"):
            self.assertIn(self.customer[self.rep_n1a].id, rule._get_candidates())
        # an extra filter on the rule
        rule.write({"days": 0, "domain": f"[('id', '!=', {self.customer[self.rep_s1].id})]"})
        with freeze_time("2025-04-06 08:00:00"):
            candidates = rule._get_candidates()
        self.assertIn(self.customer[self.rep_n1a].id, candidates)
        self.assertNotIn(self.customer[self.rep_s1].id, candidates)

    def test_daily_job_reminds_rep_then_resolves(self):
        customer = self.customer[self.rep_n1a]
        Alert = self.env["sales.policy.alert"]
        with freeze_time("2025-04-02 01:00:00"):
            self.rule._run()
        alert = Alert.search([("rule_id", "=", self.rule.id), ("res_id", "=", customer.id)])
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.state, "open")
        self.assertEqual(alert.user_id, self.rep_n1a)
        activity = customer.activity_ids.filtered(lambda a: a.user_id == self.rep_n1a)
        self.assertEqual(len(activity), 1, "the rep is reminded on the customer")
        self.assertIn("篇四 §10", activity.note)
        # the rep sees the reminder on their customer
        self.assertTrue(activity.with_user(self.rep_n1a).read(["summary"]))
        # de-duplicated the next day; escalated to the supervisor after 7 days
        with freeze_time("2025-04-03 01:00:00"):
            self.rule._run()
        self.assertEqual(
            Alert.search_count([("rule_id", "=", self.rule.id), ("res_id", "=", customer.id)]), 1
        )
        with freeze_time("2025-04-09 01:00:00"):
            self.rule._run()
        self.assertEqual(alert.level, "supervisor")
        self.assertIn(self.sup_n1, customer.activity_ids.user_id)
        # a visit is done: the alert is resolved and the reminders removed
        self._done_visit(self.rep_n1a, datetime(2025, 4, 9, 2, 0))
        with freeze_time("2025-04-10 01:00:00"):
            self.rule._run()
        self.assertEqual(alert.state, "resolved")
        self.assertFalse(customer.activity_ids.filtered(lambda a: a.user_id == self.rep_n1a))

    def test_hook_query_count_is_constant(self):
        """The candidates cost the same number of queries for 4 or 200 customers."""
        Partner = self.env["res.partner"]

        def measure():
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time("2025-06-01 08:00:00"):
                before = self.env.cr.sql_log_count
                result = self.rule._get_candidates()
                return self.env.cr.sql_log_count - before, len(result)

        small_queries, small = measure()
        partners = Partner.create(
            [
                {
                    "name": f"Bulk {i}",
                    "is_company": True,
                    "user_id": self.rep_n2.id,
                    "sales_policy_customer_class_id": self.class_a.id,
                }
                for i in range(200)
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id IN %s",
            [self.start, tuple(partners.ids)],
        )
        self.Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.rep_n2.id,
                    "date_planned": datetime(2025, 5, 20, 2, 0),
                }
                for partner in partners[:50]
            ]
        ).sudo().write({"state": "done", "date_visited": datetime(2025, 5, 20, 2, 0)})
        large_queries, large = measure()
        self.assertEqual(large, small + 150)
        self.assertEqual(large_queries, small_queries)
        self.assertLessEqual(large_queries, 3)

    def test_unrecorded_visit_alert(self):
        """Planned visits whose day passed remind the rep to record them."""
        rule = self.env.ref("sales_policy.alert_rule_visit_unrecorded")
        visit = self.Visit.create(
            {
                "partner_id": self.customer[self.rep_n1b].id,
                "user_id": self.rep_n1b.id,
                "date_planned": datetime(2025, 4, 1, 2, 0),
            }
        )
        with freeze_time("2025-04-03 01:00:00"):
            rule._run()
        self.assertEqual(visit.activity_ids.user_id, self.rep_n1b)
        visit.sudo().write({"state": "cancelled"})
        with freeze_time("2025-04-04 01:00:00"):
            rule._run()
        self.assertFalse(visit.activity_ids)


@tagged("post_install", "-at_install")
class TestVisitViews(VisitCommon):
    """Each role opens the screens of the feature."""

    def test_views_load_per_role(self):
        modes = ("list", "form", "calendar", "kanban", "pivot", "graph", "search")
        overdue_list = self.env.ref("sales_policy.res_partner_view_list_sales_policy_visit_overdue")
        for user in (self.rep_n1a, self.sup_n1, self.assistant_n1, self.rm_north, self.director):
            views = self.Visit.with_user(user).get_views([(False, mode) for mode in modes])
            self.assertEqual(set(views["views"]), set(modes))
            Partner = self.env["res.partner"].with_user(user)
            arch = Partner.get_views([(overdue_list.id, "list")])["views"]["list"]["arch"]
            self.assertIn("sales_policy_next_visit_due", arch)
            Partner.search_read(
                [("sales_policy_visit_overdue", "=", True)],
                ["sales_policy_last_visit_date", "sales_policy_next_visit_due"],
            )
        for user in (self.rep_n1a, self.presales):
            Request = self.env["sales.policy.support.request"].with_user(user)
            views = Request.get_views([(False, mode) for mode in ("list", "form", "kanban")])
            self.assertEqual(len(views["views"]), 3)
