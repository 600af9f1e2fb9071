from datetime import date, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SalesPolicyCommon, SalesPolicyFixtures, SalesPolicyRpcMixin

ARTICLE = "篇四 §13"


class ContractCase:
    """Helpers shared by the contract tests: approved quotations, contracts, decisions."""

    @classmethod
    def _setup_contracts(cls):
        cls.company.write(
            {
                "sales_policy_contract_exempt_amount": 0.0,
                "sales_policy_contract_major_amount": 1_000_000.0,
                "sales_policy_contract_filing_days": 7,
            }
        )
        cls.payment_term = cls.env.ref("account.account_payment_term_30days")
        # complete orders (篇四 §14): a delivery address and a delivery date
        for partners in cls.customers.values():
            partners.write({"street": "1 Zhongshan Road", "city": "Guangzhou"})
        cls.Contract = cls.env["sales.policy.contract"]
        cls.rule = cls.env.ref("sales_policy.alert_rule_contract_unfiled")

    def _quotation(self, rep, price=100.0, qty=1.0):
        return (
            self.env["sale.order"]
            .with_user(rep)
            .create(
                {
                    "partner_id": self.customers[rep][0].id,
                    "user_id": rep.id,
                    "payment_term_id": self.payment_term.id,
                    "commitment_date": fields.Datetime.now() + timedelta(days=30),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                            }
                        )
                    ],
                }
            )
        )

    def _approve_quotation(self, order):
        """The quotation approval (篇四 §12), each level by its own approver."""
        order.with_user(order.user_id).action_policy_submit()
        while order.policy_approval_state == "pending":
            step = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "pending")
            order.with_user(step.approver_id).action_policy_approve()
        self.assertEqual(order.policy_approval_state, "approved")
        return order

    def _contract(self, order, user=None):
        return self.Contract.with_user(user or order.user_id).create({"order_id": order.id})

    def _legal_decide(self, contract, decision, comment=False, user=None):
        """Decide through the dialog the legal reviewer uses (the approval wizard)."""
        action = (
            contract.with_user(user or self.legal)
            .with_context(policy_decision=decision)
            .action_legal_decide_wizard()
        )
        wizard = Form(
            self.env["sales.policy.approval.wizard"]
            .with_user(user or self.legal)
            .with_context(**action["context"])
        )
        if comment:
            wizard.comment = comment
        wizard.save().action_confirm()

    def _approved_contract(self, rep, price=100.0):
        order = self._approve_quotation(self._quotation(rep, price=price))
        contract = self._contract(order)
        contract.action_submit_review()
        self._legal_decide(contract, "approved")
        return order, contract

    def _activities(self, contract, xmlid):
        return contract.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(xmlid)
        )


@tagged("post_install", "-at_install")
class TestContractFlow(ContractCase, SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_contracts()

    def test_whole_flow_by_role(self):
        # rep makes the quotation, the supervisor approves it (篇四 §12)
        order = self._approve_quotation(self._quotation(self.rep_n1a, price=1234.5))
        # rep makes the contract from the company template: the order's data filled in
        contract = self._contract(order)
        self.assertEqual(contract.state, "draft")
        self.assertTrue(contract.name.startswith("HT/"))
        self.assertEqual(
            contract.template_id, self.env.ref("sales_policy.contract_template_default")
        )
        for expected in (order.name, self.customers[self.rep_n1a][0].name, "1,234.50", "销售合同"):
            self.assertIn(expected, contract.terms)
        with self.assertRaises(UserError) as error:
            order.with_user(self.rep_n1a).action_confirm()
        self.assertIn(ARTICLE, str(error.exception))

        # rep submits it to legal review: the legal reviewer gets an activity
        contract.with_user(self.rep_n1a).action_submit_review()
        self.assertEqual(contract.state, "review")
        self.assertEqual(contract.submitted_by_id, self.rep_n1a)
        review = self._activities(contract, "sales_policy.mail_activity_type_contract_review")
        self.assertEqual(review.user_id, self.legal)
        self.assertIn(
            contract, self.Contract.with_user(self.legal).search([("state", "=", "review")])
        )

        # the hierarchy sees it, but only legal decides
        for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.director, self.contract_admin):
            self.assertFalse(contract.with_user(user).can_review)
            with self.assertRaises(AccessError):
                contract.with_user(user).action_legal_approve()
        self.assertEqual(contract.state, "review")
        self.assertTrue(contract.with_user(self.legal).can_review)
        self._legal_decide(contract, "approved")
        self.assertEqual(contract.state, "approved")
        self.assertEqual(contract.reviewer_id, self.legal)
        self.assertFalse(review.exists().filtered("active"), "the review activity is done")
        sign = self._activities(contract, "sales_policy.mail_activity_type_contract_sign")
        self.assertEqual(sign.user_id, self.rep_n1a)

        # the order can now be confirmed
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.sales_policy_contract_state, "approved")

        # rep records the signature and a scanned copy; the contract administration is told
        contract.with_user(self.rep_n1a).write(
            {
                "date_signed": fields.Date.today(),
                "signed_copy": "UERGLTEuNA==",
                "signed_copy_filename": "scan.pdf",
            }
        )
        contract.with_user(self.rep_n1a).action_sign()
        self.assertEqual(contract.state, "signed")
        self.assertEqual(contract.signed_by_id, self.rep_n1a)
        filing = self._activities(contract, "sales_policy.mail_activity_type_contract_filing")
        self.assertEqual(filing.user_id, self.contract_admin)
        self.assertEqual(filing.date_deadline, fields.Date.today() + timedelta(days=7))

        # only the contract administration files it (备案)
        for user in (self.rep_n1a, self.sup_n1, self.legal, self.director):
            with self.assertRaises(AccessError):
                contract.with_user(user).write({"storage_location": "Cabinet 1"})
            with self.assertRaises(AccessError):
                contract.with_user(user).action_file()
        admin = contract.with_user(self.contract_admin)
        with self.assertRaises(UserError):
            admin.action_file()  # date received and storage location first
        admin.write({"date_received": fields.Date.today(), "storage_location": "Archive B-3"})
        admin.action_file()
        self.assertEqual(contract.state, "filed")
        self.assertTrue(contract.filing_number.startswith("BA/"))
        self.assertEqual(contract.filed_by_id, self.contract_admin)
        self.assertFalse(filing.exists().filtered("active"))
        self.assertIn(contract.filing_number, contract.message_ids[0].body)
        # the original may move; nothing else changes any more
        admin.write({"storage_location": "Archive C-1"})
        with self.assertRaises(UserError):
            contract.with_user(self.rep_n1a).write({"terms": "<p>New terms</p>"})
        with self.assertRaises(UserError):
            contract.with_user(self.rep_n1a).unlink()

    def test_major_contract_needs_the_director(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a, price=1_200_000))
        steps = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "approved")
        self.assertEqual(steps.approver_id, self.sup_n1 | self.rm_north)
        contract = self._contract(order)
        self.assertTrue(contract.is_major)
        contract.with_user(self.rep_n1a).action_submit_review()
        self._legal_decide(contract, "approved")
        # legal approved: the director's approval starts (approval engine)
        self.assertEqual(contract.state, "approved")
        self.assertEqual(contract.policy_approval_state, "pending")
        legal_step, step = contract._policy_approval_current_steps()
        self.assertEqual((legal_step.level, legal_step.decided_by_id), ("legal", self.legal))
        self.assertEqual((step.level, step.approver_id), ("director", self.director))
        self.assertEqual(step.state, "pending")
        self.assertEqual(step.requested_by_id, self.rep_n1a)
        self.assertIn(self.legal, step.excluded_user_ids, "four eyes: legal decided already")
        with self.assertRaises(UserError) as error:
            order.with_user(self.rep_n1a).action_confirm()
        self.assertIn("director", str(error.exception))
        with self.assertRaises(UserError):
            contract.with_user(self.rep_n1a).action_sign()
        for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.legal):
            with self.assertRaises(AccessError):
                contract.with_user(user).action_policy_approve()
        self.assertTrue(contract.with_user(self.director).policy_approval_can_decide)
        contract.with_user(self.director).action_policy_approve()
        self.assertEqual(contract.policy_approval_state, "approved")
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")
        contract.with_user(self.rep_n1a).action_sign()
        self.assertEqual(contract.state, "signed")

    def test_director_rejects_a_major_contract(self):
        order = self._approve_quotation(self._quotation(self.rep_s1, price=1_500_000))
        contract = self._contract(order)
        contract.with_user(self.rep_s1).action_submit_review()
        self._legal_decide(contract, "approved")
        with self.assertRaises(UserError):
            contract.with_user(self.director)._policy_approval_decide("rejected", "")
        contract.with_user(self.director)._policy_approval_decide("rejected", "Margin too thin")
        self.assertEqual(contract.state, "rejected")
        self.assertEqual(contract.policy_approval_state, "rejected")
        todo = contract.sudo().activity_ids.filtered(lambda a: a.user_id == self.rep_s1)
        self.assertTrue(todo, "the salesperson is told")
        # changed and resubmitted: legal, then the director again
        contract.with_user(self.rep_s1).write({"terms": "<p>Revised terms</p>"})
        contract.with_user(self.rep_s1).action_submit_review()
        self._legal_decide(contract, "approved")
        self.assertEqual(contract.policy_approval_state, "pending")

    def test_legal_rejects_with_comments(self):
        order = self._approve_quotation(self._quotation(self.rep_n2))
        contract = self._contract(order)
        contract.with_user(self.rep_n2).action_submit_review()
        # the dialog requires the comments, and so does the server (over RPC)
        with self.assertRaises(UserError):
            contract.with_user(self.legal).action_legal_reject("  ")
        self.assertEqual(contract.state, "review")
        self._legal_decide(contract, "rejected", "Clause 6: the penalty rate is unlawful")
        self.assertEqual(contract.state, "rejected")
        self.assertEqual(contract.review_comment, "Clause 6: the penalty rate is unlawful")
        self.assertIn("unlawful", contract.message_ids[0].body)
        todo = contract.sudo().activity_ids.filtered(lambda a: a.user_id == self.rep_n2)
        self.assertEqual(todo.note and "unlawful" in todo.note, True)
        with self.assertRaises(UserError):
            order.with_user(self.rep_n2).action_confirm()
        # the rep changes the contract and submits it again
        contract.with_user(self.rep_n2).write({"terms": "<p>Penalty: 0.03 % a day</p>"})
        contract.with_user(self.rep_n2).action_submit_review()
        self.assertEqual(contract.state, "review")
        self.assertFalse(contract.review_comment)
        self._legal_decide(contract, "approved")
        order.with_user(self.rep_n2).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_changed_terms_go_back_to_legal_review(self):
        _order, contract = self._approved_contract(self.rep_n1a)
        contract.with_user(self.rep_n1a).write({"terms": contract.terms + "<p>Extra clause</p>"})
        self.assertEqual(contract.state, "review")
        self.assertFalse(contract.reviewer_id)
        self.assertIn("Changed after legal approval", contract.message_ids[0].body)
        self.assertTrue(
            self._activities(contract, "sales_policy.mail_activity_type_contract_review")
        )
        # re-filling from the template is a change too
        self._legal_decide(contract, "approved")
        contract.with_user(self.rep_n1a).action_render_terms()
        self.assertEqual(contract.state, "review")

    def test_unchanged_write_keeps_the_approval(self):
        _order, contract = self._approved_contract(self.rep_n1a)
        contract.with_user(self.rep_n1a).write({"terms": contract.terms})
        self.assertEqual(contract.state, "approved")

    def test_order_changes_go_back_to_legal_review(self):
        order, contract = self._approved_contract(self.rep_n1a)
        order.with_user(self.rep_n1a).write(
            {"order_line": [Command.update(order.order_line.id, {"product_uom_qty": 3})]}
        )
        self.assertEqual(contract.state, "review")
        self.assertIn("Total", contract.message_ids[0].body)
        self._legal_decide(contract, "approved")
        # a direct write of an order line (RPC on sale.order.line) too
        order.order_line.with_user(self.rep_n1a).write({"price_unit": 90.0})
        self.assertEqual(contract.state, "review")
        self._legal_decide(contract, "approved")
        # a line added
        self.env["sale.order.line"].with_user(self.rep_n1a).create(
            {"order_id": order.id, "product_id": self.product.id, "price_unit": 5.0}
        )
        self.assertEqual(contract.state, "review")

    def test_order_change_voids_the_director_approval(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a, price=1_200_000))
        contract = self._contract(order)
        contract.with_user(self.rep_n1a).action_submit_review()
        self._legal_decide(contract, "approved")
        contract.with_user(self.director).action_policy_approve()
        self.assertEqual(contract.policy_approval_state, "approved")
        order.with_user(self.rep_n1a).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 1_300_000})]}
        )
        self.assertEqual(contract.state, "review")
        # the director's approval is voided: legal reviews again, then the director
        self.assertEqual(contract._policy_approval_pending_step().level, "legal")
        director_steps = contract.sudo().policy_approval_ids.filtered(
            lambda s: s.level == "director"
        )
        self.assertFalse(director_steps.filtered(lambda s: s.state == "approved"))
        self._legal_decide(contract, "approved")
        self.assertEqual(contract.policy_approval_state, "pending")

    def test_confirmation_gate_and_exemption(self):
        order = self._approve_quotation(self._quotation(self.rep_s1, price=3000))
        rep_order = order.with_user(self.rep_s1)
        with self.assertRaises(UserError) as error:
            rep_order.action_confirm()
        self.assertIn("needs a sales contract", str(error.exception))
        self.assertIn(ARTICLE, str(error.exception))
        contract = self._contract(order)
        for step in ("draft", "review", "rejected"):
            if step == "review":
                contract.with_user(self.rep_s1).action_submit_review()
            elif step == "rejected":
                self._legal_decide(contract, "rejected", "Missing warranty clause")
            self.assertEqual(contract.state, step)
            with self.assertRaises(UserError) as error:
                rep_order.action_confirm()
            self.assertIn("not approved by legal", str(error.exception))
        self.assertEqual(order.state, "draft")
        # orders below the company's exemption amount need no contract; others still do
        self.company.sales_policy_contract_exempt_amount = 1000.0
        small = self._approve_quotation(self._quotation(self.rep_s1, price=50))
        small.with_user(self.rep_s1).action_confirm()
        self.assertEqual(small.state, "sale")
        self.assertFalse(small.sales_policy_contract_ids)
        with self.assertRaises(UserError):
            rep_order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_signature_rules(self):
        _order, contract = self._approved_contract(self.rep_n1b)
        rep = contract.with_user(self.rep_n1b)
        rep.write({"date_signed": fields.Date.today() + timedelta(days=1)})
        with self.assertRaises(UserError):
            rep.action_sign()
        rep.write({"date_signed": fields.Date.today() - timedelta(days=3)})
        with self.assertRaises(UserError) as error:
            rep.action_sign()  # before legal approved it
        self.assertIn(ARTICLE, str(error.exception))
        rep.write({"date_signed": False})
        rep.action_sign()
        self.assertEqual(contract.date_signed, fields.Date.today())
        # the signature date does not move afterwards (it starts the filing clock)
        with self.assertRaises(UserError):
            rep.write({"date_signed": fields.Date.today() - timedelta(days=1)})
        with self.assertRaises(UserError):
            rep.action_sign()

    def test_filing_dates(self):
        _order, contract = self._approved_contract(self.rep_n1b)
        contract.with_user(self.rep_n1b).action_sign()
        admin = contract.with_user(self.contract_admin)
        with self.assertRaises(ValidationError):
            admin.write(
                {"date_received": fields.Date.today() - timedelta(days=2), "storage_location": "B"}
            )
        admin.write({"date_received": fields.Date.today(), "storage_location": "  "})
        with self.assertRaises(UserError):
            admin.action_file()
        self.assertEqual(contract.state, "signed")

    def test_unfiled_contracts_are_flagged(self):
        with freeze_time("2026-03-02"):
            _order, contract = self._approved_contract(self.rep_n1a)
            contract.with_user(self.rep_n1a).action_sign()
        self.assertEqual(contract.date_signed, date(2026, 3, 2))
        Alert = self.env["sales.policy.alert"]
        with freeze_time("2026-03-09"):  # 7 days: still in time
            self.rule._run()
            self.assertFalse(Alert.search([("rule_id", "=", self.rule.id)]))
            self.assertFalse(contract.is_filing_overdue)
        with freeze_time("2026-03-10"):  # 8 days: flagged, the salesperson told
            contract.invalidate_recordset(["is_filing_overdue"])
            self.assertTrue(contract.is_filing_overdue)
            self.assertIn(contract, self.Contract.search([("is_filing_overdue", "=", True)]))
            stats = self.rule._run()[self.rule.code]
            self.assertEqual(stats["created"], 1)
            alert = Alert.search([("rule_id", "=", self.rule.id), ("res_id", "=", contract.id)])
            self.assertEqual(alert.user_id, self.rep_n1a)
            self.assertEqual(alert.article, ARTICLE)
            activity = contract.sudo().activity_ids.filtered(
                lambda a: a.sales_policy_alert_id == alert
            )
            self.assertEqual(activity.user_id, self.rep_n1a)
            self.rule._run()
            self.assertEqual(len(Alert.search([("rule_id", "=", self.rule.id)])), 1)
        with freeze_time("2026-03-13"):  # escalated to the supervisor after 3 more days
            stats = self.rule._run()[self.rule.code]
            self.assertEqual(stats["escalated"], 1)
            self.assertEqual(alert.escalate_user_id, self.sup_n1)
        with freeze_time("2026-03-14"):
            contract.with_user(self.contract_admin).write(
                {"date_received": date(2026, 3, 14), "storage_location": "Archive A"}
            )
            contract.with_user(self.contract_admin).action_file()
            self.rule._run()
            self.assertEqual(alert.state, "resolved")

    def test_filing_days_are_the_company_setting(self):
        with freeze_time("2026-03-02"):
            _order, contract = self._approved_contract(self.rep_n1a)
            contract.with_user(self.rep_n1a).action_sign()
        settings = self.env["res.config.settings"].create({})
        settings.sales_policy_contract_filing_days = 2
        settings.execute()
        self.assertEqual(self.company.sales_policy_contract_filing_days, 2)
        with freeze_time("2026-03-05"):
            self.assertEqual(self.rule._run()[self.rule.code]["created"], 1)

    def test_visibility_follows_the_hierarchy(self):
        _order, contract = self._approved_contract(self.rep_n1a)
        readers = (
            self.rep_n1a,
            self.sup_n1,
            self.assistant_n1,
            self.rm_north,
            self.director,
            self.legal,
            self.contract_admin,
            self.finance,
        )
        for user in readers:
            self.assertEqual(
                self.Contract.with_user(user).search([("id", "=", contract.id)]),
                contract,
                user.login,
            )
        for user in (
            self.rep_n1b,
            self.rep_n2,
            self.sup_n2,
            self.sup_s1,
            self.rm_south,
            self.presales,
        ):
            self.assertFalse(
                self.Contract.with_user(user).search([("id", "=", contract.id)]), user.login
            )
            with self.assertRaises(AccessError):
                contract.with_user(user).read(["terms"])
        # a rep makes no contract for somebody else's order
        with self.assertRaises(AccessError):
            self._contract(self.orders[self.rep_n1b], user=self.rep_n1a)
        # finance reads but does not change contracts
        with self.assertRaises(AccessError):
            contract.with_user(self.finance).write({"terms": "<p>x</p>"})

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        partner = self.env["res.partner"].create({"name": "Other customer", "company_id": other.id})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": other.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        contract = self.Contract.sudo().create({"order_id": order.id})
        for user in (self.director, self.legal, self.contract_admin):
            self.assertFalse(self.Contract.with_user(user).search([("id", "=", contract.id)]))

    def test_one_contract_per_order(self):
        order = self._quotation(self.rep_n1a)
        self._contract(order)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self._contract(order)
        action = order.with_user(self.rep_n1a).action_sales_policy_contract()
        self.assertEqual(action["res_id"], order.sales_policy_contract_ids.id)
        fresh = self._quotation(self.rep_n1a).with_user(self.rep_n1a)
        action = fresh.action_sales_policy_contract()
        self.assertEqual(action["context"], {"default_order_id": fresh.id})

    def test_template_placeholders_are_safe(self):
        customer = self.customers[self.rep_n1a][0]
        customer.name = "<script>alert(1)</script> Ltd"
        order = self._quotation(self.rep_n1a)
        contract = self._contract(order)
        self.assertNotIn("<script>", contract.terms)
        self.assertIn("&lt;script&gt;", contract.terms)
        # legal edits the template with the placeholders (no template editor group)
        self.assertFalse(self.legal.has_group("mail.group_mail_template_editor"))
        template = self.env["sales.policy.contract.template"].with_user(self.legal)
        simple = template.create(
            {"name": "Short", "body_html": '<p>Buyer: <t t-out="object.term_buyer"/></p>'}
        )
        contract.with_user(self.rep_n1a).write({"template_id": simple.id})
        contract.with_user(self.rep_n1a).action_render_terms()
        self.assertIn("Buyer: &lt;script&gt;", contract.terms)
        # ... but no code: that needs the Mail Template Editor group, as for e-mails
        for body in (
            '<p t-out="object.env.user.sudo().password"/>',
            '<p><t t-out="object.order_id.sudo().partner_id.bank_ids"/></p>',
            '<p t-if="object.name">x</p>',
        ):
            with self.assertRaises(AccessError):
                template.create({"name": "Unsafe", "body_html": body})
        with self.assertRaises(AccessError):
            self.env.ref("sales_policy.contract_template_default").with_user(self.legal).write(
                {"body_html": '<p t-out="object.env.cr.dbname"/>'}
            )
        # a rep does not edit templates at all
        with self.assertRaises(AccessError):
            self.env["sales.policy.contract.template"].with_user(self.rep_n1a).create(
                {"name": "Mine", "body_html": "<p>x</p>"}
            )

    def test_forms_open_for_each_role(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order)
        for user in (self.rep_n1a, self.sup_n1, self.rm_north, self.director, self.legal):
            form = Form(contract.with_user(user))
            self.assertEqual(form.order_id, order)
            Form(order.with_user(user))
        Form(
            contract.with_user(self.contract_admin),
            view="sales_policy.sales_policy_contract_view_form_file",
        )
        sign = Form(
            contract.with_user(self.rep_n1a),
            view="sales_policy.sales_policy_contract_view_form_sign",
        )
        self.assertFalse(sign.date_signed)
        # a new contract from the order's smart button: the template's terms once saved
        action = (
            self._quotation(self.rep_n1a).with_user(self.rep_n1a).action_sales_policy_contract()
        )
        new = Form(self.Contract.with_user(self.rep_n1a).with_context(**action["context"])).save()
        self.assertIn("销售合同", new.terms)

    def test_report_prints_the_contract(self):
        order = self._quotation(self.rep_n1a)
        contract = self._contract(order)
        Report = self.env["ir.actions.report"]
        report = "sales_policy.action_report_sales_policy_contract"
        html = Report._render_qweb_html(report, contract.ids)[0].decode()
        self.assertIn(contract.name, html)
        self.assertIn("销售合同", html)
        self.assertIn("NOT APPROVED BY LEGAL", html)
        contract.action_submit_review()
        self._legal_decide(contract, "approved")
        html = Report._render_qweb_html(report, contract.ids)[0].decode()
        self.assertNotIn("NOT APPROVED BY LEGAL", html)


@tagged("post_install", "-at_install")
class TestContractSecurity(ContractCase, SalesPolicyCommon):
    """Every bypass is refused: workflow fields, forged context, unapproved confirmation."""

    FORGED = {
        "sales_policy_engine": True,
        "sales_policy_contract_bypass": True,
        "policy_approval_bypass": True,
        "install_mode": True,
        "module": "sales_policy",
        "su": True,
        "tracking_disable": True,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_contracts()

    def test_workflow_fields_cannot_be_written(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order)
        forged = contract.with_user(self.rep_n1a).with_context(**self.FORGED)
        for vals in (
            {"state": "approved"},
            {"state": "filed"},
            {"reviewer_id": self.legal.id},
            {"review_date": fields.Datetime.now()},
            {"review_comment": "OK"},
            {"submitted_by_id": self.rep_n1a.id},
            {"signed_by_id": self.rep_n1a.id},
            {"filing_number": "BA/FAKE"},
            {"filed_by_id": self.contract_admin.id},
            {"date_filed": fields.Date.today()},
            {"name": "HT/FAKE"},
            {"policy_approval_state": "approved"},
            {"policy_approval_snapshot": {}},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                forged.write(vals)
        # the legal reviewer cannot write them either: only the workflow does
        with self.assertRaises(AccessError):
            contract.with_user(self.legal).write({"state": "approved"})
        contract.invalidate_recordset()
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.reviewer_id)
        self.assertFalse(contract.filing_number)
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).action_confirm()

    def test_contract_cannot_be_created_approved(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        for vals in (
            {"state": "approved"},
            {"state": "signed", "reviewer_id": self.legal.id},
            {"policy_approval_state": "approved"},
        ):
            with self.assertRaises(AccessError):
                self.Contract.with_user(self.rep_n1a).with_context(**self.FORGED).create(
                    {"order_id": order.id, **vals}
                )
        self.assertFalse(self.Contract.sudo().search([("order_id", "=", order.id)]))

    def test_forged_context_grants_no_decision(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order)
        contract.with_user(self.rep_n1a).action_submit_review()
        for user in (self.rep_n1a, self.sup_n1, self.director, self.contract_admin):
            forged = contract.with_user(user).with_context(
                policy_decision="approved", **self.FORGED
            )
            with self.assertRaises(AccessError):
                forged.action_legal_approve()
            with self.assertRaises(AccessError):
                forged.action_policy_approve()
            with self.assertRaises(AccessError):
                forged._policy_approval_decide("approved")
        self.assertEqual(contract.state, "review")
        with self.assertRaises(AccessError):
            contract.with_user(self.rep_n1a).with_context(**self.FORGED).action_file()
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).with_context(**self.FORGED).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_nobody_reviews_their_own_contract(self):
        lawyer_rep = new_test_user(
            self.env,
            login="sp_lawyer_rep",
            groups="sales_policy.group_sales_rep,sales_policy.group_legal",
        )
        self.team_n1.crm_team_member_ids = [Command.create({"user_id": lawyer_rep.id})]
        self._make_rep_documents(lawyer_rep)
        self.customers[lawyer_rep].write({"street": "2 Renmin Road", "city": "Beijing"})
        order = self._approve_quotation(self._quotation(lawyer_rep))
        contract = self._contract(order)
        contract.with_user(lawyer_rep).action_submit_review()
        reviewers = self._activities(
            contract, "sales_policy.mail_activity_type_contract_review"
        ).user_id
        self.assertEqual(reviewers, self.legal, "no review activity for the author")
        self.assertFalse(contract.with_user(lawyer_rep).can_review)
        with self.assertRaises(AccessError):
            contract.with_user(lawyer_rep).action_legal_approve()
        # nor a legal reviewer what they submitted for somebody else
        other = self._contract(self._approve_quotation(self._quotation(self.rep_n1b)))
        other.with_user(self.legal).action_submit_review()
        with self.assertRaises(AccessError):
            other.with_user(self.legal).action_legal_approve()
        self.assertEqual(other.state, "review")

    def test_legal_decides_only_contracts_in_review(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order)
        with self.assertRaises(UserError):
            contract.with_user(self.legal).action_legal_approve()
        self.assertEqual(contract.state, "draft")
        contract.with_user(self.rep_n1a).action_submit_review()
        with self.assertRaises(UserError):
            contract.with_user(self.rep_n1a).action_submit_review()

    def test_director_step_only_by_the_director(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a, price=1_100_000))
        contract = self._contract(order)
        contract.with_user(self.rep_n1a).action_submit_review()
        self._legal_decide(contract, "approved")
        for user in (self.rep_n1a, self.legal, self.rm_north):
            with self.assertRaises(AccessError):
                self._legal_decide(contract, "approved", user=user)
        self.assertEqual(contract.policy_approval_state, "pending")
        with self.assertRaises(UserError):
            contract.with_user(self.rep_n1a).action_sign()
        with self.assertRaises(UserError):
            order.with_user(self.rep_n1a).action_confirm()

    def test_sudo_confirmation_paths_are_gated_too(self):
        """The portal's accept route confirms with sudo(): the gate holds there too."""
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        self._contract(order)
        with self.assertRaises(UserError):
            order.sudo().action_confirm()
        self.assertEqual(order.state, "draft")

    def test_terms_and_signature_locked_by_state(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order).with_user(self.rep_n1a)
        with self.assertRaises(UserError):
            contract.write({"date_signed": fields.Date.today()})  # not approved yet
        with self.assertRaises(UserError):
            contract.write({"order_id": self.orders[self.rep_n1a].id})
        with self.assertRaises(UserError):
            contract.action_sign()
        contract.action_submit_review()
        with self.assertRaises(UserError):
            contract.unlink()  # on record once submitted
        self._legal_decide(contract, "approved")
        contract.action_sign()
        with self.assertRaises(UserError):
            contract.write({"terms": "<p>Changed after signing</p>"})
        with self.assertRaises(UserError):
            contract.action_render_terms()
        self.assertEqual(contract.state, "signed")


@tagged("post_install", "-at_install")
class TestContractRpc(ContractCase, SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """The gates hold over a real JSON-RPC call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_contracts()

    def test_bypasses_refused_over_rpc(self):
        order = self._approve_quotation(self._quotation(self.rep_n1a))
        contract = self._contract(order)
        reply = self._execute_kw(
            self.rep_n1a,
            "sales.policy.contract",
            "write",
            [contract.ids, {"state": "approved"}],
            {"context": {"sales_policy_engine": True}},
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        reply = self._execute_kw(
            self.rep_n1a, "sales.policy.contract", "action_submit_review", [contract.ids]
        )
        self.assertNotIn("error", reply)
        reply = self._execute_kw(
            self.rep_n1a, "sales.policy.contract", "action_legal_approve", [contract.ids]
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        reply = self._execute_kw(self.rep_n1a, "sale.order", "action_confirm", [order.ids])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn(ARTICLE, reply["error"]["data"]["message"])
        reply = self._execute_kw(
            self.legal, "sales.policy.contract", "action_legal_approve", [contract.ids]
        )
        self.assertNotIn("error", reply)
        reply = self._execute_kw(self.rep_n1a, "sale.order", "action_confirm", [order.ids])
        self.assertNotIn("error", reply)
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
