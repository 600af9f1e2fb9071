from odoo import Command
from odoo.tests import tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestHierarchy(SalesPolicyCommon):
    def _chain(self, user):
        return [(level, superior) for level, superior in user._sales_policy_superiors()]

    def test_superiors_of_a_rep(self):
        self.assertEqual(
            self._chain(self.rep_n1a),
            [
                ("supervisor", self.sup_n1),
                ("regional_manager", self.rm_north),
                ("director", self.director),
            ],
        )
        self.assertEqual(self._chain(self.rep_s1)[1], ("regional_manager", self.rm_south))

    def test_superiors_skip_the_user_themself(self):
        # a supervisor has nobody at the supervisor level above them
        chain = dict(self._chain(self.sup_n1))
        self.assertFalse(chain["supervisor"])
        self.assertEqual(chain["regional_manager"], self.rm_north)
        chain = dict(self._chain(self.rm_north))
        self.assertFalse(chain["supervisor"])
        self.assertFalse(chain["regional_manager"])
        self.assertEqual(chain["director"], self.director)
        self.assertFalse(any(user for _level, user in self._chain(self.director)))

    def test_gap_in_chain_is_empty(self):
        self.team_n2.region_id = False
        chain = dict(self._chain(self.rep_n2))
        self.assertEqual(chain["supervisor"], self.sup_n2)
        self.assertFalse(chain["regional_manager"])
        self.assertEqual(chain["director"], self.director)

    def test_scopes(self):
        self.assertEqual(self.rep_n1a._sales_policy_scope(), "own")
        self.assertEqual(self.sup_n1._sales_policy_scope(), "team")
        self.assertEqual(self.assistant_n1._sales_policy_scope(), "team")
        self.assertEqual(self.rm_north._sales_policy_scope(), "region")
        self.assertEqual(self.director._sales_policy_scope(), "all")
        self.assertEqual(self.finance._sales_policy_scope(), "all")

    def test_scope_users(self):
        self.assertEqual(self.rep_n1a._sales_policy_scope_users(), self.rep_n1a)
        self.assertEqual(
            self.sup_n1._sales_policy_scope_users(),
            self.sup_n1 | self.rep_n1a | self.rep_n1b | self.assistant_n1,
        )
        self.assertEqual(
            self.assistant_n1._sales_policy_scope_users(),
            self.sup_n1 | self.rep_n1a | self.rep_n1b | self.assistant_n1,
        )
        self.assertEqual(
            self.rm_north._sales_policy_scope_users(),
            self.rm_north
            | self.sup_n1
            | self.sup_n2
            | self.rep_n1a
            | self.rep_n1b
            | self.assistant_n1
            | self.rep_n2,
        )
        self.assertIn(self.rep_s1, self.director._sales_policy_scope_users())

    def test_moving_a_rep_moves_visibility(self):
        """Changing team membership takes effect on the record rules at once."""
        Order = self.env["sale.order"].with_user(self.sup_s1)
        self.assertNotIn(self.orders[self.rep_n2], Order.search([]))
        self.team_s1.crm_team_member_ids = [Command.create({"user_id": self.rep_n2.id})]
        self.assertIn(self.orders[self.rep_n2], Order.search([]))
