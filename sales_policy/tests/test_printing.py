import shutil
import subprocess
import unicodedata
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .test_collection import TODAY, CollectionCommon
from .test_contract import ContractCase

NOT_APPROVED = "NOT APPROVED — draft for internal review"
#: CJK radicals (no Unicode decomposition) the PDF's text layer may hold for ideographs.
RADICALS = str.maketrans("⺠⻩⻓⻔⻢⻅⻋⻄⻜⻛⻚⻰", "民黄长门马见车西飞风页邮")


@tagged("post_install", "-at_install")
class TestPrinting(ContractCase, CollectionCommon):
    """The quotation, the contract and the collection report print as PDF (wkhtmltopdf)
    with their Chinese text and figures, read back from the PDF (pdftotext).

    Without wkhtmltopdf or pdftotext the tests fail, naming what to install: setup/lib.sh
    installs them (and a CJK font) with apt-get where it can.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_contracts()
        cls.cny = cls.setup_other_currency("CNY", rates=[("2020-01-01", 1.0)])
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "人民币价目表", "currency_id": cls.cny.id}
        )
        cls.rep_n1a.name = "黄小明"
        cls.customers[cls.rep_n1a][0].write(
            {
                "name": "广州天河智能科技有限公司",
                "sales_policy_uscc": "91350100M000100Y43",
                "street": "天河路385号",
                "city": "广州市",
            }
        )
        cls.product.name = "门禁控制器"

    def _pdf_text(self, report, records):
        """The text of ``report`` printed for ``records`` as PDF, whitespace removed.

        NFKC-normalised: the CJK font maps some ideographs to the look-alike Kangxi
        radicals in the PDF's text layer (⼴ for 广, ⺠ for 民).
        """
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        if state != "ok":
            self.fail(
                f"wkhtmltopdf is not usable (state: {state}): PDF reports cannot be printed. "
                "Install it (Debian: apt-get install wkhtmltopdf fonts-noto-cjk; "
                "setup/test.sh does it as root)."
            )
        if not shutil.which("pdftotext"):
            self.fail("pdftotext is missing: install poppler-utils to read the PDFs back.")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, records.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return "".join(unicodedata.normalize("NFKC", text).translate(RADICALS).split())

    def _cny_quotation(self):
        order = self._quotation(self.rep_n1a, price=1234.5, qty=2)
        order.pricelist_id = self.pricelist
        order.order_line.write({"price_unit": 1234.5, "tax_ids": [Command.clear()]})
        self.assertEqual(order.currency_id, self.cny)
        self.assertEqual(order.amount_total, 2469.0)
        return order

    def test_quotation_pdf(self):
        order = self._cny_quotation()
        text = self._pdf_text("sale.action_report_saleorder", order)
        self.assertIn("广州天河智能科技有限公司", text)
        self.assertIn("门禁控制器", text)
        self.assertIn("2,469.00", text)
        self.assertIn("人民币贰仟肆佰陆拾玖元整", text)
        self.assertIn("".join(NOT_APPROVED.split()), text)
        self._approve_quotation(order)
        text = self._pdf_text("sale.action_report_saleorder", order)
        self.assertIn("门禁控制器", text)
        self.assertNotIn("NOTAPPROVED", text)

    def test_contract_pdf(self):
        order = self._cny_quotation()
        contract = self._contract(order)
        text = self._pdf_text("sales_policy.action_report_sales_policy_contract", contract)
        self.assertIn("销售合同", text)
        self.assertIn("甲方(卖方)", text)
        self.assertIn("广州天河智能科技有限公司", text)
        self.assertIn("天河路385号", text)
        self.assertIn("91350100M000100Y43", text)
        self.assertIn("门禁控制器", text)
        self.assertIn("2,469.00", text)
        self.assertIn("人民币贰仟肆佰陆拾玖元整", text)
        self.assertIn(contract.name, text)
        self.assertIn("NOTAPPROVEDBYLEGAL", text)

    @freeze_time(TODAY)
    def test_collection_report_pdf(self):
        invoice = self._invoice(self.rep_n1a, 8888.0, TODAY - timedelta(days=40))
        self._pay(invoice, 1000.0, TODAY - timedelta(days=1))
        wizard = self.env["sales.policy.collection.report.wizard"].create(
            {"date_from": TODAY.replace(day=1), "date_to": TODAY}
        )
        self.assertTrue(fields.Date.to_date(wizard.date_to))
        text = self._pdf_text("sales_policy.action_report_collection_periodic", wizard)
        self.assertIn("PeriodicCollectionReport", text)
        self.assertIn("篇四§15.3", text)
        self.assertIn("黄小明", text)
        self.assertIn("7,888.00", text)
