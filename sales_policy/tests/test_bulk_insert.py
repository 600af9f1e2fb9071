from odoo.tests import TransactionCase, tagged


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
