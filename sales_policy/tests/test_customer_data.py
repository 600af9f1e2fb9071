from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestCustomerData(SalesPolicyCommon):
    """Customer data complete and current (篇四 §19.1); exports logged (篇四 §19.2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.article = cls.env.ref("sales_policy.article_p4_19").code
        Fields = cls.env["ir.model.fields"]
        cls.company.write(
            {
                "sales_policy_partner_field_ids": [
                    Command.set(
                        [Fields._get("res.partner", name).id for name in ("phone", "email", "city")]
                    )
                ],
                "sales_policy_stale_months": 12,
            }
        )
        cls.customer = cls.customers[cls.rep_n1a][0]
        cls.customer.write({"phone": False, "email": False, "city": False})
        cls.Partner = cls.env["res.partner"]

    def _complete(self, partner):
        partner.write({"phone": "+86 20 1234 5678", "email": "buyer@example.cn", "city": "广州"})

    def test_completeness_indicator_and_missing_fields(self):
        self.customer.phone = "+86 20 1234 5678"
        self.assertEqual(self.customer.sales_policy_completeness, 33)
        self.assertTrue(self.customer.sales_policy_data_incomplete)
        self.assertIn("Email", self.customer.sales_policy_missing_fields)
        self.assertIn("City", self.customer.sales_policy_missing_fields)
        self.assertIn(
            self.customer, self.Partner.search([("sales_policy_data_incomplete", "=", True)])
        )
        self._complete(self.customer)
        self.assertEqual(self.customer.sales_policy_completeness, 100)
        self.assertFalse(self.customer.sales_policy_missing_fields)
        self.assertNotIn(
            self.customer, self.Partner.search([("sales_policy_data_incomplete", "=", True)])
        )
        self.assertIn(
            self.customer, self.Partner.search([("sales_policy_data_incomplete", "=", False)])
        )

    def test_required_fields_enforced_for_salespeople(self):
        Partner = self.Partner.with_user(self.rep_n1a)
        Partner.create({"name": "Not enforced yet"})
        self.company.sales_policy_partner_required_enforce = True
        with self.assertRaisesRegex(ValidationError, f"Email.*{self.article}"):
            Partner.create({"name": "New customer", "phone": "123", "city": "广州"})
        partner = Partner.create(
            {"name": "New customer", "phone": "123", "city": "广州", "email": "a@b.cn"}
        )
        self.assertEqual(partner.user_id, self.rep_n1a)
        with self.assertRaisesRegex(ValidationError, self.article):
            partner.write({"phone": False})
        partner.write({"phone": "456"})
        # a contact person of the customer is not a customer record
        Partner.create({"name": "Contact", "parent_id": partner.id})
        # the administrator (no sales role) and the system are not stopped
        self.Partner.create({"name": "Imported"})
        self.Partner.with_user(self.env.ref("base.user_admin")).create({"name": "By admin"})

    def test_data_date_follows_updates_and_confirmation(self):
        past = self.today - relativedelta(months=14)
        self.customer.sales_policy_data_date = past
        self.customer.with_user(self.rep_n1a).write({"comment": "irrelevant"})
        self.assertEqual(self.customer.sales_policy_data_date, self.today, "comment is data")
        self.customer.sales_policy_data_date = past
        self.customer.with_user(self.rep_n1a).write({"city": "深圳"})
        self.assertEqual(self.customer.sales_policy_data_date, self.today)
        self.customer.sales_policy_data_date = past
        with self.assertRaisesRegex(UserError, self.article):
            self.customer.with_user(self.rep_n1a).action_sales_policy_data_current()
        self._complete(self.customer)
        self.customer.sales_policy_data_date = past
        self.customer.with_user(self.rep_n1a).action_sales_policy_data_current()
        self.assertEqual(self.customer.sales_policy_data_date, self.today)
        with self.assertRaises(AccessError):
            self.customers[self.rep_s1][0].with_user(
                self.rep_n1a
            ).action_sales_policy_data_current()

    def test_stale_flag_with_frozen_time(self):
        self._complete(self.customer)
        self.assertFalse(self.customer.sales_policy_data_stale)
        with freeze_time(self.today + relativedelta(months=12, days=1)):
            self.customer.invalidate_recordset(["sales_policy_data_stale"])
            self.assertTrue(self.customer.sales_policy_data_stale)
            stale = self.Partner.search([("sales_policy_data_stale", "=", True)])
            self.assertIn(self.customer, stale)
            self.company.sales_policy_stale_months = 0
            self.customer.invalidate_recordset(["sales_policy_data_stale"])
            self.assertFalse(self.customer.sales_policy_data_stale)
            self.assertNotIn(
                self.customer, self.Partner.search([("sales_policy_data_stale", "=", True)])
            )

    def test_stale_alert_goes_to_the_salesperson(self):
        rule = self.env.ref("sales_policy.alert_rule_customer_data_stale")
        Alert = self.env["sales.policy.alert"]
        customers = self.Partner.browse([partners[0].id for partners in self.customers.values()])
        with freeze_time(self.today + relativedelta(months=6)):
            rule._run()
        self.assertFalse(Alert.search([("rule_id", "=", rule.id), ("res_id", "in", customers.ids)]))
        with freeze_time(self.today + relativedelta(months=12, days=1)):
            rule._run()
        alerts = Alert.search([("rule_id", "=", rule.id), ("res_id", "in", customers.ids)])
        self.assertEqual(len(alerts), 4)
        alert = alerts.filtered(lambda a: a.res_id == self.customer.id)
        self.assertEqual(alert.user_id, self.rep_n1a)
        self.assertEqual(alert.notify_user_id, self.rep_n1a)
        todo = self.customer.activity_ids.filtered(lambda a: a.user_id == self.rep_n1a)
        self.assertIn(self.article, todo.summary)
        # contacts, companies and users are not customers
        self.assertFalse(
            Alert.search(
                [
                    ("rule_id", "=", rule.id),
                    (
                        "res_id",
                        "in",
                        (self.customers[self.rep_n1a][1] | self.company.partner_id).ids,
                    ),
                ]
            )
        )
        with freeze_time(self.today + relativedelta(months=12, days=2)):
            self._complete(self.customer)
            self.customer.with_user(self.rep_n1a).action_sales_policy_data_current()
            rule._run()
        self.assertEqual(alert.state, "resolved")
        self.assertEqual((alerts - alert).mapped("state"), ["open"] * 3)

    def test_incomplete_alert_after_grace_days(self):
        rule = self.env.ref("sales_policy.alert_rule_customer_data_incomplete")
        Alert = self.env["sales.policy.alert"]
        complete = self.customers[self.rep_n1b][0]
        self._complete(complete)
        with freeze_time(self.today + timedelta(days=rule.days - 1)):
            rule._run()
        self.assertFalse(
            Alert.search([("rule_id", "=", rule.id), ("res_id", "=", self.customer.id)])
        )
        with freeze_time(self.today + timedelta(days=rule.days + 1)):
            rule._run()
        flagged = Alert.search([("rule_id", "=", rule.id)]).mapped("res_id")
        self.assertIn(self.customer.id, flagged)
        self.assertNotIn(complete.id, flagged)

    def test_alert_hooks_use_constant_queries(self):
        rule_stale = self.env.ref("sales_policy.alert_rule_customer_data_stale")
        rule_incomplete = self.env.ref("sales_policy.alert_rule_customer_data_incomplete")

        def count(rule):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(self.today + relativedelta(months=13)):
                result = rule._get_candidates()
            return self.env.cr.sql_log_count - before, len(result)

        for rule in (rule_stale, rule_incomplete):
            count(rule)  # warm the caches
        small = {rule.code: count(rule) for rule in (rule_stale, rule_incomplete)}
        self.Partner.create([{"name": f"Bulk {i}", "user_id": self.rep_n2.id} for i in range(40)])
        large = {rule.code: count(rule) for rule in (rule_stale, rule_incomplete)}
        for code in small:
            self.assertEqual(large[code][1], small[code][1] + 40, code)
            self.assertEqual(large[code][0], small[code][0], code)

    def test_export_is_logged_and_log_is_restricted(self):
        Log = self.env["sales.policy.export.log"]
        customers = self.Partner.browse([partners[0].id for partners in self.customers.values()])
        customers.with_user(self.director).export_data(["name", "email"])
        log = Log.search([], order="id desc", limit=1)
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.director.id,
                    "res_model": "res.partner",
                    "record_count": 4,
                    "field_count": 2,
                    "field_names": "name\nemail",
                }
            ],
        )
        self.assertEqual(Log.with_user(self.finance).search([("id", "=", log.id)]), log)
        for user in (self.rep_n1a, self.sup_n1, self.rm_north):
            with self.assertRaises(AccessError):
                Log.with_user(user).search([])
        with self.assertRaisesRegex(UserError, "only the sales director and finance"):
            customers[:1].with_user(self.rep_n1a).export_data(["name"])
        self.assertEqual(Log.search([], order="id desc", limit=1), log, "refused: no log")
        admin = self.env.ref("base.user_admin")
        for user in (self.director, self.finance, admin):
            with self.assertRaisesRegex(UserError, self.article):
                log.with_user(user).write({"record_count": 1})
            with self.assertRaises(AccessError):
                log.with_user(user).unlink()

    def test_settings_are_per_company_and_validated(self):
        email = self.env["ir.model.fields"]._get("res.partner", "email")
        settings = self.env["res.config.settings"].create(
            {
                "sales_policy_partner_field_ids": [Command.set(email.ids)],
                "sales_policy_partner_required_enforce": True,
                "sales_policy_stale_months": 6,
                "sales_policy_satisfaction_interval": 3,
                "sales_policy_complaint_days": 5,
            }
        )
        settings.execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "sales_policy_partner_field_ids": email.ids,
                    "sales_policy_partner_required_enforce": True,
                    "sales_policy_stale_months": 6,
                    "sales_policy_satisfaction_interval": 3,
                    "sales_policy_complaint_days": 5,
                }
            ],
        )
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.company.sales_policy_stale_months = -1
