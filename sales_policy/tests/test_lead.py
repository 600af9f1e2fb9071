from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyCommon, SalesPolicyFixtures


def _at(day, hour=9):
    return datetime.combine(day, time(hour))


class LeadCase(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lead = cls.env["crm.lead"]
        cls.today = fields.Date.today()
        cls.rule = cls.env.ref("sales_policy.alert_rule_lead_follow_up")
        cls.article = cls.env["sales.policy.control"]._cite("lead_follow_up")
        cls.unassigned = cls.Lead.create({"name": "Website enquiry", "user_id": False})
        cls.stages = cls.env["crm.stage"].search([("is_won", "=", False)], limit=2)

    def _assigned_days_ago(self, lead, days):
        lead.write({"date_open": _at(self.today - timedelta(days=days))})
        return lead

    def _run(self, day):
        with freeze_time(day):
            return self.rule._run()[self.rule.code]

    def _alert(self, lead):
        return self.env["sales.policy.alert"].search(
            [("rule_id", "=", self.rule.id), ("res_id", "=", lead.id)]
        )

    def _note(self, lead, user, when, **kwargs):
        with freeze_time(when):
            lead.with_user(user).message_post(
                body="Called the customer",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                **kwargs,
            )


@tagged("post_install", "-at_install")
class TestLeadChannel(LeadCase):
    def test_channel_and_concrete_source_are_recorded(self):
        source = self.env["utm.source"].create({"name": "Trade fair 2025"})
        medium = self.env["utm.medium"].create({"name": "Booth"})
        lead = self.Lead.with_user(self.rep_n1a).create(
            {
                "name": "Met at the fair",
                "sales_policy_channel": "offline",
                "source_id": source.id,
                "medium_id": medium.id,
            }
        )
        self.assertRecordValues(
            lead,
            [
                {
                    "sales_policy_channel": "offline",
                    "source_id": source.id,
                    "medium_id": medium.id,
                    "user_id": self.rep_n1a.id,
                }
            ],
        )
        groups = dict(
            self.Lead._read_group([("id", "=", lead.id)], ["sales_policy_channel"], ["__count"])
        )
        self.assertEqual(groups, {"offline": 1})


@tagged("post_install", "-at_install")
class TestLeadAssignment(LeadCase):
    """Screening and assignment (筛选和分配) by supervisors and managers only."""

    def test_rep_creates_own_lead(self):
        lead = self.Lead.with_user(self.rep_n1a).create({"name": "My own find"})
        self.assertEqual(lead.user_id, self.rep_n1a)
        self.assertFalse(lead.sales_policy_assigned_by_id)

    def test_rep_cannot_create_lead_for_someone_else(self):
        with self.assertRaisesRegex(UserError, "篇四 §9"):
            self.Lead.with_user(self.rep_n1a).create(
                {"name": "For my colleague", "user_id": self.rep_n1b.id}
            )

    def test_rep_cannot_reassign_own_lead(self):
        lead = self.leads[self.rep_n1a]
        for target in (self.rep_n1b, self.sup_n1):
            with self.assertRaises(UserError):
                lead.with_user(self.rep_n1a).write({"user_id": target.id})
        with self.assertRaises(UserError):
            lead.with_user(self.rep_n1a).write({"user_id": False})
        self.assertEqual(lead.user_id, self.rep_n1a)

    def test_rep_cannot_take_unassigned_lead(self):
        with self.assertRaises(UserError):
            self.unassigned.with_user(self.rep_n1a).write({"user_id": self.rep_n1a.id})
        self.assertFalse(self.unassigned.user_id)

    def test_rep_may_rewrite_the_same_salesperson(self):
        lead = self.leads[self.rep_n1a]
        lead.with_user(self.rep_n1a).write({"user_id": self.rep_n1a.id, "priority": "2"})
        self.assertEqual(lead.priority, "2")

    def test_supervisor_assigns_within_team(self):
        lead = self.unassigned.with_user(self.sup_n1)
        lead.write({"user_id": self.rep_n1b.id})
        self.assertEqual(lead.user_id, self.rep_n1b)
        self.assertEqual(lead.sales_policy_assigned_by_id, self.sup_n1)
        self.assertTrue(lead.date_open)
        self.leads[self.rep_n1a].with_user(self.sup_n1).write({"user_id": self.rep_n1b.id})
        self.assertEqual(self.leads[self.rep_n1a].user_id, self.rep_n1b)

    def test_supervisor_cannot_assign_outside_team(self):
        with self.assertRaisesRegex(UserError, self.rep_n2.name):
            self.unassigned.with_user(self.sup_n1).write({"user_id": self.rep_n2.id})
        with self.assertRaises(UserError):
            self.Lead.with_user(self.sup_n1).create({"name": "x", "user_id": self.rep_s1.id})
        self.assertFalse(self.unassigned.user_id)

    def test_regional_manager_assigns_within_region(self):
        self.unassigned.with_user(self.rm_north).write({"user_id": self.rep_n2.id})
        self.assertEqual(self.unassigned.sales_policy_assigned_by_id, self.rm_north)
        with self.assertRaises(UserError):
            self.unassigned.with_user(self.rm_north).write({"user_id": self.rep_s1.id})
        self.assertEqual(self.unassigned.user_id, self.rep_n2)

    def test_director_assigns_anyone(self):
        self.unassigned.with_user(self.director).write({"user_id": self.rep_s1.id})
        self.assertEqual(self.unassigned.user_id, self.rep_s1)
        self.assertEqual(self.unassigned.sales_policy_assigned_by_id, self.director)

    def test_support_roles_cannot_assign(self):
        for user in (self.assistant_n1, self.presales, self.legal, self.finance):
            with self.assertRaises(UserError, msg=user.login):
                self.unassigned.with_user(user).write({"user_id": self.rep_n1a.id})
        self.assertFalse(self.unassigned.user_id)

    def test_assign_dialog_for_assigners_only(self):
        action = self.unassigned.with_user(self.sup_n1).action_sales_policy_assign()
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["res_id"], self.unassigned.id)
        self.assertTrue(self.unassigned.with_user(self.sup_n1).sales_policy_can_assign)
        self.assertFalse(self.leads[self.rep_n1a].with_user(self.rep_n1a).sales_policy_can_assign)
        with self.assertRaises(UserError):
            self.leads[self.rep_n1a].with_user(self.rep_n1a).action_sales_policy_assign()

    def test_system_fields_cannot_be_set_by_hand(self):
        lead = self.leads[self.rep_n1a]
        for user in (self.rep_n1a, self.director):
            with self.assertRaises(UserError):
                lead.with_user(user).write(
                    {"sales_policy_last_contact_date": fields.Datetime.now()}
                )
            with self.assertRaises(UserError):
                lead.with_user(user).write({"sales_policy_assigned_by_id": user.id})
        with self.assertRaises(UserError):
            self.Lead.with_user(self.rep_n1a).create(
                {"name": "x", "sales_policy_last_contact_date": fields.Datetime.now()}
            )


@tagged("post_install", "-at_install")
class TestLeadLastContact(LeadCase):
    """Last contact = latest of: activity done, message or note by the salesperson,
    stage change."""

    def test_note_by_salesperson_counts(self):
        lead = self.leads[self.rep_n1a]
        when = _at(self.today - timedelta(days=2), 10)
        self._note(lead, self.rep_n1a, when)
        self.assertEqual(lead.sales_policy_last_contact_date, when)

    def test_message_by_someone_else_does_not_count(self):
        lead = self.leads[self.rep_n1a]
        self._note(lead, self.sup_n1, _at(self.today))
        customer = self.customers[self.rep_n1a][1]
        with freeze_time(_at(self.today)):
            lead.message_post(body="Any news?", message_type="email", author_id=customer.id)
        self.assertFalse(lead.sales_policy_last_contact_date)

    def test_done_activity_counts(self):
        lead = self.leads[self.rep_n1a]
        activity = lead.activity_schedule("mail.mail_activity_data_call", user_id=self.rep_n1a.id)
        when = _at(self.today - timedelta(days=1), 15)
        with freeze_time(when):
            activity.with_user(self.rep_n1a).action_feedback(feedback="Customer interested")
        self.assertEqual(lead.sales_policy_last_contact_date, when)

    def test_stage_change_counts(self):
        lead = self.leads[self.rep_n1a]
        lead.stage_id = self.stages[0]
        lead.sudo().write({"sales_policy_last_contact_date": False})
        when = _at(self.today - timedelta(days=1), 11)
        with freeze_time(when):
            lead.with_user(self.rep_n1a).write({"stage_id": self.stages[1].id})
        self.assertEqual(lead.sales_policy_last_contact_date, when)
        with freeze_time(when + timedelta(hours=1)):
            lead.with_user(self.rep_n1a).write({"stage_id": self.stages[1].id, "priority": "1"})
        self.assertEqual(lead.sales_policy_last_contact_date, when, "same stage: no contact")

    def test_older_contact_does_not_move_the_date_back(self):
        lead = self.leads[self.rep_n1a]
        self._note(lead, self.rep_n1a, _at(self.today))
        lead.sudo()._sales_policy_touch(_at(self.today - timedelta(days=5)))
        self.assertEqual(lead.sales_policy_last_contact_date, _at(self.today))

    def test_batch_recompute_from_history(self):
        leads = [self.leads[rep] for rep in (self.rep_n1a, self.rep_n1b, self.rep_n2)]
        self._note(leads[0], self.rep_n1a, _at(self.today - timedelta(days=3)))
        self._note(leads[0], self.sup_n1, _at(self.today - timedelta(days=1)))
        activity = leads[1].activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.sup_n1.id
        )
        with freeze_time(_at(self.today - timedelta(days=2))):
            activity.with_user(self.sup_n1).action_feedback(feedback="Done")
        expected = [_at(self.today - timedelta(days=3)), _at(self.today - timedelta(days=2)), False]
        batch = self.Lead.browse([lead.id for lead in leads])
        batch.sudo().write({"sales_policy_last_contact_date": False})
        batch._sales_policy_recompute_last_contact()
        self.assertEqual(batch.mapped("sales_policy_last_contact_date"), expected)

    def test_batch_recompute_query_count_does_not_grow(self):
        def make(count):
            leads = self.Lead.create(
                [{"name": f"L{i}", "user_id": self.rep_n1a.id} for i in range(count)]
            )
            for lead in leads:
                lead.message_post(
                    body="hi", message_type="comment", author_id=self.rep_n1a.partner_id.id
                )
            leads.sudo().write({"sales_policy_last_contact_date": False})
            return leads

        def count(leads):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            leads._sales_policy_recompute_last_contact()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        count(make(2))
        small, large = make(3), make(30)
        self.assertEqual(count(small), count(large))
        self.assertTrue(all(large.mapped("sales_policy_last_contact_date")))


@tagged("post_install", "-at_install")
class TestLeadFollowUp(LeadCase):
    """Follow-up duty: an assigned lead with no contact within N days (rule, default 3)
    is flagged daily, the rep gets an activity, the supervisor sees the overdue list."""

    def test_overdue_lead_flagged_and_rep_gets_activity(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        stats = self._run(self.today)
        self.assertGreaterEqual(stats["created"], 1)
        alert = self._alert(lead)
        self.assertRecordValues(
            alert,
            [
                {
                    "user_id": self.rep_n1a.id,
                    "notify_user_id": self.rep_n1a.id,
                    "level": "owner",
                    "state": "open",
                    "date_since": self.today - timedelta(days=5),
                    "article": "篇四 §9",
                }
            ],
        )
        activity = lead.activity_ids.filtered(lambda a: a.sales_policy_alert_id == alert)
        self.assertEqual(activity.user_id, self.rep_n1a)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn(self.article, activity.summary)
        with freeze_time(self.today):
            self.assertTrue(lead.with_user(self.rep_n1a).sales_policy_follow_up_overdue)
        for rep in (self.rep_n1b, self.rep_n2, self.rep_s1):
            self.assertFalse(self._alert(self.leads[rep]), "assigned today: not overdue")
        self.assertFalse(self._alert(self.unassigned), "unassigned leads are screened, not chased")

    def test_lead_contacted_in_time_is_not_flagged(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 10)
        self._note(lead, self.rep_n1a, _at(self.today - timedelta(days=2)))
        self._run(self.today + timedelta(days=1))
        self.assertFalse(self._alert(lead), "3 days since the contact: still in time")
        self._run(self.today + timedelta(days=2))
        self.assertTrue(self._alert(lead), "no contact for 3 full days: overdue")

    def test_days_are_set_on_the_rule(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        self.rule.with_user(self.director).days = 7
        self._run(self.today)
        self.assertFalse(self._alert(lead))
        self.rule.with_user(self.director).days = 2
        self._run(self.today)
        self.assertTrue(self._alert(lead))
        with self.assertRaises(AccessError):
            self.rule.with_user(self.rep_n1a).days = 30

    def test_days_are_a_sales_setting(self):
        self.assertEqual(
            self.env["res.config.settings"].create({}).sales_policy_lead_follow_up_days, 3
        )
        self.env["res.config.settings"].create({"sales_policy_lead_follow_up_days": 5}).execute()
        self.assertEqual(self.rule.days, 5)

    def test_supervisor_sees_the_overdue_list(self):
        for rep in self.reps:
            self._assigned_days_ago(self.leads[rep], 5)
        self._run(self.today)
        overdue = [("sales_policy_follow_up_overdue", "=", True)]
        lead_ids = [lead.id for lead in self.leads.values()]
        scope = [("id", "in", lead_ids)]
        with freeze_time(self.today):
            self.assertEqual(
                set(self.Lead.with_user(self.sup_n1).search(overdue + scope).user_id),
                {self.rep_n1a, self.rep_n1b},
            )
            self.assertEqual(
                set(self.Lead.with_user(self.rm_north).search(overdue + scope).user_id),
                {self.rep_n1a, self.rep_n1b, self.rep_n2},
            )
            self.assertEqual(
                self.Lead.with_user(self.rep_n1a).search(overdue + scope).user_id, self.rep_n1a
            )
            not_overdue = self.Lead.search([("sales_policy_follow_up_overdue", "=", False), *scope])
            self.assertFalse(not_overdue)
        Alert = self.env["sales.policy.alert"]
        alerts = [("rule_id", "=", self.rule.id), ("res_id", "in", lead_ids)]
        self.assertEqual(
            set(Alert.with_user(self.sup_n1).search(alerts).user_id), {self.rep_n1a, self.rep_n1b}
        )
        self.assertEqual(Alert.with_user(self.rep_s1).search(alerts).user_id, self.rep_s1)

    def test_escalates_to_supervisor_after_k_days(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 4)
        self._run(self.today)
        alert = self._alert(lead)
        self._run(self.today + timedelta(days=2))
        self.assertFalse(alert.date_escalated)
        stats = self._run(self.today + timedelta(days=3))
        self.assertGreaterEqual(stats["escalated"], 1)
        self.assertEqual(alert.level, "supervisor")
        self.assertEqual(alert.escalate_user_id, self.sup_n1)
        self.assertEqual(
            lead.activity_ids.filtered(lambda a: a.sales_policy_alert_id == alert).user_id,
            self.rep_n1a | self.sup_n1,
        )

    def test_contact_resolves_the_alert(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        self._run(self.today)
        alert = self._alert(lead)
        self._note(lead, self.rep_n1a, _at(self.today, 14))
        stats = self._run(self.today + timedelta(days=1))
        self.assertGreaterEqual(stats["resolved"], 1)
        self.assertEqual(alert.state, "resolved")
        self.assertFalse(lead.activity_ids.filtered(lambda a: a.sales_policy_alert_id == alert))

    def test_marking_the_follow_up_activity_done_resolves(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        self._run(self.today)
        alert = self._alert(lead)
        with freeze_time(_at(self.today, 16)):
            alert.engine_activity_ids.with_user(self.rep_n1a).action_feedback(feedback="Called")
        self.assertEqual(lead.sales_policy_last_contact_date, _at(self.today, 16))
        self._run(self.today + timedelta(days=1))
        self.assertEqual(alert.state, "resolved")

    def test_reassignment_restarts_the_clock(self):
        lead = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        self._run(self.today)
        alert = self._alert(lead)
        with freeze_time(_at(self.today, 10)):
            lead.with_user(self.sup_n1).write({"user_id": self.rep_n1b.id})
            lead.write({"date_open": _at(self.today, 10)})
        self._run(self.today + timedelta(days=1))
        self.assertEqual(alert.state, "resolved")

    def test_closed_leads_are_not_flagged(self):
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        won = self._assigned_days_ago(self.leads[self.rep_n1a], 5)
        won.stage_id = won_stage
        lost = self._assigned_days_ago(self.leads[self.rep_n1b], 5)
        lost.action_set_lost()
        self._run(self.today)
        self.assertFalse(self._alert(won))
        self.assertFalse(self._alert(lost))

    def test_query_count_does_not_grow_with_leads(self):
        """The daily run costs the same number of queries for 5 or 40 overdue leads."""

        def make(count, rep):
            leads = self.Lead.create(
                [{"name": f"Lead {i}", "user_id": rep.id} for i in range(count)]
            )
            leads.write({"date_open": _at(self.today - timedelta(days=5))})
            return leads

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            stats = self._run(self.today)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, stats["created"]

        make(2, self.rep_n1a)
        count()  # warm-up; the first alerts exist now
        make(5, self.rep_n1a)
        small = count()
        make(40, self.rep_n1a)
        large = count()
        self.assertEqual((small[1], large[1]), (5, 40))
        self.assertEqual(small[0], large[0])


@tagged("post_install", "-at_install")
class TestLeadAssignmentRpc(SalesPolicyFixtures, HttpCase):
    """The assignment gate holds over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()

    def _write(self, user, lead, vals):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    user.login,
                    "crm.lead",
                    "write",
                    [lead.ids, vals],
                ],
            },
        }
        return self.url_open("/jsonrpc", json=payload).json()

    def test_rep_cannot_reassign_over_rpc(self):
        lead = self.leads[self.rep_n1a]
        reply = self._write(self.rep_n1a, lead, {"user_id": self.rep_n1b.id})
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        lead.invalidate_recordset()
        self.assertEqual(lead.user_id, self.rep_n1a)

    def test_supervisor_assigns_over_rpc(self):
        lead = self.leads[self.rep_n1a]
        reply = self._write(self.sup_n1, lead, {"user_id": self.rep_n1b.id})
        self.assertNotIn("error", reply)
        lead.invalidate_recordset()
        self.assertEqual(lead.user_id, self.rep_n1b)
