from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..models.res_partner import is_valid_uscc
from .common import SalesPolicyCommon

#: Valid unified social credit codes (GB 32100-2015 check characters).
VALID_USCC = ("91350100M000100Y43", "91440101MA59TUD2XX")


@tagged("post_install", "-at_install")
class TestChineseData(SalesPolicyCommon):
    """The customer's unified social credit code (统一社会信用代码) and amounts in capital
    Chinese numerals (人民币…元整) on quotations and contracts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.customers[cls.rep_n1a][0]
        cls.contact = cls.customers[cls.rep_n1a][1]
        cls.cny = cls.env.ref("base.CNY")
        cls.cny.active = True

    def test_check_character(self):
        for code in VALID_USCC:
            self.assertTrue(is_valid_uscc(code), code)
        invalid = (
            "91350100M000100Y44",  # wrong check character
            "91350100M000100Y4",  # 17 characters
            "91350100M000100Y430",  # 19 characters
            "91350100m000100y43",  # lower case
            "9135010OM000100Y43",  # O is not in the charset
            "",
        )
        for code in invalid:
            self.assertFalse(is_valid_uscc(code), code)

    def test_on_the_company_form_and_its_contacts(self):
        with Form(self.customer.with_user(self.rep_n1a)) as form:
            form.sales_policy_uscc = VALID_USCC[0]
        self.assertEqual(self.customer.sales_policy_uscc, VALID_USCC[0])
        # a commercial field: the company's contacts carry it
        self.assertEqual(self.contact.sales_policy_uscc, VALID_USCC[0])
        with self.assertRaisesRegex(ValidationError, "unified social credit code"):
            self.customer.with_user(self.rep_n1a).sales_policy_uscc = "91350100M000100Y44"
        with self.assertRaisesRegex(ValidationError, "GB 32100-2015"):
            self.env["res.partner"].create(
                {"name": "Bad code", "is_company": True, "sales_policy_uscc": "123"}
            )

    def test_amount_in_capitals(self):
        self.assertEqual(self.cny._sales_policy_amount_in_capitals(113), "人民币壹佰壹拾叁元整")
        self.assertEqual(
            self.cny._sales_policy_amount_in_capitals(1234.56), "人民币壹仟贰佰叁拾肆元伍角陆分"
        )
        usd = self.env.ref("base.USD")
        self.assertEqual(usd._sales_policy_amount_in_capitals(113), "")

    def test_quotation_and_contract_carry_them(self):
        self.customer.sales_policy_uscc = VALID_USCC[1]
        pricelist = self.env["product.pricelist"].create(
            {"name": "CNY", "currency_id": self.cny.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact.id,
                "user_id": self.rep_n1a.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "price_unit": 100000.0, "tax_ids": []}
                    )
                ],
            }
        )
        self.assertEqual(order.sales_policy_amount_in_capitals, "人民币壹拾万元整")
        contract = (
            self.env["sales.policy.contract"].with_user(self.rep_n1a).create({"order_id": order.id})
        )
        self.assertEqual(contract.partner_uscc, VALID_USCC[1])
        self.assertEqual(contract.amount_total_capitals, "人民币壹拾万元整")
        self.assertEqual(contract.term_buyer_vat, VALID_USCC[1])
        self.assertIn("人民币壹拾万元整", contract.terms)
        self.assertIn(VALID_USCC[1], contract.terms)
        # another currency: no capitals
        order.order_line.price_unit = 50.0
        order.pricelist_id = False
        order.currency_id = self.env.ref("base.USD")
        self.assertFalse(order.sales_policy_amount_in_capitals)
