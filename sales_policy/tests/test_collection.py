from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import SalesPolicyFixtures

TODAY = date(2025, 6, 15)


class CollectionCommon(SalesPolicyFixtures, AccountTestInvoicingCommon):
    """The sales hierarchy of :class:`SalesPolicyFixtures` on a company with a chart of
    accounts (Odoo's own invoicing test base), plus helpers to invoice and collect."""

    @classmethod
    def get_default_groups(cls):
        # the test's own user (Odoo's "accountman") also sets up the sales hierarchy
        return super().get_default_groups() | cls.quick_ref("sales_team.group_sale_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.company.sales_policy_bad_debt_days = 180
        cls.customer = {rep: cls.customers[rep][0] for rep in cls.reps}
        cls.bank_journal = cls.company_data["default_journal_bank"]

    @classmethod
    def _invoice(
        cls, rep, amount, due, invoice_date=None, currency=None, company=None, partner=None
    ):
        """A posted customer invoice of ``amount`` due on ``due``, for ``rep``."""
        company = company or cls.company
        invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": (partner or cls.customer[rep]).id,
                    "invoice_user_id": rep.id,
                    "invoice_date": invoice_date or min(due, TODAY),
                    "invoice_payment_term_id": False,
                    "invoice_date_due": due,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoices, amount, pay_date, currency=None, journal=None, company=None):
        """Register a payment of ``amount`` on ``invoices`` (kept open if partial)."""
        env = cls.env(context=dict(cls.env.context))
        if company:
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
        values = {"amount": amount, "payment_date": pay_date, "group_payment": True}
        if currency:
            values["currency_id"] = currency.id
        if journal:
            values["journal_id"] = journal.id
        return (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(values)
            ._create_payments()
        )

    @classmethod
    def _credit_note(cls, invoice, amount, note_date):
        """A posted credit note of ``amount`` applied to ``invoice``."""
        refund = (
            cls.env["account.move"]
            .with_company(invoice.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_user_id": invoice.invoice_user_id.id,
                    "invoice_date": note_date,
                    "currency_id": invoice.currency_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Return", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        refund.action_post()
        (invoice + refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        return refund

    def _rule(self, code):
        return self.env["sales.policy.alert.rule"].search([("code", "=", code)])

    def _open_alerts(self, code, record):
        return self.env["sales.policy.alert"].search(
            [
                ("rule_id.code", "=", code),
                ("res_id", "=", record.id),
                ("res_model", "=", record._name),
                ("state", "=", "open"),
            ]
        )

    def _log(self, user, invoices, **values):
        return (
            self.env["sales.policy.collection.log"]
            .with_user(user)
            .create(
                {
                    "partner_id": invoices.commercial_partner_id.id,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "user_id": user.id,
                    "reason": "Waiting for their customer to pay",
                    **values,
                }
            )
        )


@tagged("post_install", "-at_install")
class TestCollectionSalesperson(CollectionCommon):
    """Each customer invoice has a responsible salesperson; managers reassign it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.rep_n1a, 1000.0, TODAY - timedelta(days=10))
        # a rep who also issues invoices: write access on invoices, still only a rep
        cls.rep_billing = new_test_user(
            cls.env,
            login="sp_rep_billing",
            groups="sales_policy.group_sales_rep,account.group_account_invoice",
        )
        cls.team_n1.crm_team_member_ids = [Command.create({"user_id": cls.rep_billing.id})]

    def test_salesperson_comes_from_the_order(self):
        order = self.orders[self.rep_n1a]
        self.assertEqual(order._prepare_invoice()["invoice_user_id"], self.rep_n1a.id)

    def test_rep_cannot_change_salesperson(self):
        invoice = self._invoice(self.rep_billing, 500.0, TODAY, partner=self.customer[self.rep_n1a])
        with self.assertRaisesRegex(UserError, "篇四 §15"):
            invoice.with_user(self.rep_billing).write({"invoice_user_id": self.rep_n1b.id})
        self.assertEqual(invoice.invoice_user_id, self.rep_billing)
        with self.assertRaises(UserError):
            self.invoice.with_user(self.rep_n1a).write({"invoice_user_id": self.rep_n1b.id})
        with self.assertRaises(UserError):
            self.invoice.with_user(self.rep_n1a).action_sales_policy_change_salesperson()
        self.assertEqual(self.invoice.invoice_user_id, self.rep_n1a)

    def test_supervisor_reassigns_within_team_only(self):
        Wizard = self.env["sales.policy.invoice.salesperson.wizard"].with_user(self.sup_n1)
        ctx = {"active_model": "account.move", "active_ids": self.invoice.ids}
        wizard = Wizard.with_context(**ctx).create(
            {"user_id": self.rep_s1.id, "reason": "Customer moved south"}
        )
        with self.assertRaisesRegex(UserError, "outside your part of the sales hierarchy"):
            wizard.action_apply()
        self.assertEqual(self.invoice.invoice_user_id, self.rep_n1a)
        Wizard.with_context(**ctx).create(
            {"user_id": self.rep_n1b.id, "reason": "Holiday cover"}
        ).action_apply()
        self.assertEqual(self.invoice.invoice_user_id, self.rep_n1b)
        self.assertIn("Holiday cover", self.invoice.message_ids[0].body)

    def test_finance_and_director_reassign_anywhere(self):
        self.invoice.with_user(self.finance).write({"invoice_user_id": self.rep_s1.id})
        self.assertEqual(self.invoice.invoice_user_id, self.rep_s1)
        self.env["sales.policy.invoice.salesperson.wizard"].with_user(self.director).with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"user_id": self.rep_n2.id, "reason": "Key account"}).action_apply()
        self.assertEqual(self.invoice.invoice_user_id, self.rep_n2)

    def test_invoice_form_loads_for_every_role(self):
        """The collection fields of the invoice form are hidden from roles without them."""
        unassigned = self._invoice(self.rep_n1a, 80.0, TODAY)
        unassigned.sudo().invoice_user_id = False
        cases = [
            (self.rep_n1a, self.invoice),
            (
                self.rep_billing,
                self._invoice(self.rep_billing, 10.0, TODAY, partner=self.customer[self.rep_n1a]),
            ),
            (self.finance, self.invoice),
            (self.legal, self.invoice),
            (self.presales, unassigned),
        ]
        for user, invoice in cases:
            with self.subTest(user=user.login):
                views = self.env["account.move"].with_user(user).get_views([(False, "form")])
                fields_in_view = views["models"]["account.move"]["fields"]
                ours = [name for name in fields_in_view if name.startswith("sales_policy_")]
                values = invoice.with_user(user).read(ours)
                self.assertTrue(values)
                has_logs = "sales_policy_collection_log_ids" in fields_in_view
                self.assertEqual(has_logs, user != self.presales)

    def test_form_flag_follows_role(self):
        self.assertFalse(self.invoice.with_user(self.rep_n1a).sales_policy_can_edit_salesperson)
        self.assertTrue(self.invoice.with_user(self.sup_n1).sales_policy_can_edit_salesperson)


@tagged("post_install", "-at_install")
class TestCollectionLog(CollectionCommon):
    """Collection logs with payment promises (篇四 §15.2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(
            cls.rep_n1a, 1000.0, TODAY - timedelta(days=20), invoice_date=TODAY - timedelta(days=50)
        )

    @freeze_time(TODAY)
    def test_rep_logs_own_invoice_with_next_action(self):
        log = self._log(
            self.rep_n1a,
            self.invoice,
            contact_id=self.customers[self.rep_n1a][1].id,
            contact_method="visit",
            reason_category="cash_flow",
            measures="Agreed on two instalments",
            promised_amount=400.0,
            promised_date=TODAY + timedelta(days=5),
            next_action="Call the buyer",
            next_action_date=TODAY + timedelta(days=6),
        )
        self.assertEqual(log.residual_at_log, 1000.0)
        self.assertEqual(log.promise_state, "pending")
        self.assertEqual(self.invoice.sales_policy_collection_log_count, 1)
        activity = log.activity_ids
        self.assertEqual(activity.user_id, self.rep_n1a)
        self.assertEqual(activity.date_deadline, TODAY + timedelta(days=6))
        self.assertEqual(activity.summary, "Call the buyer")

    @freeze_time(TODAY)
    def test_customer_log_defaults_to_overdue_invoices(self):
        other = self._invoice(self.rep_n1a, 300.0, TODAY - timedelta(days=3))
        not_due = self._invoice(self.rep_n1a, 200.0, TODAY + timedelta(days=30))
        defaults = (
            self.env["sales.policy.collection.log"]
            .with_user(self.rep_n1a)
            .with_context(default_partner_id=self.customer[self.rep_n1a].id)
            .default_get(["partner_id", "invoice_ids"])
        )
        invoice_ids = set(defaults["invoice_ids"][0][2])
        self.assertEqual(invoice_ids, {self.invoice.id, other.id})
        self.assertNotIn(not_due.id, invoice_ids)

    def test_rep_cannot_log_for_someone_else(self):
        with self.assertRaisesRegex(UserError, "only log your own collection work"):
            self.env["sales.policy.collection.log"].with_user(self.rep_n1a).create(
                {
                    "partner_id": self.customer[self.rep_n1a].id,
                    "invoice_ids": [Command.set(self.invoice.ids)],
                    "user_id": self.rep_n1b.id,
                    "reason": "x",
                }
            )
        log = self._log(self.rep_n1a, self.invoice)
        with self.assertRaises(UserError):
            log.with_user(self.rep_n1a).write({"user_id": self.rep_n1b.id})
        with self.assertRaises(UserError):
            log.with_user(self.rep_n1a).write({"residual_at_log": 0.0})
        # the supervisor logs for the team
        self._log(self.sup_n1, self.invoice).with_user(self.sup_n1).write(
            {"user_id": self.rep_n1a.id}
        )

    def test_invoices_must_belong_to_the_customer(self):
        foreign = self._invoice(self.rep_n1b, 100.0, TODAY)
        with self.assertRaises(ValidationError):
            self.env["sales.policy.collection.log"].with_user(self.finance).create(
                {
                    "partner_id": self.customer[self.rep_n1a].id,
                    "invoice_ids": [Command.set(foreign.ids)],
                    "user_id": self.rep_n1a.id,
                    "reason": "x",
                }
            )
        with self.assertRaisesRegex(ValidationError, "promised date"):
            self._log(self.rep_n1a, self.invoice, promised_amount=100.0)

    def test_logs_follow_the_hierarchy(self):
        log = self._log(self.rep_n1a, self.invoice)
        Log = self.env["sales.policy.collection.log"]
        self.assertFalse(Log.with_user(self.rep_n1b).search([("id", "=", log.id)]))
        self.assertFalse(Log.with_user(self.sup_n2).search([("id", "=", log.id)]))
        self.assertFalse(Log.with_user(self.rm_south).search([("id", "=", log.id)]))
        for user in (self.sup_n1, self.rm_north, self.director, self.finance, self.legal):
            self.assertEqual(Log.with_user(user).search([("id", "=", log.id)]), log, user.login)
        with self.assertRaises(AccessError):
            log.with_user(self.rep_n1b).write({"measures": "tampered"})

    @freeze_time(TODAY)
    def test_promise_kept_by_partial_payment(self):
        log = self._log(
            self.rep_n1a,
            self.invoice,
            promised_amount=400.0,
            promised_date=TODAY + timedelta(days=3),
        )
        self._pay(self.invoice, 400.0, TODAY + timedelta(days=2))
        self.assertEqual(self.invoice.payment_state, "partial")
        log.invalidate_recordset()
        self.assertEqual(log.amount_settled, 400.0)
        self.assertEqual(log.promise_state, "kept")
        with freeze_time(TODAY + timedelta(days=10)):
            self.assertEqual(log.promise_state, "kept")
            self.assertFalse(
                self.env["sales.policy.collection.log"].search(
                    [("id", "=", log.id), ("promise_state", "=", "broken")]
                )
            )

    @freeze_time(TODAY)
    def test_broken_promise_is_flagged_alerted_and_escalated(self):
        log = self._log(
            self.rep_n1a,
            self.invoice,
            promised_amount=600.0,
            promised_date=TODAY + timedelta(days=2),
        )
        self._pay(self.invoice, 100.0, TODAY + timedelta(days=1))  # less than promised
        rule = self._rule("collection_broken_promise")
        Log = self.env["sales.policy.collection.log"]
        rule._run()
        self.assertFalse(self._open_alerts("collection_broken_promise", log))
        with freeze_time(TODAY + timedelta(days=3)):
            log.invalidate_recordset()
            self.assertEqual(log.promise_state, "broken")
            self.assertEqual(Log.search([("promise_state", "=", "broken")]), log)
            rule._run()
            alert = self._open_alerts("collection_broken_promise", log)
            self.assertEqual(alert.user_id, self.rep_n1a)
            self.assertIn(self.rep_n1a, log.activity_ids.user_id)
            # the broken promise is on record: nobody rewrites it
            with self.assertRaisesRegex(UserError, "cannot be changed"):
                log.with_user(self.rep_n1a).write({"promised_date": TODAY + timedelta(days=30)})
            with self.assertRaisesRegex(UserError, "cannot be changed"):
                log.with_user(self.sup_n1).write({"promised_amount": 100.0})
        with freeze_time(TODAY + timedelta(days=10)):
            rule._run()
            self.assertEqual(alert.level, "supervisor")
            self.assertIn(self.sup_n1, log.activity_ids.user_id)
        with freeze_time(TODAY + timedelta(days=11)):
            self._pay(self.invoice, 500.0, TODAY + timedelta(days=11))
            rule._run()
            self.assertEqual(alert.state, "resolved")


@tagged("post_install", "-at_install")
class TestCollectionEscalation(CollectionCommon):
    """The escalation ladder: rep → supervisor → regional manager, daily, frozen time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.due = date(2025, 6, 1)
        cls.invoice = cls._invoice(cls.rep_n1a, 1000.0, cls.due, invoice_date=date(2025, 5, 1))
        cls.ladder = cls.env["sales.policy.alert.rule"].search(
            [("code", "in", ("collection_rep", "collection_supervisor", "collection_manager"))]
        )

    def _activity_users(self):
        return self.invoice.activity_ids.user_id

    def test_ladder(self):
        with freeze_time(self.due):
            self.ladder._run()
            self.assertFalse(self.invoice.activity_ids, "due today is not overdue")
        with freeze_time(self.due + timedelta(days=1)):
            stats = self.ladder._run()
            self.assertEqual(stats["collection_rep"]["created"], 1)
            self.assertEqual(self._activity_users(), self.rep_n1a)
            self.assertEqual(self.invoice.sales_policy_days_overdue, 1)
        with freeze_time(self.due + timedelta(days=30)):
            self.ladder._run()
            self.assertEqual(self._activity_users(), self.rep_n1a | self.sup_n1)
        with freeze_time(self.due + timedelta(days=60)):
            stats = self.ladder._run()
            self.assertEqual(stats["collection_manager"]["created"], 1)
            self.assertEqual(self._activity_users(), self.rep_n1a | self.sup_n1 | self.rm_north)
            self.assertIn("篇四 §15", self.invoice.activity_ids[0].summary)
            # partial payment: still overdue, nothing resolved
            self._pay(self.invoice, 300.0, self.due + timedelta(days=60))
            stats = self.ladder._run()
            self.assertFalse(any(s["resolved"] for s in stats.values()))
        with freeze_time(self.due + timedelta(days=61)):
            self._pay(self.invoice, 700.0, self.due + timedelta(days=61))
            stats = self.ladder._run()
            self.assertEqual(sum(s["resolved"] for s in stats.values()), 3)
            self.assertFalse(self.invoice.activity_ids)

    @freeze_time(date(2025, 7, 15))
    def test_installments_oldest_unpaid_counts(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer[self.rep_n2].id,
                "invoice_user_id": self.rep_n2.id,
                "invoice_date": date(2025, 6, 5),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "price_unit": 1000.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.invoice_date_due, date(2025, 8, 4))  # the last installment
        candidates = self._rule("collection_rep")._get_candidates()
        self.assertEqual(candidates[invoice.id], (self.rep_n2.id, date(2025, 6, 5)))
        self.assertEqual(invoice.sales_policy_days_overdue, 40)
        self._pay(invoice, 500.0, date(2025, 7, 15))
        candidates = self._rule("collection_rep")._get_candidates()
        self.assertNotIn(invoice.id, candidates)

    @freeze_time(date(2025, 8, 15))
    def test_candidates_use_constant_queries(self):
        rule = self._rule("collection_supervisor")
        rule._get_candidates()  # warm-up
        with self.assertQueryCount(1):
            few = rule._get_candidates()
        for i in range(30):
            self._invoice(self.reps[i % 4], 10.0 + i, date(2025, 6, 1) + timedelta(days=i % 5))
        self.env.flush_all()
        with self.assertQueryCount(1):
            many = rule._get_candidates()
        self.assertEqual(len(many), len(few) + 30)

    def test_daily_job_queries_do_not_grow_with_invoices(self):
        """The ladder's daily job costs the same number of queries in its steady state
        (every breach already alerted) for 2 or 32 overdue invoices, and on a day of
        new breaches for 1 or 30 new ones."""
        day = date(2025, 8, 15)  # every invoice below is on the three rungs

        def queries(run_day):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(run_day):
                stats = self.ladder._run()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, stats

        queries(day)  # warm-up: the first run looks the notified users up
        steady_few, stats = queries(day + timedelta(days=1))
        self.assertEqual(sum(s["created"] for s in stats.values()), 0)
        # new breaches of the same salesperson (notified users are looked up per
        # salesperson): 1, then 30
        self._invoice(self.rep_n1a, 5.0, date(2025, 6, 2))
        new_one, stats = queries(day + timedelta(days=2))
        self.assertEqual(stats["collection_manager"]["created"], 1)
        for i in range(30):
            self._invoice(self.rep_n1a, 10.0 + i, date(2025, 6, 1) + timedelta(days=i % 5))
        new_many, stats = queries(day + timedelta(days=3))
        self.assertEqual(stats["collection_manager"]["created"], 30)
        steady_many, stats = queries(day + timedelta(days=4))
        self.assertEqual(stats["collection_manager"]["candidates"], 32)
        self.assertEqual(sum(s["created"] for s in stats.values()), 0)
        self.assertEqual(steady_many, steady_few)
        self.assertEqual(new_many, new_one)

    def test_rule_company_and_domain_are_honoured(self):
        rule = self._rule("collection_rep")
        with freeze_time(self.due + timedelta(days=5)):
            self.assertIn(self.invoice.id, rule._get_candidates())
            rule.domain = f"[('partner_id', '!=', {self.invoice.partner_id.id})]"
            self.assertNotIn(self.invoice.id, rule._get_candidates())

    def test_rep_cannot_touch_escalation(self):
        with freeze_time(self.due + timedelta(days=30)):
            self.ladder._run()
        alert = self._open_alerts("collection_supervisor", self.invoice)
        self.assertTrue(alert)
        Alert = self.env["sales.policy.alert"]
        self.assertEqual(Alert.with_user(self.rep_n1a).search([("id", "=", alert.id)]), alert)
        for values in ({"level": "owner"}, {"state": "resolved"}, {"date_escalated": self.due}):
            with self.assertRaises(UserError):
                alert.with_user(self.rep_n1a).write(values)
        with self.assertRaises(UserError):
            self._rule("collection_supervisor").with_user(self.rep_n1a).write({"days": 365})
        with self.assertRaises(UserError):
            alert.with_user(self.rep_n1a).unlink()
        self.assertEqual(alert.state, "open")
        self.assertEqual(self._rule("collection_supervisor").days, 30)


@tagged("post_install", "-at_install")
class TestBadDebt(CollectionCommon):
    """Bad-debt risk cases (坏账风险): finance owns, legal acts, reported upward."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(
            cls.rep_n1a, 5000.0, date(2025, 1, 10), invoice_date=date(2024, 12, 10)
        )
        cls.BadDebt = cls.env["sales.policy.bad.debt"]

    def _report(self, user=None):
        action = self.invoice.with_user(user or self.rep_n1a).action_sales_policy_report_bad_debt()
        return self.BadDebt.browse(action["res_id"])

    def test_rep_reports_risk_upward(self):
        case = self._report()
        self.assertEqual(case.state, "collecting")
        self.assertEqual(case.origin, "manual")
        self.assertEqual(case.reported_by_id, self.rep_n1a)
        self.assertEqual(case.user_id, self.rep_n1a)
        self.assertEqual(case.amount_at_risk, 5000.0)
        self.assertEqual(case.activity_ids.user_id, self.rm_north | self.director)
        self.assertEqual(self.invoice.sales_policy_bad_debt_state, "collecting")
        # the rep follows the case but does not run it
        self.assertEqual(self.BadDebt.with_user(self.rep_n1a).search([]), case)
        self.assertFalse(self.BadDebt.with_user(self.rep_n1b).search([]))
        self.assertEqual(self.BadDebt.with_user(self.sup_n1).search([]), case)
        case.with_user(self.rep_n1a).message_post(body="Customer in receivership")
        for method in ("action_legal", "action_provision", "action_recover", "action_write_off"):
            with self.assertRaises(UserError, msg=method):
                getattr(case.with_user(self.rep_n1a), method)()
        for values in ({"state": "recovered"}, {"description": "fine"}):
            with self.assertRaises(UserError):
                case.with_user(self.rep_n1a).write(values)
        with self.assertRaises(UserError):
            self.BadDebt.with_user(self.rep_n1a).create({"invoice_id": self.invoice.id})
        with self.assertRaises(UserError):
            case.with_user(self.sup_n1).action_legal()
        # no context key opens the door
        with self.assertRaises(UserError):
            case.with_user(self.rep_n1a).with_context(
                sales_policy_engine=True, tracking_disable=True, install_mode=True
            ).write({"state": "recovered"})
        self.assertEqual(case.state, "collecting")

    def test_one_open_case_per_invoice(self):
        self._report()
        with self.assertRaisesRegex(UserError, "already has an open bad-debt risk case"):
            self._report(self.finance)

    def test_finance_owns_legal_acts(self):
        case = self._report(self.finance)
        case.with_user(self.finance).write({"legal_user_id": self.legal.id})
        case.with_user(self.legal).action_legal()
        self.assertEqual(case.state, "legal")
        case.with_user(self.legal).write({"legal_notes": "Formal notice sent"})
        with self.assertRaises(UserError):
            case.with_user(self.legal).write({"provision_amount": 1.0})
        with self.assertRaises(UserError):
            case.with_user(self.legal).action_provision()
        with self.assertRaises(UserError):
            case.with_user(self.finance).write({"state": "written_off"})
        case.with_user(self.finance).write({"provision_amount": 4000.0})
        case.with_user(self.finance).action_provision()
        with self.assertRaises(UserError):
            case.with_user(self.legal).action_write_off()
        case.with_user(self.finance).action_write_off()
        self.assertEqual(case.state, "written_off")
        self.assertTrue(case.date_closed)
        with self.assertRaises(UserError):
            case.with_user(self.finance).action_legal()

    def test_daily_job_opens_reports_and_closes_cases(self):
        self.company.sales_policy_bad_debt_days = 90
        recent = self._invoice(self.rep_s1, 700.0, date(2025, 3, 1))
        rule = self._rule("bad_debt")
        with freeze_time(date(2025, 4, 10)):  # 90 days after 10 January
            rule._run()
            case = self.BadDebt.search([("invoice_id", "=", self.invoice.id)])
            self.assertEqual(case.origin, "overdue")
            self.assertEqual(case.activity_ids.user_id, self.rm_north | self.director)
            self.assertFalse(self.BadDebt.search([("invoice_id", "=", recent.id)]))
            rule._run()
            self.assertEqual(self.BadDebt.search_count([]), 1, "no duplicate case")
        with freeze_time(date(2025, 6, 1)):
            self._pay(self.invoice, 5000.0, date(2025, 6, 1))
            rule._run()
            self.assertEqual(case.state, "recovered")
            new_case = self.BadDebt.search([("invoice_id", "=", recent.id)])
            self.assertEqual(new_case.activity_ids.user_id, self.rm_south | self.director)
        self.company.sales_policy_bad_debt_days = 0
        with freeze_time(date(2026, 6, 1)):
            other = self._invoice(self.rep_n2, 10.0, date(2025, 1, 1))
            rule._run()
            self.assertFalse(self.BadDebt.search([("invoice_id", "=", other.id)]))

    def test_bad_debt_rule_opens_one_case_and_escalates(self):
        """The bad-debt rule is an alert rule: one case per breach however often it
        runs (a reported risk keeps its own case), the salesperson follows it, the
        director is reminded K days later."""
        self.company.sales_policy_bad_debt_days = 90
        rule = self._rule("bad_debt")
        reported = self._invoice(self.rep_n1b, 300.0, date(2025, 1, 5))
        reported_case = self.BadDebt.sudo()._sales_policy_open_cases(reported)
        day = date(2025, 4, 10)
        with freeze_time(day):
            stats = rule._run()["bad_debt"]
        self.assertEqual(stats["created"], 2)
        case = self.BadDebt.search([("invoice_id", "=", self.invoice.id)])
        self.assertEqual(case.origin, "overdue")
        self.assertEqual(self.BadDebt.search([("invoice_id", "=", reported.id)]), reported_case)
        alert = self._open_alerts("bad_debt", self.invoice)
        self.assertEqual(alert.notify_user_id, self.rep_n1a)
        self.assertEqual(alert.date_since, day)
        for later in (day + timedelta(days=1), day + timedelta(days=rule.escalation_days)):
            with freeze_time(later):
                stats = rule._run()["bad_debt"]
            self.assertEqual(stats["created"], 0)
        self.assertEqual(stats["escalated"], 2)
        self.assertEqual(alert.escalate_user_id, self.director)
        self.assertIn(self.director, self.invoice.activity_ids.user_id)
        self.assertEqual(self.BadDebt.search_count([]), 2, "one case per invoice")

    def test_case_amount_in_company_currency_and_recipient_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.director.lang = "de_DE"
        case = self._report()
        notes = {activity.user_id: activity.note.unescape() for activity in case.activity_ids}
        currency = self.company.currency_id
        self.assertIn(
            format_amount(self.env, 5000.0, currency, lang_code="de_DE"), notes[self.director]
        )
        self.assertIn("5.000,00", notes[self.director])
        self.assertIn("5,000.00", notes[self.rm_north])
        self.assertIn(currency.symbol, notes[self.director])


@tagged("post_install", "-at_install")
class TestCollectionReport(CollectionCommon):
    """Ageing by salesperson, team, region, customer and bucket; the periodic report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.not_due = cls._invoice(cls.rep_n1a, 100.0, TODAY + timedelta(days=10))
        cls.late_10 = cls._invoice(cls.rep_n1a, 200.0, TODAY - timedelta(days=10))
        cls.late_45 = cls._invoice(cls.rep_n1b, 300.0, TODAY - timedelta(days=45))
        cls.late_75 = cls._invoice(cls.rep_n2, 400.0, TODAY - timedelta(days=75))
        cls.late_120 = cls._invoice(cls.rep_s1, 500.0, TODAY - timedelta(days=120))
        cls.Report = cls.env["sales.policy.collection.report"]

    def _by(self, user, groupby):
        return dict(
            self.Report.with_user(user)._read_group(
                [
                    (
                        "move_id",
                        "in",
                        (
                            self.not_due
                            | self.late_10
                            | self.late_45
                            | self.late_75
                            | self.late_120
                        ).ids,
                    )
                ],
                [groupby],
                ["residual:sum"],
            )
        )

    @freeze_time(TODAY)
    def test_buckets(self):
        by_bucket = self._by(self.finance, "bucket")
        self.assertEqual(
            by_bucket,
            {"current": 100.0, "1_30": 200.0, "31_60": 300.0, "61_90": 400.0, "90_plus": 500.0},
        )
        row = self.Report.search([("move_id", "=", self.late_45.id)])
        self.assertEqual(row.days_overdue, 45)
        self.assertEqual(row.residual_31_60, 300.0)
        self.assertEqual(row.residual_overdue, 300.0)
        self.assertEqual(row.team_id, self.team_n1)
        self.assertEqual(row.region_id, self.region_north)
        self.assertEqual(row.partner_id, self.customer[self.rep_n1b])
        by_region = self._by(self.finance, "region_id")
        self.assertEqual(by_region[self.region_north], 1000.0)
        self.assertEqual(by_region[self.region_south], 500.0)
        with freeze_time(TODAY + timedelta(days=20)):
            # not due → 10 days late, 10 → 30 days late: both 1-30
            self.assertEqual(self._by(self.finance, "bucket")["1_30"], 300.0)

    @freeze_time(TODAY)
    def test_partial_payment_and_unapplied_credit(self):
        self._pay(self.late_45, 120.0, TODAY)
        self.assertEqual(self._by(self.finance, "bucket")["31_60"], 180.0)
        # a payment nobody matched yet shows as a credit of the customer
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer[self.rep_s1].id,
                "amount": 50.0,
                "date": TODAY,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        credit = self.Report.search(
            [("partner_id", "=", self.customer[self.rep_s1].id), ("residual", "<", 0)]
        )
        self.assertEqual(credit.residual, -50.0)
        self.assertEqual(credit.user_id, self.rep_s1, "the customer's salesperson")

    @freeze_time(TODAY)
    def test_rows_follow_the_hierarchy(self):
        self.assertEqual(set(self._by(self.rep_n1a, "user_id")), {self.rep_n1a})
        self.assertEqual(set(self._by(self.sup_n1, "user_id")), {self.rep_n1a, self.rep_n1b})
        self.assertEqual(
            set(self._by(self.rm_north, "user_id")), {self.rep_n1a, self.rep_n1b, self.rep_n2}
        )
        everyone = {self.rep_n1a, self.rep_n1b, self.rep_n2, self.rep_s1}
        self.assertEqual(set(self._by(self.director, "user_id")), everyone)
        self.assertEqual(set(self._by(self.finance, "user_id")), everyone)
        with self.assertRaises(AccessError):
            self.Report.with_user(self.presales).search([])

    @freeze_time(TODAY)
    def test_periodic_report(self):
        self._pay(self.late_10, 200.0, TODAY - timedelta(days=2))
        wizard = (
            self.env["sales.policy.collection.report.wizard"]
            .with_user(self.finance)
            .create({"date_from": TODAY.replace(day=1), "date_to": TODAY})
        )
        data = wizard._sales_policy_report_data()
        rows = {row["user"]: row for row in data["rows"]}
        self.assertEqual(rows[self.rep_s1]["buckets"][-1], 500.0)
        self.assertEqual(rows[self.rep_n1a]["collected"], 200.0)
        self.assertEqual(rows[self.rep_n1a]["rate"], 1.0)
        self.assertEqual(data["totals"]["total"], 1300.0)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.finance)
            ._render_qweb_html("sales_policy.action_report_collection_periodic", wizard.ids)[0]
        )
        self.assertIn(b"Periodic Collection Report", html)
        self.assertIn(self.rep_s1.name.encode(), html)
        # a supervisor's report covers the team only
        data = (
            self.env["sales.policy.collection.report.wizard"]
            .with_user(self.sup_n1)
            .create({"date_from": TODAY.replace(day=1), "date_to": TODAY})
            ._sales_policy_report_data()
        )
        self.assertEqual({row["user"] for row in data["rows"]}, {self.rep_n1a, self.rep_n1b})
        self.assertEqual(
            wizard.action_print()["report_name"], "sales_policy.report_collection_periodic"
        )
        self.assertTrue(fields.Date.to_date(wizard.date_to))
