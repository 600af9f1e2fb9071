import psycopg2

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger


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
