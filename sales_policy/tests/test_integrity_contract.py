"""Issue #10, the policy holds on every path: the contract's approved content.

Each test calls the running server over JSON-RPC as the real role, asserts the refusal
by its message and that nothing was written, and runs the legitimate path too.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions
from .test_contract import ContractCase


@tagged("post_install", "-at_install")
class TestIntegrityContractRpc(
    ContractCase, SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_contracts()

    # -- 7. everything the contract shows from the order is approved content -------
    def test_what_the_contract_shows_goes_back_to_legal_when_changed(self):
        rep = self.rep_n1a
        customer = self.customers[rep][0]
        shipping = self.env["res.partner"].create(
            {
                "name": "Site",
                "parent_id": customer.id,
                "type": "other",
                "street": "9 Port Road",
                "city": "Guangzhou",
            }
        )
        later = fields.Datetime.now() + timedelta(days=90)
        other_terms = self.env.ref("account.account_payment_term_immediate")
        cases = (
            (
                "Delivery Date",
                "sale.order",
                None,
                {"commitment_date": fields.Datetime.to_string(later)},
            ),
            ("Delivery Address", "sale.order", None, {"partner_shipping_id": shipping.id}),
            ("Payment Terms", "sale.order", None, {"payment_term_id": other_terms.id}),
            ("Buyer Address", "res.partner", customer, {"street": "2 New Road"}),
        )
        for label, model, record, vals in cases:
            with self.subTest(change=label):
                order, contract = self._approved_contract(rep)
                target = record or order
                self._ok(self._call(rep, model, "write", [target.ids, vals]))
                contract.invalidate_recordset()
                self.assertEqual(contract.state, "review", label)
                self.assertIn(label, "".join(contract.message_ids.mapped("body")))
                self._refused(
                    self._call(rep, "sale.order", "action_confirm", [order.ids]),
                    "not approved",
                )
        # an unchanged write keeps the approval and the order is confirmed
        order, contract = self._approved_contract(rep)
        self._ok(self._call(rep, "sale.order", "write", [order.ids, {"note": "Gate 3"}]))
        self._ok(self._call(rep, "res.partner", "write", [customer.ids, {"comment": "VIP"}]))
        contract.invalidate_recordset()
        self.assertEqual(contract.state, "approved")
        self._ok(self._call(rep, "sale.order", "action_confirm", [order.ids]))
