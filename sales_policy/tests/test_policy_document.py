from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SalesPolicyCommon

#: The controls of the customer care and policy features, with the article they cite.
CONTROLS = {
    "return_visit": "篇四 §16",
    "complaint_handling": "篇四 §20",
    "complaint_overdue": "篇四 §20",
    "satisfaction_survey": "篇四 §20",
    "customer_data_required": "篇四 §19",
    "customer_data_incomplete": "篇四 §19",
    "customer_data_stale": "篇四 §19",
    "customer_export_log": "篇四 §19",
    "policy_document": "篇四 §28",
    "policy_acknowledgement": "篇四 §2",
}


@tagged("post_install", "-at_install")
class TestPolicyDocument(SalesPolicyCommon):
    """The policy (制度) published in the system; every salesperson acknowledges it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["sales.policy.policy"]
        cls.Ack = cls.env["sales.policy.policy.ack"]
        cls.default = cls.env.ref("sales_policy.sales_policy_policy_default")
        cls.today = fields.Date.today()
        # the daily job asks the salespeople of the fixtures
        cls.Policy._cron_request_acks()
        cls.salespeople = (
            (cls.director | cls.rm_north | cls.rm_south | cls.sup_n1 | cls.sup_n2 | cls.sup_s1)
            | cls.reps
            | cls.assistant_n1
            | cls.presales
        )

    def _pending(self, policy, user=None):
        Ack = self.Ack.with_user(user) if user else self.Ack
        return Ack.search([("policy_id", "=", policy.id), ("state", "=", "pending")])

    def _new_version(self, version="2.0"):
        return self.Policy.with_user(self.director).create(
            {
                "name": "销售管理制度及流程",
                "version": version,
                "text": "<p>第一条 ……</p>",
                "article_ids": [(6, 0, self.default.article_ids.ids)],
            }
        )

    def test_default_policy_is_published_with_its_articles(self):
        self.assertEqual(self.default.state, "published")
        self.assertEqual(len(self.default.article_ids), 28)
        self.assertIn("第十六条 售后服务", self.default.text)
        self.assertEqual(self.Policy._sales_policy_current(), self.default)

    def test_every_salesperson_is_asked_to_acknowledge(self):
        pending = self._pending(self.default)
        self.assertTrue(self.salespeople <= pending.user_id)
        self.assertFalse((self.legal | self.finance | self.contract_admin) & pending.user_id)
        todo = self.default.activity_ids.filtered(lambda a: a.user_id == self.rep_n1a)
        self.assertEqual(len(todo), 1)
        self.assertIn("篇四 §2", todo.note)
        # the daily job does not ask twice
        self.Policy._cron_request_acks()
        self.assertEqual(len(self._pending(self.default)), len(pending))

    def test_salesperson_acknowledges_from_the_policy(self):
        policy = self.default.with_user(self.rep_n1a)
        self.assertEqual(policy.my_ack_state, "pending")
        policy.action_acknowledge()
        policy.invalidate_recordset(["my_ack_state"])
        self.assertEqual(policy.my_ack_state, "done")
        ack = self.Ack.search([("policy_id", "=", policy.id), ("user_id", "=", self.rep_n1a.id)])
        self.assertEqual(ack.state, "done")
        self.assertTrue(ack.date_done)
        self.assertFalse(self.default.activity_ids.filtered(lambda a: a.user_id == self.rep_n1a))
        policy.action_acknowledge()  # twice is harmless
        self.assertEqual(self.default.with_user(self.legal).my_ack_state, "none")

    def test_new_version_requires_new_acknowledgements(self):
        self.default.with_user(self.rep_n1a).action_acknowledge()
        new = self._new_version()
        self.assertEqual(new.state, "draft")
        new.write({"text": "<p>第一条 目的 (修订)</p>"})
        new.action_publish()
        self.assertEqual(new.state, "published")
        self.assertEqual(self.default.state, "archived")
        self.assertEqual(self.Policy._sales_policy_current(), new)
        self.assertFalse(self._pending(self.default), "old requests are superseded")
        self.assertTrue(self.salespeople <= self._pending(new).user_id)
        self.assertEqual(new.with_user(self.rep_n1a).my_ack_state, "pending")
        with self.assertRaisesRegex(UserError, "published version"):
            self.default.with_user(self.rep_n1b).action_acknowledge()

    def test_only_the_director_publishes_and_published_text_is_frozen(self):
        with self.assertRaises(AccessError):
            self._new_version().with_user(self.rep_n1a).action_publish()
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.sup_n1).create({"name": "x", "version": "9"})
        with self.assertRaisesRegex(UserError, "篇四 §28"):
            self.default.with_user(self.director).write({"text": "<p>changed</p>"})
        with self.assertRaises(UserError):
            self.default.with_user(self.director).write({"state": "draft"})
        with self.assertRaisesRegex(UserError, "篇四 §28"):
            self.default.with_user(self.director).unlink()
        empty = self.Policy.with_user(self.director).create({"name": "x", "version": "3.0"})
        with self.assertRaisesRegex(UserError, "text"):
            empty.action_publish()

    def test_acknowledgements_are_written_by_the_system_only(self):
        ack = self._pending(self.default).filtered(lambda a: a.user_id == self.rep_n1a)
        with self.assertRaisesRegex(UserError, "篇四 §2"):
            ack.with_user(self.sup_n1).write({"state": "done"})
        with self.assertRaisesRegex(UserError, "篇四 §2"):
            self.Ack.with_user(self.rep_n1a).create(
                {"policy_id": self.default.id, "user_id": self.rep_n1b.id}
            )
        self.default.with_user(self.rep_n1a).action_acknowledge()
        self.assertEqual(ack.state, "done")
        self.assertEqual(
            self._pending(self.default).filtered(lambda a: a.user_id == self.rep_n1b).state,
            "pending",
        )

    def test_unacknowledged_list_follows_the_hierarchy(self):
        self.default.with_user(self.rep_n1b).action_acknowledge()
        reps = self.reps

        def seen(user):
            return self._pending(self.default, user).user_id & reps

        self.assertEqual(seen(self.rep_n1a), self.rep_n1a)
        self.assertEqual(seen(self.sup_n1), self.rep_n1a)
        self.assertEqual(seen(self.rm_north), self.rep_n1a | self.rep_n2)
        self.assertEqual(seen(self.rm_south), self.rep_s1)
        self.assertEqual(seen(self.director), self.rep_n1a | self.rep_n2 | self.rep_s1)

    def test_newcomer_is_asked_by_the_daily_job(self):
        newcomer = new_test_user(
            self.env, login="sp_new_rep", groups="sales_policy.group_sales_rep"
        )
        self.assertFalse(self._pending(self.default).filtered(lambda a: a.user_id == newcomer))
        self.Policy._cron_request_acks()
        self.assertEqual(
            len(self._pending(self.default).filtered(lambda a: a.user_id == newcomer)), 1
        )

    def test_unacknowledged_policy_alerts_the_supervisor(self):
        rule = self.env.ref("sales_policy.alert_rule_policy_unacknowledged")
        Alert = self.env["sales.policy.alert"]
        ack = self._pending(self.default).filtered(lambda a: a.user_id == self.rep_n1a)
        with freeze_time(self.today + timedelta(days=rule.days)):
            rule._run()
        self.assertFalse(Alert.search([("rule_id", "=", rule.id), ("res_id", "=", ack.id)]))
        with freeze_time(self.today + timedelta(days=rule.days + 1)):
            rule._run()
        alert = Alert.search([("rule_id", "=", rule.id), ("res_id", "=", ack.id)])
        self.assertEqual(alert.user_id, self.rep_n1a)
        self.assertEqual(alert.notify_user_id, self.sup_n1)
        self.default.with_user(self.rep_n1a).action_acknowledge()
        with freeze_time(self.today + timedelta(days=rule.days + 2)):
            rule._run()
        self.assertEqual(alert.state, "resolved")

    def test_controls_name_their_articles(self):
        Control = self.env["sales.policy.control"]
        for code, article in CONTROLS.items():
            self.assertEqual(Control._cite(code), article, code)
        rules = self.env["sales.policy.alert.rule"].search(
            [
                (
                    "code",
                    "in",
                    [
                        "complaint_overdue",
                        "customer_data_stale",
                        "customer_data_incomplete",
                        "policy_unacknowledged",
                    ],
                )
            ]
        )
        self.assertEqual(len(rules), 4)
        self.assertTrue(all(rule.article for rule in rules))
