from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestInbox(SalesPolicyCommon):
    """The approvals inbox decides with context; the quotation shows what it lacks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payment_term = cls.env.ref("account.account_payment_term_30days")

    def _quotation(self, rep, discount=12.0):
        return (
            self.env["sale.order"]
            .with_user(rep)
            .create(
                {
                    "partner_id": self.customers[rep][0].id,
                    "user_id": rep.id,
                    "payment_term_id": self.payment_term.id,
                    "commitment_date": "2030-01-15 10:00:00",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "price_unit": 100.0,
                                "discount": discount,
                            }
                        )
                    ],
                }
            )
        )

    def _inbox(self, user):
        return self.env["sales.policy.approval"].with_user(user).search([("can_decide", "=", True)])

    def test_inbox_shows_the_document_in_context(self):
        order = self._quotation(self.rep_n1a)
        order.action_policy_submit()
        step = self._inbox(self.sup_n1).filtered(lambda s: s.res_id == order.id)
        self.assertEqual(step.partner_id, self.customers[self.rep_n1a][0])
        self.assertEqual(step.amount, order.amount_total)
        self.assertEqual(step.discount, 12.0)
        self.assertEqual(step.requested_by_id, self.rep_n1a)
        self.assertEqual(step.levels_remaining, len(order.sudo().policy_approval_ids) - 1)
        self.assertTrue(step.document_type)

    def test_approve_several_from_the_inbox_with_a_comment(self):
        orders = self.env["sale.order"]
        for rep in (self.rep_n1a, self.rep_n1b):
            order = self._quotation(rep, discount=0)
            order.action_policy_submit()
            orders |= order.with_env(self.env)
        steps = self._inbox(self.sup_n1).filtered(lambda s: s.res_id in orders.ids)
        self.assertEqual(len(steps), 2)
        action = steps.with_context(policy_decision="approved").action_decide()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.sup_n1).with_context(**action["context"])
        )
        wizard.comment = "Prices checked against the list."
        wizard.save().action_confirm()
        self.assertEqual(set(orders.mapped("policy_approval_state")), {"approved"})
        self.assertEqual(
            set(orders.sudo().policy_approval_ids.mapped("comment")),
            {"Prices checked against the list."},
        )

    def test_waiting_since_is_when_the_level_became_pending(self):
        """The inbox's "Waiting Since" is the step's own pending date: the submission for
        the first level, the previous level's approval for the next one."""
        with freeze_time("2030-01-02 09:00:00"):
            order = self._quotation(self.rep_n1a, discount=12.0)  # supervisor, then RM
            order.action_policy_submit()
        with freeze_time("2030-01-05 16:30:00"):
            order.with_user(self.sup_n1).action_policy_approve()
        first, second = order.sudo().policy_approval_ids.sorted("sequence")[:2]
        self.assertEqual((first.level, second.level), ("supervisor", "regional_manager"))
        self.assertEqual(str(first.pending_since), "2030-01-02 09:00:00")
        self.assertEqual(str(second.request_date), "2030-01-02 09:00:00")
        self.assertEqual(str(second.pending_since), "2030-01-05 16:30:00")
        step = self._inbox(self.rm_north).filtered(lambda s: s.res_id == order.id)
        self.assertEqual(step, second)
        # the inbox's column is the step's pending date, not the submission date
        arch = step.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="pending_since"', arch)
        self.assertNotIn('name="request_date"', arch)

    def test_inbox_refuses_a_step_not_mine(self):
        order = self._quotation(self.rep_n1a, discount=0)
        order.action_policy_submit()
        # the regional manager sees the step (region scope), but it is the supervisor's
        step = order.sudo().policy_approval_ids.with_user(self.rm_north)
        wizard = (
            self.env["sales.policy.approval.wizard"]
            .with_user(self.rm_north)
            .create({"approval_ids": [Command.set(step.ids)], "decision": "approved"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(order.policy_approval_state, "pending")

    def test_quotation_shows_what_is_missing_to_confirm(self):
        order = self._quotation(self.rep_n1a, discount=0)
        order.sudo().write({"payment_term_id": False, "commitment_date": False})
        order.partner_shipping_id.sudo().street = False
        missing = order.with_user(self.rep_n1a).policy_confirm_missing
        for label in ("approval", "payment terms", "delivery address", "delivery date"):
            self.assertIn(label, missing)
        # the fields to fill are on the rep's form
        arch = order.with_user(self.rep_n1a).get_views([(False, "form")])["views"]["form"]["arch"]
        for field in ("payment_term_id", "partner_shipping_id", "commitment_date"):
            self.assertIn(f'name="{field}"', arch)

    def test_reps_see_line_discounts_and_the_last_band_has_no_limit(self):
        self.assertTrue(self.rep_n1a.has_group("sale.group_discount_per_so_line"))
        band = self.env["sales.policy.approval.matrix.band"].new({"above": 20.0, "up_to": 0.0})
        self.assertIn("no upper limit", band.display_name)
