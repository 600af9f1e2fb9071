import datetime
import logging
import time

from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures

_logger = logging.getLogger(__name__)
# the modules whose screens the tours go through
ZH_CN_MODULES = (
    "base",
    "web",
    "mail",
    "product",
    "sales_team",
    "sale",
    "sale_management",
    "account",
    "crm",
    "hr_expense",
    "sales_policy",
)


@tagged("post_install", "-at_install")
class TestTour(SalesPolicyFixtures, HttpCase):
    """Each role's main path in a real browser (headless Chromium), one tour per role,
    each as that role's own user: the rep plans and records a visit, builds a discounted
    quotation and submits it; the supervisor and the regional manager approve it from
    their inbox; legal approves the contract; the rep records the signature and confirms
    the order; the contract administration files the contract; finance works the
    overdue list and opens a bad-debt case; the director edits the approval matrix.
    The tours select by field, button and state names, so the same tours run in the
    zh_CN interface."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.customer = cls.customers[cls.rep_n1a][0]
        # the customer's payment terms fill the quotation's in
        cls.customer.property_payment_term_id = cls.env.ref("account.account_payment_term_30days")
        # the invoice of the customer is overdue
        cls.invoice = cls.invoices[cls.rep_n1a]
        cls.invoice.invoice_date_due = datetime.date.today() - datetime.timedelta(days=40)
        cls.invoice.action_post()
        # the fixture's own quotation would stand beside the one the rep makes
        cls.orders[cls.rep_n1a].action_cancel()
        cls.matrix = cls.env.ref("sales_policy.approval_matrix_default")

    def _tour(self, url, tour, user):
        started = time.monotonic()
        self.start_tour(url, tour, login=user.login)
        self.env.invalidate_all()
        _logger.info("tour %s as %s: %.1f s", tour, user.login, time.monotonic() - started)

    def _whole_path(self):
        rep = self.rep_n1a
        # the rep plans a visit to the customer and records it
        self._tour(
            "/odoo/action-sales_policy.sales_policy_visit_action", "sales_policy_rep_visit", rep
        )
        visit = self.env["sales.policy.visit"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.user_id, rep)
        self.assertIn("three gates", visit.findings)

        # the rep builds a quotation with a 15 % discount and submits it
        self._tour(
            "/odoo/action-sale.action_quotations_with_onboarding", "sales_policy_rep_submit", rep
        )
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "draft")]
        )
        self.assertEqual(order.order_line.discount, 15.0)
        self.assertEqual(order.policy_approval_state, "pending")
        steps = order.policy_approval_ids
        self.assertEqual(steps.mapped("level"), ["supervisor", "regional_manager"])

        # the supervisor, then the regional manager, approve it from their inbox
        inbox = "/odoo/action-sales_policy.sales_policy_approval_action_to_approve"
        self._tour(inbox, "sales_policy_inbox_approve", self.sup_n1)
        self.assertEqual(steps[0].state, "approved")
        self.assertEqual(steps[0].decided_by_id, self.sup_n1)
        self.assertEqual(steps[0].comment, "Prices checked.")
        self.assertEqual(order.policy_approval_state, "pending")
        self._tour(inbox, "sales_policy_inbox_approve", self.rm_north)
        self.assertEqual(steps[1].decided_by_id, self.rm_north)
        self.assertEqual(order.policy_approval_state, "approved")

        # the rep makes the contract and submits it; legal approves it
        order_url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"
        self._tour(order_url, "sales_policy_rep_contract", rep)
        contract = order.sales_policy_contract_ids
        self.assertEqual(contract.state, "review")
        self._tour(
            "/odoo/action-sales_policy.sales_policy_contract_action_to_review",
            "sales_policy_legal_approve",
            self.legal,
        )
        self.assertEqual(contract.state, "approved")
        self.assertEqual(contract.reviewer_id, self.legal)

        # the rep records the signature and confirms the order
        self._tour(order_url, "sales_policy_rep_sign_confirm", rep)
        self.assertEqual(contract.state, "signed")
        self.assertEqual(order.state, "sale")

        # the contract administration files the original
        self._tour(
            "/odoo/action-sales_policy.sales_policy_contract_action_to_file",
            "sales_policy_contract_file",
            self.contract_admin,
        )
        self.assertEqual(contract.state, "filed")
        self.assertEqual(contract.storage_location, "Cabinet 3")
        self.assertEqual(contract.filed_by_id, self.contract_admin)
        self.assertTrue(contract.filing_number)

        # finance works the overdue list: a collection log, then a bad-debt case
        self._tour(
            "/odoo/action-sales_policy.account_move_action_to_collect",
            "sales_policy_finance_collect",
            self.finance,
        )
        log = self.invoice.sales_policy_collection_log_ids
        self.assertEqual(log.reason, "Waiting for its own customer to pay")
        case = self.env["sales.policy.bad.debt"].search([("invoice_id", "=", self.invoice.id)])
        self.assertEqual(case.state, "collecting")
        self.assertEqual(case.reported_by_id, self.finance)
        self.assertEqual(case.description, "The customer stopped answering")

        # the director moves the regional manager's band to 12 %
        self._tour(
            "/odoo/action-sales_policy.sales_policy_approval_matrix_action",
            "sales_policy_director_matrix",
            self.director,
        )
        bands = self.matrix.discount_band_ids.sorted("above")
        self.assertEqual(bands.mapped("above")[:2], [0.0, 12.0])
        self.assertEqual(bands.mapped("up_to")[:2], [12.0, 20.0])

    def test_whole_path(self):
        self._whole_path()

    def test_whole_path_zh_cn(self):
        """The same path with every user in the Chinese interface."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(ZH_CN_MODULES, ["zh_CN"])
        (
            self.reps
            | self.sup_n1
            | self.rm_north
            | self.legal
            | self.contract_admin
            | self.finance
            | self.director
        ).write({"lang": "zh_CN"})
        self._whole_path()
        # the screens were Chinese: the tours did not depend on the English texts
        self.assertEqual(
            self.env.ref("sales_policy.sales_policy_contract_action_to_file")
            .with_context(lang="zh_CN")
            .name,
            "待备案合同",
        )
