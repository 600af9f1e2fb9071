"""Issue #10, the policy holds on every path: bad input.

Wrong types, missing records and overlong text sent over JSON-RPC are refused with a
translated message naming the field, nothing written; the customer on the portal never
gets an internal error, and is not offered to sign what could not be confirmed.
"""

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions
from .test_order_change import OrderChangeFixtures
from .test_portal_gate import SIGNATURE

INVALID = "odoo.exceptions.ValidationError"
SIGN_BUTTON = 'data-bs-target="#modalaccept"'


@tagged("post_install", "-at_install")
class TestIntegrityInputRpc(
    OrderChangeFixtures, SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_order_change()
        cls.rep = cls.rep_n1a
        cls.customer = cls.customers[cls.rep][0]

    def test_wrong_types_are_refused_with_a_message(self):
        order = self._quotation(self.rep)
        line = order.order_line[0]
        qty, date_order = line.product_uom_qty, order.date_order
        marker = "sp-integrity-input"
        for model, method, args, pattern in (
            (
                "sale.order.line",
                "write",
                [line.ids, {"product_uom_qty": "abc"}],
                "Quantity: 'abc' is not a number",
            ),
            (
                "sale.order",
                "write",
                [order.ids, {"date_order": "yesterday"}],
                "Order Date: 'yesterday' is not a date and time",
            ),
            (
                "sale.order",
                "create",
                [
                    {
                        "partner_id": self.customer.id,
                        "date_order": "yesterday",
                        "client_order_ref": marker,
                    }
                ],
                "'yesterday' is not a date and time",
            ),
            (
                "sale.order",
                "create",
                [
                    {
                        "partner_id": self.customer.id,
                        "client_order_ref": marker,
                        "order_line": [
                            Command.create(
                                {"product_id": self.product.id, "product_uom_qty": "abc"}
                            )
                        ],
                    }
                ],
                "'abc' is not a number",
            ),
            (
                "sale.order",
                "write",
                [order.ids, {"partner_id": "Customer of sp_rep_n1a"}],
                "Customer: .* is not the id of a record",
            ),
            (
                "sales.policy.visit",
                "create",
                [{"name": marker, "partner_id": self.customer.id, "date_planned": "tomorrow"}],
                "'tomorrow' is not a date and time",
            ),
            (
                "sales.policy.visit",
                "create",
                [
                    {
                        "name": marker,
                        "partner_id": self.customer.id,
                        "date_planned": fields.Datetime.to_string(fields.Datetime.now()),
                        "purpose": "lunch",
                    }
                ],
                "'lunch' is not one of introduction",
            ),
        ):
            with self.subTest(model=model, method=method, args=args):
                reply = self._call(self.rep, model, method, args)
                self._refused(reply, pattern, error=INVALID)
        order.invalidate_recordset()
        line.invalidate_recordset()
        self.assertEqual((line.product_uom_qty, order.date_order), (qty, date_order))
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", marker)]))
        self.assertFalse(self.env["sales.policy.visit"].search([("name", "=", marker)]))
        # the legitimate path: a number sent as text, a date in Odoo's format
        self._ok(
            self._call(self.rep, "sale.order.line", "write", [line.ids, {"product_uom_qty": "12"}])
        )
        self._ok(
            self._call(
                self.rep, "sale.order", "write", [order.ids, {"date_order": "2030-01-02 03:04:05"}]
            )
        )
        order.invalidate_recordset()
        self.assertEqual(
            (line.product_uom_qty, str(order.date_order)), (12.0, "2030-01-02 03:04:05")
        )

    def test_a_missing_record_is_named(self):
        order = self._quotation(self.rep)
        missing = 987654321
        for model, method, args, pattern in (
            (
                "sale.order",
                "create",
                [{"partner_id": missing}],
                f"Customer: there is no Contact with the id {missing}",
            ),
            (
                "sale.order",
                "write",
                [order.ids, {"payment_term_id": missing}],
                f"Payment Terms: there is no Payment Terms with the id {missing}",
            ),
            (
                "sale.order.line",
                "create",
                [{"order_id": order.id, "product_id": missing}],
                f"Product: there is no Product Variant with the id {missing}",
            ),
            (
                "crm.lead",
                "create",
                [{"name": "x", "team_id": missing}],
                f"there is no Sales Team with the id {missing}",
            ),
            (
                "sales.policy.satisfaction",
                "create",
                [{"partner_id": self.customer.id, "order_id": missing}],
                f"there is no Sales Order with the id {missing}",
            ),
        ):
            with self.subTest(model=model, method=method):
                reply = self._call(self.rep, model, method, args)
                self._refused(reply, pattern, error=INVALID)
                self.assertNotIn("missing required value", str(reply))
        order.invalidate_recordset()
        self.assertEqual((order.payment_term_id, len(order.order_line)), (self.payment_term, 2))

    def test_free_text_has_a_maximum_length(self):
        order = self._quotation(self.rep)
        lead = self.leads[self.rep]
        huge = "x" * 100_000
        for model, record, vals, pattern in (
            (
                "sale.order",
                order,
                {"note": "x" * 2_000_001},
                "Terms and conditions is too long: 2000001 characters, at most 2000000",
            ),
            (
                "sale.order",
                order,
                {"client_order_ref": huge},
                "Customer Reference is too long: 100000 characters, at most 1000",
            ),
            (
                "crm.lead",
                lead,
                {"sales_policy_needs_analysis": "x" * 2_000_001},
                "Needs Analysis is too long: 2000001 characters, at most 2000000",
            ),
            ("crm.lead", lead, {"name": huge}, "is too long: 100000 characters, at most 1000"),
        ):
            with self.subTest(model=model, field=next(iter(vals))):
                reply = self._call(self.rep, model, "write", [record.ids, vals])
                self._refused(reply, pattern, error=INVALID)
                record.invalidate_recordset()
                self.assertNotEqual(record[next(iter(vals))], huge)
        reply = self._call(
            self.rep,
            "sales.policy.visit",
            "create",
            [
                {
                    "name": "Visit",
                    "partner_id": self.customer.id,
                    "agenda": huge,
                    "date_planned": fields.Datetime.to_string(fields.Datetime.now()),
                }
            ],
        )
        self._refused(
            reply, "Purpose Details is too long: 100000 characters, at most 50000", error=INVALID
        )
        # the legitimate path: a long but sensible text
        text = "需求分析 " * 2000
        self._ok(self._call(self.rep, "crm.lead", "write", [lead.ids, {"description": text}]))
        self.assertIn("需求分析", lead.description)
        # and a document: HTML with the products table of a 500-line order (the terms of
        # its contract, rendered from the template, are about 300,000 characters)
        rows = "".join(f"<tr><td>门禁控制器 {i}</td><td>3,500.00</td></tr>" for i in range(9000))
        table = f"<table>{rows}</table>"
        self.assertGreater(len(table), 300_000)
        self._ok(self._call(self.rep, "sale.order", "write", [order.ids, {"note": table}]))
        self.assertIn("门禁控制器 8999", order.note)

    # -- the customer's portal: no internal error, no signing of what cannot be confirmed
    def _portal_quotation(self):
        order = self._quotation(self.rep, require_signature=True)
        self._approve_quotation(order, self.rep)
        return order, order._portal_ensure_token()

    def _assert_clean_page(self, response):
        self.assertNotIn(response.status_code, (500, 502, 503))
        for text in ("Traceback", "Internal Server Error", "odoo.exceptions"):
            self.assertNotIn(text, response.text)

    def test_portal_does_not_offer_to_sign_before_legal_approved_the_contract(self):
        self.company.sales_policy_contract_exempt_amount = 0  # every order needs a contract
        order, token = self._portal_quotation()
        self.assertEqual(order.policy_approval_state, "approved")
        self.assertIn("contract", order._confirmation_error_message())
        page = self.url_open(f"/my/orders/{order.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self._assert_clean_page(page)
        self.assertIn(order.name, page.text)
        self.assertNotIn(SIGN_BUTTON, page.text)
        reply = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": token, "name": "Buyer", "signature": SIGNATURE},
        )
        self.assertEqual(
            reply, {"error": "The order is not in a state requiring customer signature."}
        )
        order.invalidate_recordset()
        self.assertFalse(order.signature)
        self.assertIn(order.state, ("draft", "sent"))
        # a wrong token, a wrong id, a printout: never an internal error
        for url in (
            f"/my/orders/{order.id}?access_token=wrong",
            f"/my/orders/987654321?access_token={token}",
            f"/my/orders/{order.id}?access_token={token}&report_type=html",
            f"/my/orders/{order.id}?access_token={token}&report_type=nonsense",
        ):
            with self.subTest(url=url):
                self._assert_clean_page(self.url_open(url))

    def test_portal_signs_a_quotation_ready_to_confirm(self):
        order, token = self._portal_quotation()  # small orders need no contract here
        self.assertFalse(order._confirmation_error_message())
        page = self.url_open(f"/my/orders/{order.id}?access_token={token}")
        self._assert_clean_page(page)
        self.assertIn(SIGN_BUTTON, page.text)
        reply = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": token, "name": "Buyer", "signature": SIGNATURE},
        )
        self.assertNotIn("error", reply)
        order.invalidate_recordset()
        self.assertEqual((order.state, order.signed_by), ("sale", "Buyer"))
