from datetime import date, datetime

from odoo import Command

from odoo.addons.sales_policy.tests.test_collection import CollectionCommon

Q1 = (date(2025, 1, 1), date(2025, 3, 31))


class KpiCommon(CollectionCommon):
    """The sales hierarchy on a company with a chart of accounts, plus helpers to
    make orders and appraisal runs (period: 2025 Q1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Indicator = cls.env["sales.policy.kpi.indicator"].sudo()
        cls.template = cls.env.ref("sales_policy_kpi.kpi_template_sales_rep")

    @classmethod
    def _order(cls, rep, partner, when, state="sale"):
        """An order of ``rep`` for ``partner`` in ``state`` dated ``when`` (a date)."""
        order = (
            cls.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": rep.id,
                    "order_line": [Command.create({"product_id": cls.product.id})],
                }
            )
        )
        order.write({"state": state, "date_order": datetime.combine(when, datetime.min.time())})
        return order

    @classmethod
    def _setup_target_and_sales(cls):
        """rep_n1a: a target of 1,000 for 2025 Q1 and 800 invoiced in it."""
        cls.env["sales.policy.kpi.target"].sudo().create(
            {
                "level": "salesperson",
                "user_id": cls.rep_n1a.id,
                "period_type": "quarter",
                "year": 2025,
                "quarter": "1",
                "amount": 1000.0,
            }
        )
        cls._invoice(cls.rep_n1a, 800.0, date(2025, 2, 10), date(2025, 2, 10))

    @classmethod
    def _run(cls, user=None, **vals):
        Run = cls.env["sales.policy.kpi.run"]
        Run = Run.with_user(user) if user else Run.sudo()
        run = Run.create(
            {
                "period_type": "quarter",
                "year": 2025,
                "quarter": "1",
                "template_id": cls.template.id,
                "company_id": cls.company.id,
                **vals,
            }
        )
        run.action_generate()
        return run

    def _sheet(self, run, rep):
        return run.sudo().sheet_ids.filtered(lambda s: s.user_id == rep)

    def _line(self, sheet, indicator=None, name=None):
        return sheet.line_ids.filtered(
            lambda line: (indicator and line.indicator == indicator) or (name and line.name == name)
        )
