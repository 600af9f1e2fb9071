import re
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..models import sales_policy_satisfaction as satisfaction_module
from .common import SalesPolicyCommon


class CustomerCareCase(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.article_16 = cls.env.ref("sales_policy.article_p4_16").code
        cls.article_20 = cls.env.ref("sales_policy.article_p4_20").code
        # Confirmed orders: the return visits and surveys are about delivered orders.
        # How an order gets confirmed (approval, contract, credit gates) is tested by
        # those features; here the orders are simply in the confirmed state.
        cls._confirm(cls.env["sale.order"].browse([o.id for o in cls.orders.values()]))

    @classmethod
    def _confirm(cls, orders):
        orders.flush_recordset()
        cls.env.cr.execute(
            "UPDATE sale_order SET state = 'sale' WHERE id IN %s", [tuple(orders.ids)]
        )
        orders.invalidate_recordset(["state"])

    @classmethod
    def _visit(cls, rep, score=0, user=None, **values):
        Visit = cls.env["sales.policy.return.visit"]
        if user:
            Visit = Visit.with_user(user)
        return Visit.create(
            {"order_id": cls.orders[rep].id, "score": score, "feedback": "ok", **values}
        )

    def _scope(self, Model, user, records_by_rep):
        seen = Model.with_user(user).search([("id", "in", [r.id for r in records_by_rep.values()])])
        return {rep for rep, record in records_by_rep.items() if record in seen}


@tagged("post_install", "-at_install")
class TestReturnVisit(CustomerCareCase):
    def test_rep_records_return_visit_with_score_and_feedback(self):
        visit = (
            self.env["sales.policy.return.visit"]
            .with_user(self.rep_n1a)
            .create({"order_id": self.orders[self.rep_n1a].id, "channel": "phone"})
        )
        self.assertEqual(visit.user_id, self.rep_n1a)
        self.assertEqual(visit.partner_id, self.customers[self.rep_n1a][0])
        with self.assertRaisesRegex(UserError, "satisfaction"):
            visit.action_done()
        visit.write({"score": 4})
        visit.write({"feedback": ""})
        with self.assertRaisesRegex(UserError, "feedback"):
            visit.action_done()
        visit.write({"feedback": "Works well; wants a faster install.", "improvement": True})
        visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_return_visit_needs_confirmed_order(self):
        draft = self.orders[self.rep_n1a].copy()
        with self.assertRaisesRegex(ValidationError, self.article_16):
            self.env["sales.policy.return.visit"].with_user(self.rep_n1a).create(
                {"order_id": draft.id}
            )

    def test_score_outside_1_to_5_rejected(self):
        for score in (6, -1):
            with self.assertRaisesRegex(ValidationError, "between 1 and 5"):
                self._visit(self.rep_n1a, score=score, user=self.rep_n1a)

    def test_recorded_visit_cannot_be_changed_or_deleted(self):
        visit = self._visit(self.rep_n1a, score=2, user=self.rep_n1a)
        visit.action_done()
        with self.assertRaisesRegex(UserError, self.article_16):
            visit.write({"score": 5})
        with self.assertRaisesRegex(UserError, self.article_16):
            visit.unlink()
        with self.assertRaises(UserError):
            visit.write({"state": "planned"})
        # the chatter still works: feedback can be completed
        visit.write({"improvement_note": "Installation guide"})

    def test_state_is_set_by_the_buttons_only(self):
        with self.assertRaises(UserError):
            self._visit(self.rep_n1a, score=3, user=self.rep_n1a).write({"state": "done"})

    def test_return_visits_follow_the_hierarchy(self):
        visits = {rep: self._visit(rep, score=4) for rep in self.reps}
        Visit = self.env["sales.policy.return.visit"]
        self.assertEqual(self._scope(Visit, self.rep_n1a, visits), {self.rep_n1a})
        self.assertEqual(self._scope(Visit, self.sup_n1, visits), {self.rep_n1a, self.rep_n1b})
        self.assertEqual(
            self._scope(Visit, self.rm_north, visits), {self.rep_n1a, self.rep_n1b, self.rep_n2}
        )
        self.assertEqual(self._scope(Visit, self.director, visits), set(self.reps))
        with self.assertRaises(AccessError):
            visits[self.rep_s1].with_user(self.rep_n1a).write({"feedback": "mine"})


@tagged("post_install", "-at_install")
class TestComplaint(CustomerCareCase):
    def _complaint(self, user, rep, **values):
        return (
            self.env["sales.policy.complaint"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customers[rep][0].id,
                    "order_id": self.orders[rep].id,
                    "category": "delivery",
                    "description": "<p>Late delivery</p>",
                    **values,
                }
            )
        )

    def test_owner_resolves_only_with_result_fed_back(self):
        complaint = self._complaint(self.rep_n1a, self.rep_n1a)
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertEqual(complaint.user_id, self.rep_n1a)
        self.assertEqual(complaint.deadline, self.today + timedelta(days=7))
        todo = complaint.activity_ids
        self.assertEqual(todo.user_id, self.rep_n1a)
        self.assertEqual(todo.date_deadline, complaint.deadline)
        complaint.action_start()
        self.assertEqual(complaint.state, "in_progress")
        with self.assertRaisesRegex(UserError, f"Missing: .*{self.article_20}"):
            complaint.action_resolve()
        complaint.write(
            {
                "handling": "<p>Re-delivered</p>",
                "result": "Delivered the next day, shipping refunded",
                "feedback_date": self.today,
                "feedback_channel": "phone",
            }
        )
        complaint.action_resolve()
        self.assertEqual(complaint.state, "resolved")
        self.assertFalse(complaint.activity_ids)
        with self.assertRaises(UserError):
            complaint.write({"result": "changed afterwards"})

    def test_feedback_cannot_be_in_the_future(self):
        complaint = self._complaint(self.rep_n1a, self.rep_n1a)
        complaint.write(
            {
                "handling": "<p>x</p>",
                "result": "x",
                "feedback_date": self.today + timedelta(days=1),
                "feedback_channel": "email",
            }
        )
        with self.assertRaisesRegex(UserError, "future"):
            complaint.action_resolve()

    def test_deadline_moved_by_supervisor_only(self):
        complaint = self._complaint(self.rep_n1a, self.rep_n1a)
        later = self.today + timedelta(days=30)
        with self.assertRaisesRegex(UserError, self.article_20):
            complaint.write({"deadline": later})
        with self.assertRaisesRegex(UserError, self.article_20):
            self._complaint(self.rep_n1a, self.rep_n1a, deadline=later)
        complaint.with_user(self.sup_n1).write({"deadline": later})
        self.assertEqual(complaint.deadline, later)
        with self.assertRaisesRegex(ValidationError, self.article_20):
            complaint.with_user(self.sup_n1).write({"deadline": self.today - timedelta(days=1)})

    def test_state_and_cancel_are_guarded(self):
        complaint = self._complaint(self.rep_n1a, self.rep_n1a)
        with self.assertRaises(UserError):
            complaint.write({"state": "resolved"})
        with self.assertRaisesRegex(UserError, "supervisor"):
            complaint.action_cancel()
        with self.assertRaises(UserError):
            complaint.unlink()
        complaint.with_user(self.sup_n1).action_cancel()
        self.assertEqual(complaint.state, "cancel")

    def test_order_of_another_customer_rejected(self):
        with self.assertRaisesRegex(ValidationError, "not an order of"):
            self._complaint(
                self.sup_n1,
                self.rep_n1a,
                order_id=self.orders[self.rep_n1b].id,
            )

    def test_complaints_follow_owner_and_salesperson(self):
        # the assistant of team N1 registers the complaints of the customers of N1
        complaints = {rep: self._complaint(self.director, rep) for rep in self.reps}
        handled = self._complaint(self.assistant_n1, self.rep_n1b)
        self.assertEqual(handled.salesperson_id, self.rep_n1b)
        Complaint = self.env["sales.policy.complaint"]
        self.assertEqual(
            Complaint.with_user(self.rep_n1b).search([("id", "=", handled.id)]), handled
        )
        self.assertFalse(Complaint.with_user(self.rep_n1a).search([("id", "=", handled.id)]))
        self.assertEqual(self._scope(Complaint, self.rep_n1a, complaints), {self.rep_n1a})
        self.assertEqual(
            self._scope(Complaint, self.sup_n1, complaints), {self.rep_n1a, self.rep_n1b}
        )
        self.assertEqual(self._scope(Complaint, self.rm_south, complaints), {self.rep_s1})
        self.assertEqual(self._scope(Complaint, self.director, complaints), set(self.reps))

    def test_overdue_complaint_goes_to_supervisor_then_regional_manager(self):
        rule = self.env.ref("sales_policy.alert_rule_complaint_overdue")
        complaint = self._complaint(self.rep_n1a, self.rep_n1a)
        on_time = self._complaint(self.rep_n1b, self.rep_n1b)
        on_time.with_user(self.sup_n1).write({"deadline": self.today + timedelta(days=60)})
        Alert = self.env["sales.policy.alert"]
        with freeze_time(complaint.deadline):
            rule._run()
        self.assertFalse(Alert.search([("rule_id", "=", rule.id)]), "due today is not overdue")
        with freeze_time(complaint.deadline + timedelta(days=1)):
            self.assertTrue(
                self.env["sales.policy.complaint"].search([("is_overdue", "=", True)]) >= complaint
            )
            rule._run()
        alert = Alert.search([("rule_id", "=", rule.id)])
        self.assertEqual(alert.res_id, complaint.id)
        self.assertEqual(alert.notify_user_id, self.sup_n1)
        supervisor_todo = complaint.activity_ids.filtered(lambda a: a.user_id == self.sup_n1)
        self.assertIn(self.article_20, supervisor_todo.summary)
        with freeze_time(complaint.deadline + timedelta(days=4)):
            rule._run()
        self.assertEqual(alert.escalate_user_id, self.rm_north)
        self.assertTrue(complaint.activity_ids.filtered(lambda a: a.user_id == self.rm_north))
        complaint.write(
            {
                "handling": "<p>done</p>",
                "result": "done",
                "feedback_date": self.today,
                "feedback_channel": "visit",
            }
        )
        complaint.action_resolve()
        with freeze_time(complaint.deadline + timedelta(days=5)):
            rule._run()
        self.assertEqual(alert.state, "resolved")


@tagged("post_install", "-at_install")
class TestSatisfaction(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Survey = cls.env["sales.policy.satisfaction"]
        cls.company.sales_policy_satisfaction_interval = 6
        for rep in (cls.rep_n1a, cls.rep_n1b, cls.rep_n2):
            cls.customers[rep][0].email = f"buyer@{rep.login}.example.cn"

    def _surveys(self):
        return self.Survey.search(
            [("partner_id", "in", [p[0].id for p in self.customers.values()])]
        )

    def test_periodic_job_sends_one_survey_per_customer_and_interval(self):
        mails_before = self.env["mail.mail"].search_count([])
        with freeze_time(self.today):
            self.Survey._cron_send_surveys()
        surveys = self._surveys()
        self.assertEqual(len(surveys), 4)
        for rep in self.reps:
            survey = surveys.filtered(lambda s, r=rep: s.partner_id == self.customers[r][0])
            self.assertEqual(survey.order_id, self.orders[rep])
            self.assertEqual(survey.user_id, rep)
            self.assertTrue(survey.access_token)
        # no email for the customer of rep_s1: the survey waits for its link to be shared
        no_mail = surveys.filtered(lambda s: s.partner_id == self.customers[self.rep_s1][0])
        self.assertEqual(no_mail.state, "draft")
        self.assertEqual(set((surveys - no_mail).mapped("state")), {"sent"})
        self.assertEqual(self.env["mail.mail"].search_count([]) - mails_before, 3)
        mail = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertIn("/sales_policy/satisfaction/", mail.body_html)
        # the next day: nothing new; after the interval: a new round (orders still recent)
        with freeze_time(self.today + timedelta(days=1)):
            self.Survey._cron_send_surveys()
        self.assertEqual(len(self._surveys()), 4)
        for order in self.orders.values():
            order.date_order = fields.Datetime.now() + relativedelta(months=6)
        with freeze_time(self.today + relativedelta(months=6, days=2)):
            self.Survey._cron_send_surveys()
        self.assertEqual(len(self._surveys()), 7, "3 new rounds; the draft one is still pending")
        self.assertEqual(
            set((surveys - no_mail).mapped("state")), {"expired"}, "unanswered after 30 days"
        )

    def test_job_uses_constant_queries_per_batch(self):
        def make_customers(count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Bulk {i}", "email": f"bulk{i}@example.cn", "user_id": self.rep_n2.id}
                    for i in range(count)
                ]
            )
            self._confirm(
                self.env["sale.order"].create(
                    [
                        {
                            "partner_id": partner.id,
                            "user_id": self.rep_n2.id,
                            "order_line": [Command.create({"product_id": self.product.id})],
                        }
                        for partner in partners
                    ]
                )
            )

        def run():
            self.env.flush_all()
            self.env.invalidate_all()
            self.Survey.search([]).unlink()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Survey._cron_send_surveys()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, self.Survey.search_count([])

        make_customers(1)
        run()  # warm the caches (templates, models, …)
        make_customers(5)
        small, small_count = run()
        make_customers(30)
        large, large_count = run()
        self.assertEqual(large_count, small_count + 30)
        self.assertEqual(small, large, "the number of queries grows with the customers")

    def test_job_resumes_when_its_time_is_up(self):
        """As the scheduled job: each batch is committed; out of time, the job stops and
        triggers itself again, the next run goes on with the customers left."""
        Cron = self.registry["ir.cron"]
        cron = self.env.ref("sales_policy.ir_cron_sales_policy_satisfaction")
        Survey = self.Survey.with_context(ir_cron_progress_id=1, cron_id=cron.id)
        with (
            patch.object(satisfaction_module, "SURVEY_BATCH_SIZE", 2),
            patch.object(Cron, "_commit_progress", return_value=0.0) as progress,
            patch.object(Cron, "_trigger") as trigger,
        ):
            self.assertFalse(Survey._cron_send_surveys())
            self.assertEqual(len(self._surveys()), 2)
            self.assertEqual(progress.call_args_list[0].kwargs, {"remaining": 4})
            trigger.assert_called_once()
            Survey._cron_send_surveys()
            self.assertEqual(len(self._surveys()), 4)
            progress.return_value = 60.0
            self.assertTrue(Survey._cron_send_surveys())
            self.assertEqual(len(self._surveys()), 4)

    def test_salesperson_cannot_forge_the_answer(self):
        survey = self.Survey.with_user(self.rep_n1a).create(
            {"partner_id": self.customers[self.rep_n1a][0].id}
        )
        self.assertEqual(survey.user_id, self.rep_n1a)
        for vals in ({"score": 5}, {"state": "answered"}, {"comment": "great"}):
            with self.assertRaisesRegex(UserError, self.article_20):
                survey.write(vals)
        with self.assertRaisesRegex(UserError, self.article_20):
            self.Survey.with_user(self.rep_n1a).create(
                {"partner_id": self.customers[self.rep_n1a][0].id, "score": 5}
            )
        survey.action_send()
        self.assertEqual(survey.state, "sent")

    def test_send_without_email_is_refused(self):
        survey = self.Survey.with_user(self.rep_s1).create(
            {"partner_id": self.customers[self.rep_s1][0].id}
        )
        with self.assertRaisesRegex(UserError, "no email"):
            survey.action_send()
        # the supervisor shares the link another way (the rep never sees it)
        survey = survey.with_user(self.sup_s1)
        survey.action_mark_sent()
        self.assertEqual(survey.state, "sent")
        self.assertIn(survey.sudo().access_token, survey.survey_url)

    def test_answer_is_validated_and_stored_once(self):
        survey = self.Survey.create(
            {
                "partner_id": self.customers[self.rep_n1a][0].id,
                "order_id": self.orders[self.rep_n1a].id,
            }
        )
        survey.action_mark_sent()
        for bad in (0, 6, "x", None):
            with self.assertRaisesRegex(ValidationError, "between 1 and 5"):
                survey.sudo()._sales_policy_answer(bad)
        self.assertEqual(survey.state, "sent")
        survey.sudo()._sales_policy_answer("2", "Slow support")
        self.assertRecordValues(
            survey, [{"state": "answered", "score": 2, "comment": "Slow support"}]
        )
        # a dissatisfied customer: the salesperson follows up
        self.assertEqual(survey.activity_ids.user_id, self.rep_n1a)
        with self.assertRaisesRegex(UserError, "already been answered"):
            survey.sudo()._sales_policy_answer(5)

    def test_expired_survey_cannot_be_answered(self):
        survey = self.Survey.create({"partner_id": self.customers[self.rep_n1a][0].id})
        survey.action_mark_sent()
        with freeze_time(self.today + timedelta(days=31)):
            with self.assertRaisesRegex(UserError, "closed"):
                survey.sudo()._sales_policy_answer(4)

    def test_order_of_another_customer_rejected(self):
        with self.assertRaisesRegex(ValidationError, "not an order of"):
            self.Survey.create(
                {
                    "partner_id": self.customers[self.rep_n1a][0].id,
                    "order_id": self.orders[self.rep_s1].id,
                }
            )

    def _answered(self, rep, score, day):
        survey = self.Survey.create(
            {"partner_id": self.customers[rep][0].id, "order_id": self.orders[rep].id}
        )
        survey.action_mark_sent()
        with freeze_time(day):
            survey.sudo()._sales_policy_answer(score)
        return survey

    def _done_visit(self, rep, score, day):
        visit = self._visit(rep, score=score, date=day)
        visit.action_done()
        return visit

    def test_figures_combine_return_visits_and_survey_answers(self):
        start = self.today.replace(day=1)
        end = start + relativedelta(months=1, days=-1)
        for order in self.orders.values():
            order.date_order = fields.Datetime.to_datetime(start) - timedelta(days=1)
        self._done_visit(self.rep_n1a, 4, start)
        self._done_visit(self.rep_n1a, 2, end)
        self._answered(self.rep_n1a, 5, start + timedelta(days=1))
        self._answered(self.rep_s1, 3, start)
        self._done_visit(self.rep_n2, 1, end + timedelta(days=1))  # next period
        self._visit(self.rep_n2, score=5)  # planned: does not count
        self.env.flush_all()
        Survey = self.Survey.sudo()
        self.assertTrue(Survey.env.companies)  # the current companies, known beforehand
        before = self.env.cr.sql_log_count
        figures = Survey._sales_policy_satisfaction_figures(start, end)
        self.assertEqual(self.env.cr.sql_log_count - before, 1, "one grouped query")
        self.assertEqual(set(figures), {self.rep_n1a.id, self.rep_s1.id})
        self.assertAlmostEqual(figures[self.rep_n1a.id]["average"], 11 / 3)
        self.assertEqual(figures[self.rep_n1a.id]["count"], 3)
        self.assertEqual(figures[self.rep_s1.id], {"average": 3.0, "count": 1})
        only = Survey._sales_policy_satisfaction_figures(start, end, user_ids=self.rep_s1.ids)
        self.assertEqual(set(only), {self.rep_s1.id})
        # the analysis follows the hierarchy
        Report = self.env["sales.policy.satisfaction.report"]
        self.assertEqual(Report.with_user(self.rep_n1a).search([]).user_id, self.rep_n1a)
        self.assertEqual(Report.with_user(self.rm_south).search([]).user_id, self.rep_s1)
        self.assertEqual(Report.with_user(self.sup_n1).search([]).user_id, self.rep_n1a)
        self.assertEqual(len(Report.with_user(self.director).search([])), 5)

    def test_surveys_follow_the_hierarchy(self):
        surveys = {
            rep: self.Survey.create({"partner_id": self.customers[rep][0].id}) for rep in self.reps
        }
        self.assertEqual(self._scope(self.Survey, self.rep_n2, surveys), {self.rep_n2})
        self.assertEqual(
            self._scope(self.Survey, self.rm_north, surveys),
            {self.rep_n1a, self.rep_n1b, self.rep_n2},
        )
        self.assertEqual(self._scope(self.Survey, self.director, surveys), set(self.reps))


@tagged("post_install", "-at_install")
class TestSatisfactionPortal(HttpCase):
    """The customer answers through the tokenised link, without logging in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Portal Customer", "email": "c@example.cn"}
        )
        cls.survey = cls.env["sales.policy.satisfaction"].create({"partner_id": cls.partner.id})
        cls.survey.action_mark_sent()

    def _open(self, token):
        return self.url_open(f"/sales_policy/satisfaction/{self.survey.id}?access_token={token}")

    def _submit(self, page, **data):
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/sales_policy/satisfaction/{self.survey.id}/submit",
            data={"csrf_token": csrf, "access_token": self.survey.access_token, **data},
        )

    def test_customer_answers_without_login(self):
        page = self._open(self.survey.access_token)
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="score"', page.text)
        answer = self._submit(page, score="4", comment="Good service")
        self.assertEqual(answer.status_code, 200)
        self.assertIn("Thank you", answer.text)
        self.survey.invalidate_recordset()
        self.assertRecordValues(
            self.survey, [{"state": "answered", "score": 4, "comment": "Good service"}]
        )
        self.assertNotIn('name="score"', self._open(self.survey.access_token).text)

    def test_wrong_token_is_not_found(self):
        self.assertEqual(self._open("not-the-token").status_code, 404)
        self.assertEqual(self._open("").status_code, 404)

    def test_bad_score_is_refused_with_a_message(self):
        page = self._open(self.survey.access_token)
        answer = self._submit(page, score="9")
        self.assertIn("between 1 and 5", answer.text)
        self.survey.invalidate_recordset()
        self.assertEqual(self.survey.state, "sent")
