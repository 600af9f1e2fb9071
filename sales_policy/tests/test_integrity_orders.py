"""Issue #10, the policy holds on every path: states, messages, price cuts, confirmed orders.

Each test calls the running server over JSON-RPC as the real role, asserts the refusal
by its message and that nothing was written, and runs the legitimate path too.
"""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions
from .test_order_change import FORGED_CONTEXT, OrderChangeFixtures

NOT_APPROVED = "is not approved yet"
FORGED = {"context": FORGED_CONTEXT}
CHANGE_ARTICLE = "篇四 §14"


@tagged("post_install", "-at_install")
class TestIntegrityOrdersRpc(
    OrderChangeFixtures, SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_order_change()
        cls.env.company.sale_discount_product_id = cls.env["product.product"].create(
            {"name": "Discount", "type": "service", "list_price": 0.0}
        )

    def _approved(self, rep=None, lines=None):
        rep = rep or self.rep_n1a
        order = self._quotation(rep, lines)
        self._approve_quotation(order, rep)
        return order

    # -- 1. no state without the gate; nothing reaches the customer ---------------
    def test_unapproved_quotation_reaches_no_other_state(self):
        order = self._quotation(self.rep_n1a)
        for state in ("sent", "sale"):
            reply = self._call(
                self.rep_n1a, "sale.order", "write", [order.ids, {"state": state}], FORGED
            )
            self._refused(reply, NOT_APPROVED)
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")
        customer = self.customers[self.rep_n1a][0]
        for user, state in ((self.rep_n1a, "sent"), (self.finance, "sale")):
            reply = self._call(
                user,
                "sale.order",
                "create",
                [
                    {
                        "partner_id": customer.id,
                        "state": state,
                        "client_order_ref": "forged",
                        "order_line": [
                            Command.create({"product_id": self.service.id, "is_expense": True})
                        ],
                    }
                ],
                FORGED,
            )
            self._refused(reply, "starts as a quotation in draft")
        self.assertFalse(
            self.env["sale.order"].search([("client_order_ref", "=", "forged")]),
            "nothing was created",
        )
        # the legitimate path: approved, marked sent, confirmed
        order = self._approved()
        self._ok(self._call(self.rep_n1a, "sale.order", "action_quotation_sent", [order.ids]))
        self._ok(self._call(self.rep_n1a, "sale.order", "action_confirm", [order.ids]))
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")

    def test_nothing_reaches_the_customer_of_an_unapproved_quotation(self):
        order = self._quotation(self.rep_n1a)
        customer, contact = self.customers[self.rep_n1a]
        messages = order.sudo().message_ids

        def post(user, **kwargs):
            return self._call(user, "sale.order", "message_post", [order.ids], kwargs)

        self._refused(
            post(self.rep_n1a, body="Your quotation", partner_ids=[contact.id]), NOT_APPROVED
        )
        self._refused(
            self._call(
                self.rep_n1a,
                "sale.order",
                "message_notify",
                [order.ids],
                {"body": "Your quotation", "partner_ids": [customer.id]},
            ),
            NOT_APPROVED,
        )
        # the customer following the quotation gets no comment either
        order.sudo().message_subscribe(partner_ids=customer.ids)
        self._refused(
            post(
                self.rep_n1a,
                body="Your quotation",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            ),
            NOT_APPROVED,
        )
        # Odoo's generic mail composer, in both modes
        for mode in ("comment", "mass_mail"):
            wizard_id = self._ok(
                self._call(
                    self.rep_n1a,
                    "mail.compose.message",
                    "create",
                    [
                        {
                            "model": "sale.order",
                            "res_ids": str(order.ids),
                            "composition_mode": mode,
                            "partner_ids": [Command.set(customer.ids)],
                            "subject": "Quotation",
                            "body": "Your quotation",
                        }
                    ],
                )
            )
            self._refused(
                self._call(self.rep_n1a, "mail.compose.message", "action_send_mail", [[wizard_id]]),
                NOT_APPROVED,
            )
        self.assertEqual(order.sudo().message_ids, messages, "nothing was posted")
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("subject", "=", "Quotation")]), "nor sent"
        )
        # internal notes still work; once approved the customer gets the quotation
        self._ok(post(self.rep_n1a, body="Called the buyer", subtype_xmlid="mail.mt_note"))
        self._approve_quotation(order, self.rep_n1a)
        self._ok(post(self.rep_n1a, body="Your quotation", partner_ids=[contact.id]))
        self.assertIn(contact, order.sudo().message_ids[0].partner_ids)

    # -- 2. the effective price cut -----------------------------------------------
    def test_a_30_percent_cut_goes_to_the_director_however_entered(self):
        rep = self.rep_s1
        one = [(self.product, 1.0, 100.0)]

        def line_discount(order):
            line = order.order_line
            self._ok(self._call(rep, "sale.order.line", "write", [line.ids, {"discount": 30}]))

        def unit_price(order):
            line = order.order_line
            self._ok(self._call(rep, "sale.order.line", "write", [line.ids, {"price_unit": 70}]))

        def global_discount(order):
            wizard_id = self._ok(
                self._call(
                    rep,
                    "sale.order.discount",
                    "create",
                    [
                        {
                            "sale_order_id": order.id,
                            "discount_type": "so_discount",
                            "discount_percentage": 0.3,
                        }
                    ],
                )
            )
            self._ok(self._call(rep, "sale.order.discount", "action_apply_discount", [[wizard_id]]))

        def negative_line(order, **extra):
            vals = {"order_id": order.id, "product_id": self.product.id, "price_unit": -30}
            self._ok(self._call(rep, "sale.order.line", "create", [dict(vals, **extra)]))

        def down_payment_line(order):
            negative_line(order, is_downpayment=True)

        for entry in (line_discount, unit_price, global_discount, negative_line, down_payment_line):
            with self.subTest(entry=entry.__name__):
                order = self._quotation(rep, one)
                entry(order)
                self.assertAlmostEqual(order.policy_max_discount, 30.0, places=1)
                self._ok(self._call(rep, "sale.order", "action_policy_submit", [order.ids]))
                steps = order.sudo().policy_approval_ids
                self.assertEqual(
                    steps.mapped("level"), ["supervisor", "regional_manager", "director"]
                )
        # a modest cut stays with the supervisor
        order = self._quotation(rep, one)
        unit_price_95 = {"price_unit": 95}
        self._ok(self._call(rep, "sale.order.line", "write", [order.order_line.ids, unit_price_95]))
        self._ok(self._call(rep, "sale.order", "action_policy_submit", [order.ids]))
        self.assertEqual(order.sudo().policy_approval_ids.mapped("level"), ["supervisor"])

    def test_down_payment_flag_is_approved_content(self):
        order = self._approved()
        line = order.order_line[0]
        self._ok(
            self._call(
                self.rep_n1a, "sale.order.line", "write", [line.ids, {"is_downpayment": True}]
            )
        )
        order.invalidate_recordset()
        self.assertEqual(order.policy_approval_state, "draft")
        self._refused(
            self._call(self.rep_n1a, "sale.order", "action_confirm", [order.ids]), NOT_APPROVED
        )

    # -- 3. confirmed orders: money and terms only through the change request ------
    def test_confirmed_order_terms_change_only_through_a_request(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        tax = self.env["account.tax"].create({"name": "Forged 1 %", "amount": 1.0})
        other_terms = self.env.ref("account.account_payment_term_immediate")
        pricelist = self.env["product.pricelist"].create({"name": "Friends"})
        fiscal = self.env["account.fiscal.position"].create({"name": "Export"})
        # another customer of the same rep (one out of their scope is refused earlier)
        second = self.env["res.partner"].create(
            {"name": "Second customer", "is_company": True, "user_id": self.rep_n1a.id}
        )
        before = (order.payment_term_id, order.partner_id, order.fiscal_position_id)
        for vals in (
            {"payment_term_id": other_terms.id},
            {"partner_invoice_id": self.customers[self.rep_n1a][1].id},
            {"partner_id": second.id},
            {"fiscal_position_id": fiscal.id},
            {"pricelist_id": pricelist.id},
        ):
            with self.subTest(vals=vals):
                reply = self._call(self.rep_n1a, "sale.order", "write", [order.ids, vals], FORGED)
                self._refused(reply, CHANGE_ARTICLE)
        for vals in ({"tax_ids": [Command.set(tax.ids)]}, {"is_downpayment": True}):
            with self.subTest(vals=vals):
                reply = self._call(
                    self.rep_n1a, "sale.order.line", "write", [line.ids, vals], FORGED
                )
                self._refused(reply, CHANGE_ARTICLE)
        order.invalidate_recordset()
        self.assertEqual(
            (order.payment_term_id, order.partner_id, order.fiscal_position_id), before
        )
        self.assertFalse(line.tax_ids & tax)
        self.assertFalse(line.is_downpayment)
        # harmless writes still work
        self._ok(self._call(self.rep_n1a, "sale.order", "write", [order.ids, {"note": "Gate 3"}]))

    def test_down_payment_lines_only_by_odoo_invoicing(self):
        order = self._confirmed_order()
        Wizard = self.env["sale.advance.payment.inv"].with_user(self.finance)
        context = {"active_model": "sale.order", "active_ids": order.ids, "active_id": order.id}
        Wizard.with_context(**context).create(
            {"advance_payment_method": "percentage", "amount": 10.0}
        ).create_invoices()
        dp_line = order.order_line.filtered(lambda sol: sol.is_downpayment and not sol.display_type)
        self.assertEqual(len(dp_line), 1, "Odoo's invoicing wizard adds its line")
        price = dp_line.price_unit
        for user in (self.rep_n1a, self.finance):
            with self.subTest(user=user.login):
                reply = self._call(
                    user, "sale.order.line", "write", [dp_line.ids, {"price_unit": 0.01}]
                )
                self._refused(reply, CHANGE_ARTICLE)
                self._refused(
                    self._call(user, "sale.order.line", "unlink", [dp_line.ids]), CHANGE_ARTICLE
                )
        self.assertEqual(dp_line.price_unit, price, "nothing was written")
        invoice = order.invoice_ids.with_user(self.finance)
        invoice.action_post()
        self.assertAlmostEqual(dp_line.price_unit, 125.0, msg="Odoo reprices it on posting")
