from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskRegister(RiskCommon):
    """The risk register (篇一 §17–18, 篇四 §21–22), acting as the real roles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.risks = cls.Risk
        for rep in cls.reps:
            cls.risks |= cls._report_risk(rep, partner_id=cls.customers[rep][0].id)

    def _risk_of(self, rep):
        return self.risks.filtered(lambda r: r.user_id == rep)

    # ------------------------------------------------------------------------------
    # Reporting
    # ------------------------------------------------------------------------------
    def test_owner_defaults_to_the_regional_manager_of_the_reporter(self):
        self.assertEqual(self._risk_of(self.rep_n1a).owner_id, self.rm_north)
        self.assertEqual(self._risk_of(self.rep_s1).owner_id, self.rm_south)
        self.assertEqual(self._report_risk(self.sup_n2).owner_id, self.rm_north)
        # a regional manager has no regional manager above: the director owns it
        self.assertEqual(self._report_risk(self.rm_north).owner_id, self.director)

    def test_reporting_schedules_an_activity_for_the_owner(self):
        risk = self._risk_of(self.rep_n1a)
        activity = risk.activity_ids
        self.assertEqual(activity.user_id, self.rm_north)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("sales_policy_risk.mail_activity_type_risk_assess"),
        )
        self.assertIn(self.article_21, str(activity.note))
        self.assertTrue(risk.reference.startswith("RISK/"))
        self.assertEqual((risk.team_id, risk.region_id), (self.team_n1, self.region_north))

    def test_proposed_response_is_required(self):
        with self.assertRaises(ValidationError) as caught:
            self._report_risk(self.rep_n1a, proposed_response="<p><br></p>")
        self.assertIn(self.article_21, str(caught.exception))
        with self.assertRaises(ValidationError):
            self._report_risk(self.rep_n1a, description="")

    def test_rep_reports_in_own_name_to_own_managers_only(self):
        with self.assertRaises(AccessError):
            self._report_risk(self.rep_n1a, user_id=self.rep_n1b.id)
        with self.assertRaises(AccessError) as caught:
            self._report_risk(self.rep_n1a, owner_id=self.rm_south.id)
        self.assertIn(self.rm_north.name, str(caught.exception))
        # a gap in the chain (no supervisor above a supervisor) is no name
        with self.assertRaises(AccessError):
            self._report_risk(self.sup_n1, owner_id=self.rm_south.id)
        risk = self._report_risk(self.rep_n1a, owner_id=self.sup_n1.id)
        self.assertEqual(risk.owner_id, self.sup_n1)
        self.assertEqual(risk.activity_ids.user_id, self.sup_n1)

    def test_score_and_level(self):
        cases = [
            ("1", "1", 1, "low"),
            ("2", "2", 4, "low"),
            ("1", "5", 5, "medium"),
            ("3", "3", 9, "medium"),
            ("2", "5", 10, "high"),
            ("5", "3", 15, "high"),
            ("4", "4", 16, "critical"),
            ("5", "5", 25, "critical"),
        ]
        for likelihood, impact, score, level in cases:
            with self.subTest(likelihood=likelihood, impact=impact):
                risk = self._report_risk(self.rep_n1a, likelihood=likelihood, impact=impact)
                self.assertEqual((risk.score, risk.level), (score, level))
        # the owner's reassessment recomputes them
        risk = self._risk_of(self.rep_n1a)
        risk.with_user(self.rm_north).write({"likelihood": "5", "impact": "4"})
        self.assertEqual((risk.score, risk.level), (20, "critical"))

    # ------------------------------------------------------------------------------
    # Visibility
    # ------------------------------------------------------------------------------
    def test_visibility_per_role(self):
        Risk = self.Risk
        self.assertEqual(self._reporters(Risk, self.rep_n1a, self.risks), {self.rep_n1a})
        self.assertEqual(
            self._reporters(Risk, self.sup_n1, self.risks), {self.rep_n1a, self.rep_n1b}
        )
        self.assertEqual(
            self._reporters(Risk, self.rm_north, self.risks),
            {self.rep_n1a, self.rep_n1b, self.rep_n2},
        )
        self.assertEqual(self._reporters(Risk, self.rm_south, self.risks), {self.rep_s1})
        self.assertEqual(self._reporters(Risk, self.director, self.risks), set(self.reps))
        with self.assertRaises(AccessError):
            self._risk_of(self.rep_n1b).with_user(self.rep_n1a).read(["name"])

    def test_other_company_risks_are_invisible(self):
        other = self.env["res.company"].create({"name": "Branch"})
        self.rep_s1.company_ids |= other
        risk = self._report_risk(self.rep_s1, company_id=other.id)
        self.assertEqual(risk.company_id, other)
        self.assertFalse(self.Risk.with_user(self.director).search([("id", "=", risk.id)]))
        self.assertEqual(
            self.Risk.with_user(self.rep_s1).with_company(other).search([("id", "=", risk.id)]),
            risk,
        )

    def test_finance_and_legal_read_every_risk_but_change_none(self):
        for user in (self.finance, self.legal):
            self.assertEqual(self._reporters(self.Risk, user, self.risks), set(self.reps))
            with self.assertRaises(AccessError):
                self._risk_of(self.rep_s1).with_user(user).write({"name": "x"})
        # they report risks of their own (contract, credit)
        risk = self._report_risk(self.legal, risk_type="contract")
        self.assertEqual(risk.owner_id, self.director)

    def test_supervisor_reads_team_risks_but_does_not_assess_them(self):
        risk = self._risk_of(self.rep_n1a)
        with self.assertRaises(AccessError):
            risk.with_user(self.sup_n1).write({"likelihood": "5"})
        with self.assertRaises(AccessError):
            risk.with_user(self.sup_n1).action_assess()

    # ------------------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------------------
    def test_owner_moves_the_risk_through_its_states(self):
        risk = self._risk_of(self.rep_n1a).with_user(self.rm_north)
        self.assertTrue(risk.can_manage)
        risk.write({"likelihood": "4", "impact": "4", "review_date": fields.Date.today()})
        risk.action_assess()
        self.assertEqual(risk.state, "assessed")
        self.assertEqual(risk.date_assessed, fields.Date.today())
        self.assertFalse(risk.activity_ids, "the owner's activity is done once assessed")
        with self.assertRaises(UserError):
            risk.action_mitigate()  # no mitigation actions yet
        risk.mitigation = "<p>Down payment of 30% on new orders.</p>"
        risk.action_mitigate()
        self.assertEqual(risk.state, "mitigating")
        risk.action_close()
        self.assertEqual((risk.state, risk.date_closed), ("closed", fields.Date.today()))
        risk.action_reopen()
        self.assertEqual((risk.state, risk.date_closed), ("mitigating", False))

    def test_reporter_cannot_assess_or_close(self):
        risk = self._risk_of(self.rep_n1a)
        self.assertFalse(risk.with_user(self.rep_n1a).can_manage)
        with self.assertRaises(AccessError):
            risk.with_user(self.rep_n1a).action_assess()
        with self.assertRaises(AccessError):
            risk.with_user(self.rep_n1a).write({"likelihood": "1"})
        risk.with_user(self.rm_north).action_assess()
        with self.assertRaises(AccessError):
            risk.with_user(self.rep_n1a).action_close()
        # not even as its owner: somebody else closes a risk one reported
        risk.with_user(self.rm_north).owner_id = self.rep_n1a
        self.assertTrue(risk.with_user(self.rep_n1a).can_manage)
        with self.assertRaises(AccessError) as caught:
            risk.with_user(self.rep_n1a).action_close()
        self.assertIn("somebody else closes it", str(caught.exception))
        self.assertIn(self.article_21, str(caught.exception))
        risk.with_user(self.director).action_close()
        self.assertEqual(risk.state, "closed")

    def test_other_region_manager_cannot_act(self):
        risk = self._risk_of(self.rep_n1a)
        with self.assertRaises(AccessError):
            risk.with_user(self.rm_south).action_assess()
        self.assertEqual(risk.state, "reported")

    def test_state_score_and_level_are_written_by_the_workflow_only(self):
        risk = self._risk_of(self.rep_n1a)
        for user in (self.rep_n1a, self.rm_north, self.director):
            for vals in ({"state": "closed"}, {"score": 1}, {"level": "low"}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    risk.with_user(user).with_context(sales_policy_engine=True).write(vals)
        with self.assertRaises(AccessError):
            self._report_risk(self.rep_n1a, state="closed")
        self.assertEqual((risk.state, risk.score), ("reported", 9))

    def test_report_is_frozen_once_assessed_and_everything_once_closed(self):
        risk = self._risk_of(self.rep_n1a)
        risk.with_user(self.rep_n1a).write({"description": "<p>Worse than thought.</p>"})
        risk.with_user(self.rm_north).action_assess()
        for user in (self.rep_n1a, self.rm_north):
            with self.assertRaises(UserError):
                risk.with_user(user).write({"proposed_response": "<p>Other.</p>"})
        risk.with_user(self.rm_north).action_close()
        with self.assertRaises(UserError):
            risk.with_user(self.rm_north).write({"review_date": fields.Date.today()})
        with self.assertRaises(UserError):
            risk.with_user(self.director).unlink()

    def test_assessment_needs_a_review_date(self):
        risk = self._risk_of(self.rep_n1a)
        risk.with_user(self.rm_north).review_date = False
        with self.assertRaises(UserError):
            risk.with_user(self.rm_north).action_assess()

    # ------------------------------------------------------------------------------
    # Periodic review (alert engine)
    # ------------------------------------------------------------------------------
    def test_review_date_passed_raises_an_alert_to_the_owner(self):
        rule = self.env.ref("sales_policy_risk.alert_rule_risk_review_overdue")
        self.assertEqual(rule.control_id.article_id.code, self.article_21)
        today = fields.Date.today()
        late = self._risk_of(self.rep_n1a)
        on_time = self._risk_of(self.rep_s1)
        closed = self._risk_of(self.rep_n2)
        late.with_user(self.rm_north).write({"review_date": today - timedelta(days=2)})
        closed.with_user(self.rm_north).write({"review_date": today - timedelta(days=2)})
        closed.with_user(self.rm_north).action_assess()
        closed.with_user(self.rm_north).action_close()
        self.assertEqual(self.Risk.search([("is_review_overdue", "=", True)]), late)
        Alert = self.env["sales.policy.alert"]
        rule._run()
        alert = Alert.search([("rule_id", "=", rule.id)])
        self.assertEqual(alert.res_id, late.id)
        self.assertEqual(alert.notify_user_id, self.rm_north)
        todo = late.activity_ids.filtered(lambda a: a.sales_policy_alert_id == alert)
        self.assertEqual(todo.user_id, self.rm_north)
        self.assertIn(self.article_21, todo.summary)
        self.assertNotIn(on_time.id, Alert.search([("rule_id", "=", rule.id)]).mapped("res_id"))
        # a week later the director hears of it; a new review date resolves it
        with freeze_time(today + timedelta(days=7)):
            rule._run()
        self.assertEqual(alert.escalate_user_id, self.director)
        late.with_user(self.rm_north).write({"review_date": today + timedelta(days=30)})
        with freeze_time(today + timedelta(days=8)):
            rule._run()
        self.assertEqual(alert.state, "resolved")

    def test_controls_cite_the_risk_articles(self):
        Control = self.env["sales.policy.control"]
        self.assertEqual(Control._cite("risk_register"), self.article_21)
        self.assertEqual(Control._cite("risk_control"), "篇四 §22")
        self.assertEqual(Control._cite("market_info"), "篇四 §8")
        register = Control.search([("code", "=", "risk_register")])
        self.assertIn("篇一 §17", register.article_ids.mapped("code"))
