"""The customers over their credit limit: a searchable list (one grouped subquery),
on the customer's own limit or the company's default one, scoped by the record rules;
the credit-use warning on the same limits."""

from datetime import timedelta

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.sales_policy.tests.test_collection import TODAY

from .test_credit import CreditCommon

OVER = [("sales_policy_credit_over_limit", "=", True)]


@tagged("post_install", "-at_install")
class TestCreditOverLimit(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the company's default credit limit (Invoicing settings) is 1,000
        cls.env["ir.default"].set("res.partner", "credit_limit", 1000.0, company_id=cls.company.id)
        cls.north_b = cls.customer[cls.rep_n1b]
        cls.north_2 = cls.customer[cls.rep_n2]
        cls.south = cls.customer[cls.rep_s1]
        due = TODAY + timedelta(days=30)
        # acme (rep N1a): its own limit of 2,000; 1,500 invoiced, 600 ordered: 2,100, over
        cls._set_limit_cls(cls.acme, 2000.0)
        cls._invoice(cls.rep_n1a, 1500.0, due)
        cls._confirmed_cls(cls.rep_n1a, 600.0)
        # rep N1b's customer: no limit of its own (the default 1,000); 800 invoiced to
        # the company and 300 to a contact of it: 1,100, over
        cls._invoice(cls.rep_n1b, 800.0, due)
        cls._invoice(cls.rep_n1b, 300.0, due, partner=cls.customers[cls.rep_n1b][1])
        # rep N2's customer: its own limit of 5,000 (above the default); 1,200: not over
        cls._set_limit_cls(cls.north_2, 5000.0)
        cls._invoice(cls.rep_n2, 1200.0, due)
        # rep S1's customer: the default 1,000; 1,400 invoiced, 400 paid: 1,000 exactly,
        # at the limit, not over it
        invoice = cls._invoice(cls.rep_s1, 1400.0, due)
        cls._pay(invoice, 400.0, TODAY)

    @classmethod
    def _set_limit_cls(cls, partner, limit):
        partner.with_company(cls.company).sudo().write({"credit_limit": limit})

    @classmethod
    def _confirmed_cls(cls, rep, amount):
        order = cls._order(cls, rep, amount)
        order.sudo().write({"state": "sale"})  # set up: the order is confirmed
        return order

    def _set_default_limit(self, limit):
        """The company's default credit limit, as Invoicing's setting writes it."""
        self.env["ir.default"].set("res.partner", "credit_limit", limit, company_id=self.company.id)

    def _over(self, user, domain=()):
        return self.env["res.partner"].with_user(user).search([*OVER, *domain])

    def test_effective_limits_and_exposures_by_hand(self):
        partners = self.acme | self.north_b | self.north_2 | self.south
        expected = {
            self.acme: (2000.0, 2100.0, True),
            self.north_b: (1000.0, 1100.0, True),
            self.north_2: (5000.0, 1200.0, False),
            self.south: (1000.0, 1000.0, False),
        }
        for partner in partners.with_user(self.finance):
            limit, exposure, over = expected[partner]
            self.assertAlmostEqual(partner.sales_policy_credit_limit, limit, msg=partner.name)
            self.assertAlmostEqual(partner.sales_policy_credit_exposure, exposure, msg=partner.name)
            self.assertEqual(partner.sales_policy_credit_over_limit, over, partner.name)
        # Odoo's own reading: only acme and rep N2's customer have a limit of their own
        self.assertEqual(
            partners.with_company(self.company).filtered("use_partner_credit_limit"),
            self.acme | self.north_2,
        )

    def test_finance_lists_every_customer_over_its_limit(self):
        over = self._over(self.finance, ["|", ("is_company", "=", True), ("parent_id", "=", False)])
        self.assertEqual(over, self.acme | self.north_b)
        # the search agrees with the computed flag, contacts count for their company
        self.assertIn(self.acme_buyer, self._over(self.finance))
        self.assertEqual(
            self.env["res.partner"]
            .with_user(self.finance)
            .search([("sales_policy_credit_over_limit", "=", False), ("id", "in", self.south.ids)]),
            self.south,
        )

    def test_the_list_follows_the_record_rules(self):
        commercial = ["|", ("is_company", "=", True), ("parent_id", "=", False)]
        self.assertEqual(self._over(self.director, commercial), self.acme | self.north_b)
        self.assertEqual(self._over(self.rm_north, commercial), self.acme | self.north_b)
        self.assertEqual(self._over(self.sup_n1, commercial), self.acme | self.north_b)
        self.assertFalse(self._over(self.rm_south, commercial))
        self.assertEqual(self._over(self.rep_n1a, commercial), self.acme)
        self.assertEqual(self._over(self.rep_n1b, commercial), self.north_b)
        self.assertFalse(self._over(self.rep_s1, commercial))

    def test_the_menu_action_lists_commercial_entities_for_finance(self):
        action = self.env.ref("sales_policy_risk.res_partner_action_sales_policy_credit_over_limit")
        menu = self.env.ref("sales_policy_risk.sales_policy_credit_over_limit_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.finance)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.rm_north)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.rep_n1a)._visible_menu_ids())
        domain = safe_eval(action.domain)
        listed = self.env["res.partner"].with_user(self.finance).search(domain)
        self.assertEqual(listed, self.acme | self.north_b)

    def test_a_change_of_the_company_default_moves_the_customers_without_own_limit(self):
        self._set_default_limit(1050.0)
        self.assertEqual(self._over(self.finance, [("id", "in", self.north_b.ids)]), self.north_b)
        self._set_default_limit(1200.0)
        self.assertFalse(self._over(self.finance, [("id", "in", self.north_b.ids)]))
        # 0: no default limit, and a customer without its own limit is never over
        self._set_default_limit(0.0)
        self.assertEqual(self._over(self.finance), self.acme | self.acme.child_ids)

    def test_dropping_the_partner_limit_falls_back_on_the_company_default(self):
        # Odoo's "Partner Limit" unticked: the partner takes the company's default limit
        self.north_2.with_company(self.company).sudo().use_partner_credit_limit = False
        self.assertAlmostEqual(self.north_2.with_company(self.company).sudo().credit_limit, 1000.0)
        self.assertEqual(self._over(self.finance, [("id", "in", self.north_2.ids)]), self.north_2)

    def test_no_credit_limit_in_the_company_no_customer_over(self):
        self.company.account_use_credit_limit = False
        self.assertFalse(self._over(self.finance))
        self.assertFalse(self.acme.with_user(self.finance).sales_policy_credit_over_limit)

    def test_the_list_takes_the_same_queries_for_few_or_many_over(self):
        Partner = self.env["res.partner"].with_user(self.finance)
        Partner.search(OVER)  # warm the ORM caches
        few = self._queries(Partner.search, OVER)
        for rep in (self.rep_n2, self.rep_s1):
            self._invoice(rep, 9000.0, TODAY + timedelta(days=30))
        self.assertEqual(len(Partner.search([*OVER, ("parent_id", "=", False)])), 4)
        many = self._queries(Partner.search, OVER)
        self.assertEqual(few, many)
        self.assertLessEqual(few, 2)

    def test_credit_use_warning_reads_the_company_default_limit(self):
        # rep S1's customer: 1,000 on the default 1,000 (100 %); rep N2's: 1,200 on
        # its own 5,000 (24 %); the warning share is 90 %
        self.company.sales_policy_credit_warning_percent = 90
        rule = self._rule("credit_use")
        rule._run()
        self.assertTrue(self._open_alerts("credit_use", self.south))
        self.assertTrue(self._open_alerts("credit_use", self.north_b))
        self.assertTrue(self._open_alerts("credit_use", self.acme))
        self.assertFalse(self._open_alerts("credit_use", self.north_2))
        # a default of 2,000: rep S1's customer at 50 % is no longer warned
        self._set_default_limit(2000.0)
        candidates = rule._get_candidates()
        self.assertNotIn(self.south.id, candidates)
        self.assertNotIn(self.north_b.id, candidates)  # 1,100 of 2,000: 55 %
        self.assertIn(self.acme.id, candidates)  # its own 2,000: 105 %
