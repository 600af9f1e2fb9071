from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestVisibility(SalesPolicyCommon):
    """Each role sees the documents of its scope: own / team / region / all."""

    def _visible(self, user, documents):
        """The reps whose document of ``documents`` (a dict rep → record) ``user`` sees."""
        records = self.env[next(iter(documents.values()))._name].browse(
            [rec.id for rec in documents.values()]
        )
        seen = records.with_user(user).search([("id", "in", records.ids)])
        return {rep for rep, rec in documents.items() if rec in seen}

    def _assert_scope(self, user, expected_reps):
        expected = set(expected_reps)
        for name, documents in (
            ("quotations", self.orders),
            ("leads", self.leads),
            ("customer invoices", self.invoices),
        ):
            self.assertEqual(
                self._visible(user, documents),
                expected,
                f"{user.login} sees the wrong {name}",
            )
        lines = {rep: order.order_line for rep, order in self.orders.items()}
        self.assertEqual(self._visible(user, lines), expected, f"{user.login}: order lines")
        customers = {rep: partners[0] for rep, partners in self.customers.items()}
        self.assertEqual(self._visible(user, customers), expected, f"{user.login}: customers")
        contacts = {rep: partners[1] for rep, partners in self.customers.items()}
        self.assertEqual(self._visible(user, contacts), expected, f"{user.login}: contacts")

    def test_rep_sees_own(self):
        self._assert_scope(self.rep_n1a, [self.rep_n1a])
        self._assert_scope(self.rep_s1, [self.rep_s1])

    def test_supervisor_sees_team(self):
        self._assert_scope(self.sup_n1, [self.rep_n1a, self.rep_n1b])
        self._assert_scope(self.sup_n2, [self.rep_n2])

    def test_assistant_sees_team(self):
        self._assert_scope(self.assistant_n1, [self.rep_n1a, self.rep_n1b])

    def test_regional_manager_sees_region(self):
        self._assert_scope(self.rm_north, [self.rep_n1a, self.rep_n1b, self.rep_n2])
        self._assert_scope(self.rm_south, [self.rep_s1])

    def test_director_and_back_office_see_all(self):
        for user in (self.director, self.finance, self.legal, self.contract_admin):
            self._assert_scope(user, self.reps)

    def test_legal_and_contract_admin_read_all_but_write_nothing(self):
        """They review and file every team's contracts: reading all, not editing."""
        for user in (self.legal, self.contract_admin):
            for documents, vals in (
                (self.orders, {"note": "changed"}),
                (self.leads, {"description": "changed"}),
                (self.invoices, {"narration": "changed"}),
            ):
                record = documents[self.rep_s1].with_user(user)
                record.read(["display_name"])
                with self.assertRaises(AccessError, msg=f"{user.login} {record._name}"):
                    record.write(vals)
            line = self.orders[self.rep_n1a].order_line[:1].with_user(user)
            with self.assertRaises(AccessError, msg=user.login):
                line.write({"name": "changed"})

    def test_sales_analysis_follows_scope(self):
        self.env.flush_all()
        Report = self.env["sale.report"]
        reps = Report.with_user(self.sup_n1).search([]).user_id
        self.assertEqual(reps, self.rep_n1a | self.rep_n1b)
        self.assertEqual(Report.with_user(self.rep_s1).search([]).user_id, self.rep_s1)

    def test_rep_cannot_read_or_write_other_team_order(self):
        order = self.orders[self.rep_s1].with_user(self.rep_n1a)
        with self.assertRaises(AccessError):
            order.read(["name"])
        with self.assertRaises(AccessError):
            order.write({"note": "mine now"})

    def test_rep_still_sees_users_companies_and_vendors(self):
        vendor = self.env["res.partner"].create({"name": "Vendor", "supplier_rank": 1})
        Partner = self.env["res.partner"].with_user(self.rep_n1a)
        visible = Partner.search(
            [("id", "in", (vendor | self.company.partner_id | self.rep_s1.partner_id).ids)]
        )
        self.assertEqual(visible, vendor | self.company.partner_id | self.rep_s1.partner_id)
        # and the rep's own partner reads fine
        self.assertTrue(self.rep_n1a.partner_id.with_user(self.rep_n1a).name)

    def test_customer_created_by_rep_is_theirs(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.rep_n1a)
            .create({"name": "New prospect", "is_company": True})
        )
        self.assertEqual(partner.user_id, self.rep_n1a)
        partner.sudo().customer_rank = 1
        partner.invalidate_recordset()
        self.assertTrue(partner.with_user(self.rep_n1a).search([("id", "=", partner.id)]))
        self.assertFalse(partner.with_user(self.rep_s1).search([("id", "=", partner.id)]))

    def test_export_of_customers_only_for_authorised_roles(self):
        partners = self.customers[self.rep_n1a]
        allow_export = self.env.ref("base.group_allow_export")
        self.rep_n1a.group_ids |= allow_export  # even with Odoo's export right
        with self.assertRaisesRegex(UserError, "confidential"):
            partners.with_user(self.rep_n1a).export_data(["name"])
        with self.assertRaises(UserError):
            partners.with_user(self.sup_n1).export_data(["name"])
        for user in (self.director, self.finance):
            rows = partners.with_user(user).export_data(["name"])["datas"]
            self.assertEqual(sorted(r[0] for r in rows), sorted(partners.mapped("name")))
