import psycopg2

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestBulkInsert(TransactionCase):
    """``_sales_policy_bulk_insert`` (the jobs' one-INSERT writer) stores what the ORM's
    create stores for the same values: quotes, backslashes, braces and commas in text,
    NULLs, booleans, translated names."""

    COLUMNS = "name, code, active, sequence, max_days_between_visits, company_id, description"

    def _rows(self, records):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {self.COLUMNS} FROM sales_policy_customer_class WHERE id = ANY(%s) "
            "ORDER BY id",
            [records.ids],
        )
        return self.env.cr.fetchall()

    def test_same_rows_as_the_orm(self):
        Class = self.env["sales.policy.customer.class"].sudo()
        texts = ['Say "A", {B}', "back\\slash, NULL", "NULL", "{,}", "客户 A"]
        vals_list = [
            {
                "name": text,
                "code": f"bulk{i}",
                "active": i % 2 == 0,
                "sequence": i,
                "max_days_between_visits": 30 * i,
                "company_id": self.env.company.id if i % 2 else False,
                "description": text if i % 3 else False,
            }
            for i, text in enumerate(texts)
        ]
        by_orm = Class.with_context(active_test=False).create(vals_list)
        expected = self._rows(by_orm)
        by_orm.unlink()
        inserted = Class._sales_policy_bulk_insert(vals_list)
        self.assertEqual(len(inserted), len(texts))
        self.assertEqual(self._rows(inserted), expected)
        self.assertEqual(inserted.mapped("code"), [vals["code"] for vals in vals_list])
        self.assertFalse(Class._sales_policy_bulk_insert([]))


@tagged("post_install", "-at_install")
class TestExecuteWithoutJit(TransactionCase):
    """``_sales_policy_execute_without_jit`` (the large aggregates of the figures) runs
    the query with JIT compilation off and leaves the transaction's setting as it was."""

    def _jit(self):
        self.env.cr.execute("SELECT current_setting('jit')")
        return self.env.cr.fetchone()[0]

    def test_rows_without_jit_then_setting_restored(self):
        Base = self.env["res.partner"]
        query = SQL("SELECT current_setting('jit'), %s::int + 1", 41)
        for setting in ("on", "off"):
            self.env.cr.execute(SQL("SET LOCAL jit = %s", SQL(setting)))
            self.assertEqual(Base._sales_policy_execute_without_jit(query), [("off", 42)])
            self.assertEqual(self._jit(), setting)

    def test_failed_query_rolled_back_with_its_setting(self):
        self.env.cr.execute("SET LOCAL jit = on")
        with self.assertRaises(psycopg2.errors.DivisionByZero), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env["res.partner"]._sales_policy_execute_without_jit(SQL("SELECT 1 / 0"))
        self.assertEqual(self._jit(), "on")
