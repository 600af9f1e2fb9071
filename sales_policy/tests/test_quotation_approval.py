from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestQuotationApproval(SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payment_term = cls.env.ref("account.account_payment_term_30days")
        for order in cls.orders.values():
            order.payment_term_id = cls.payment_term

    def _quotation(self, rep, discount=0.0, price=100.0, qty=1.0, partner=None):
        partner = partner or self.customers[rep][0]
        return (
            self.env["sale.order"]
            .with_user(rep)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": rep.id,
                    "payment_term_id": self.payment_term.id,
                    "commitment_date": "2030-01-15 10:00:00",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "discount": discount,
                            }
                        )
                    ],
                }
            )
        )

    def _route(self, order):
        steps = order.sudo().policy_approval_ids.filtered(lambda s: s.state != "voided")
        return [(s.level, s.approver_id) for s in steps.sorted("sequence")]

    # -- routing ------------------------------------------------------------------
    def test_plain_quotation_needs_the_supervisor(self):
        order = self._quotation(self.rep_n1a)
        order.action_policy_submit()
        self.assertEqual(order.policy_approval_state, "pending")
        self.assertEqual(self._route(order), [("supervisor", self.sup_n1)])
        activity = order.sudo().activity_ids.filtered(lambda a: a.user_id == self.sup_n1)
        self.assertTrue(activity, "the approver gets an activity")
        self.assertIn(
            order, order.with_user(self.sup_n1).search([("policy_approval_can_decide", "=", True)])
        )
        self.assertNotIn(
            order, order.with_user(self.sup_n2).search([("policy_approval_can_decide", "=", True)])
        )
        order.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(order.policy_approval_state, "approved")
        self.assertFalse(activity.active, "the activity is done")
        # the approval gate alone (no contract needed below the exemption amount)
        self.company.sales_policy_contract_exempt_amount = 1_000
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_activities_in_the_recipient_language(self):
        """The approver's activity speaks the approver's language, the rejection's the
        requester's, whoever triggered them."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.sup_n1.lang = "zh_CN"
        order = self._quotation(self.rep_n1a)
        order.with_user(self.rep_n1a).action_policy_submit()
        activity = order.sudo().activity_ids.filtered(lambda a: a.user_id == self.sup_n1)
        self.assertEqual(activity.summary, f"审批 {order.name}")
        self.assertIn("请您以", activity.note.unescape())
        self.rep_n1a.lang = "zh_CN"
        self.sup_n1.lang = "en_US"
        order.with_user(self.sup_n1)._policy_approval_decide("rejected", "Price too low")
        rejected = order.sudo().activity_ids.filtered(lambda a: a.user_id == self.rep_n1a)
        self.assertEqual(rejected.summary, "审批被拒绝")

    def test_special_discount_escalates_in_order(self):
        order = self._quotation(self.rep_n1a, discount=15)
        order.action_policy_submit()
        self.assertEqual(
            self._route(order), [("supervisor", self.sup_n1), ("regional_manager", self.rm_north)]
        )
        with self.assertRaises(AccessError):
            order.with_user(self.rm_north).action_policy_approve()  # not its turn yet
        order.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(order.policy_approval_state, "pending")
        order.with_user(self.rm_north).action_policy_approve()
        self.assertEqual(order.policy_approval_state, "approved")

    def test_large_discount_or_amount_goes_to_the_director(self):
        for order in (
            self._quotation(self.rep_s1, discount=25),
            self._quotation(self.rep_s1, price=3_000_000),
        ):
            order.action_policy_submit()
            self.assertEqual(
                self._route(order),
                [
                    ("supervisor", self.sup_s1),
                    ("regional_manager", self.rm_south),
                    ("director", self.director),
                ],
            )

    def test_nobody_approves_their_own_quotation(self):
        own = self._quotation(self.sup_n1, partner=self.customers[self.rep_n1a][0])
        own.action_policy_submit()
        self.assertEqual(self._route(own), [("regional_manager", self.rm_north)])
        rep_order = self._quotation(self.rep_n1a)
        rep_order.action_policy_submit()
        with self.assertRaises(AccessError):
            rep_order.with_user(self.rep_n1a).action_policy_approve()

    def test_gap_in_chain_falls_back_to_the_level_group(self):
        self.team_n2.user_id = False
        order = self._quotation(self.rep_n2)
        order.action_policy_submit()
        step = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "pending")
        self.assertFalse(step.approver_id)
        self.assertEqual(step.group_id, self.env.ref("sales_policy.group_sales_supervisor"))
        with self.assertRaises(AccessError):
            order.with_user(self.rep_n1a).action_policy_approve()
        order.with_user(self.sup_s1).action_policy_approve()
        self.assertEqual(order.policy_approval_state, "approved")

    def test_an_approver_too_late_for_a_level_is_told_who_decided(self):
        """Two supervisors may decide the first level (no team supervisor): the second
        one, coming after the first decided and the request went on to the regional
        manager, is told who decided and what it waits for now."""
        self.team_n2.user_id = False
        order = self._quotation(self.rep_n2, discount=15)
        order.action_policy_submit()
        order.with_user(self.sup_s1).action_policy_approve()
        pending = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "pending")
        self.assertEqual(pending.level, "regional_manager")
        with self.assertRaisesRegex(
            UserError,
            rf"{self.sup_s1.name} already decided .* at level .* \(Approved\); "
            rf"it now waits for {pending.approver_id.name}",
        ):
            order.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(
            order.sudo().policy_approval_ids.filtered("decided_by_id").decided_by_id, self.sup_s1
        )
        # a rep who never was an approver of that level still gets the access refusal
        with self.assertRaisesRegex(AccessError, "You cannot decide"):
            order.with_user(self.rep_n1a).action_policy_approve()

    # -- decisions ----------------------------------------------------------------
    def test_rejection_needs_a_reason_and_can_be_resubmitted(self):
        order = self._quotation(self.rep_n1a)
        order.action_policy_submit()
        with self.assertRaises(UserError):
            order.with_user(self.sup_n1)._policy_approval_decide("rejected", "  ")
        self.assertEqual(order.policy_approval_state, "pending")
        wizard = Form(
            self.env["sales.policy.approval.wizard"]
            .with_user(self.sup_n1)
            .with_context(
                default_res_model="sale.order", default_res_id=order.id, default_decision="rejected"
            )
        )
        wizard.comment = "Price too low for this customer"
        wizard.save().action_confirm()
        self.assertEqual(order.policy_approval_state, "rejected")
        step = order.sudo().policy_approval_ids.filtered(lambda s: s.state == "rejected")
        self.assertEqual(step.decided_by_id, self.sup_n1)
        self.assertEqual(step.comment, "Price too low for this customer")
        self.assertIn(
            "Price too low",
            order.message_ids[:3].mapped("body")[0] + "".join(order.message_ids.mapped("body")),
        )
        order.with_user(self.rep_n1a).action_policy_submit()
        self.assertEqual(order.policy_approval_state, "pending")

    def test_payment_terms_required_before_submitting(self):
        order = self._quotation(self.rep_n1a)
        order.payment_term_id = False
        with self.assertRaisesRegex(UserError, "篇四 §12"):
            order.action_policy_submit()
        self.assertEqual(order.policy_approval_state, "draft")
        self.assertFalse(order.sudo().policy_approval_ids)

    # -- voiding ------------------------------------------------------------------
    def test_change_after_approval_voids_it(self):
        cases = [
            ("price", lambda o: o.order_line.write({"price_unit": 80.0})),
            ("discount", lambda o: o.order_line.write({"discount": 5.0})),
            ("quantity", lambda o: o.order_line.write({"product_uom_qty": 3.0})),
            (
                "new line",
                lambda o: o.write(
                    {"order_line": [Command.create({"product_id": self.product.id})]}
                ),
            ),
            ("removed line", lambda o: o.order_line.unlink()),
            (
                "payment terms",
                lambda o: o.write(
                    {"payment_term_id": self.env.ref("account.account_payment_term_immediate").id}
                ),
            ),
        ]
        for label, change in cases:
            with self.subTest(change=label):
                order = self._quotation(self.rep_n1a)
                order.action_policy_submit()
                order.with_user(self.sup_n1).action_policy_approve()
                change(order.with_user(self.rep_n1a))
                self.assertEqual(order.policy_approval_state, "draft")
                self.assertIn("Approval voided", order.message_ids[0].body)
                with self.assertRaises(UserError):
                    order.with_user(self.rep_n1a).action_confirm()

    def test_unchanged_write_keeps_the_approval(self):
        order = self._quotation(self.rep_n1a)
        order.action_policy_submit()
        order.with_user(self.sup_n1).action_policy_approve()
        order.with_user(self.rep_n1a).write(
            {
                "note": "Delivery via the north gate",
                "order_line": [Command.update(order.order_line.id, {"price_unit": 100.0})],
            }
        )
        self.assertEqual(order.policy_approval_state, "approved")

    def test_copy_of_approved_quotation_is_not_approved(self):
        order = self._quotation(self.rep_n1a)
        order.action_policy_submit()
        order.with_user(self.sup_n1).action_policy_approve()
        copy = order.with_user(self.rep_n1a).copy()
        self.assertEqual(copy.policy_approval_state, "draft")
        self.assertFalse(copy.policy_approval_ids)

    # -- gates and bypass attempts ------------------------------------------------
    def test_unapproved_quotation_cannot_take_effect(self):
        order = self._quotation(self.rep_n1a).with_user(self.rep_n1a)
        with self.assertRaisesRegex(UserError, "not approved"):
            order.action_confirm()
        with self.assertRaises(UserError):
            order.action_quotation_send()
        with self.assertRaises(UserError):
            order.action_quotation_sent()
        with self.assertRaises(UserError):
            order.with_context(mark_so_as_sent=True).message_post(body="Your quotation")
        order.sudo().require_signature = True
        self.assertFalse(order._has_to_be_signed())
        self.assertEqual(order.state, "draft")

    def test_state_cannot_be_written_past_the_gates(self):
        order = self._quotation(self.rep_n1a).with_user(self.rep_n1a)
        self.company.sales_policy_contract_exempt_amount = 1_000
        with self.assertRaises(UserError) as error:
            order.with_context(sales_policy_engine=True).write({"state": "sale"})
        self.assertIn("not approved", str(error.exception))
        self.assertEqual(order.state, "draft")

    def test_confirming_checks_the_gates_once(self):
        """action_confirm checks the gates, then writes the state: the write guard does
        not check them again; a direct write of the state right after still does."""
        approved = self._quotation(self.rep_n1a)
        approved.action_policy_submit()
        approved.with_user(self.sup_n1).action_policy_approve()
        self.company.sales_policy_contract_exempt_amount = 1_000
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder._confirmation_error_message
        checked = []

        def spy(order):
            checked.append(order.id)
            return original(order)

        with patch.object(SaleOrder, "_confirmation_error_message", spy):
            approved.with_user(self.rep_n1a).action_confirm()
            self.assertEqual(approved.state, "sale")
            self.assertEqual(checked, [approved.id])
            other = self._quotation(self.rep_n1a).with_user(self.rep_n1a)
            with self.assertRaises(UserError):
                other.write({"state": "sale"})
        self.assertEqual(checked, [approved.id, other.id])
        self.assertEqual(other.state, "draft")

    def test_requester_cannot_write_approval_data(self):
        order = self._quotation(self.rep_n1a).with_user(self.rep_n1a)
        forged = order.with_context(sales_policy_engine=True, policy_approval_bypass=True)
        for vals in (
            {"policy_approval_state": "approved"},
            {"policy_approval_snapshot": {}},
            {
                "policy_approval_ids": [
                    Command.create(
                        {
                            "res_model": "sale.order",
                            "res_id": order.id,
                            "level": "supervisor",
                            "state": "approved",
                        }
                    )
                ]
            },
        ):
            with self.assertRaises(AccessError):
                forged.write(vals)
        with self.assertRaises(AccessError):
            self.env["sales.policy.approval"].with_user(self.rep_n1a).create(
                {
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "level": "supervisor",
                    "state": "approved",
                }
            )
        order.action_policy_submit()
        step = order.sudo().policy_approval_ids.with_user(self.rep_n1a)
        with self.assertRaises(AccessError):
            step.write({"state": "approved"})
        self.assertEqual(order.policy_approval_state, "pending")
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.rep_n1a).create(
                {
                    "partner_id": self.customers[self.rep_n1a][0].id,
                    "policy_approval_state": "approved",
                }
            )

    def test_print_marks_unapproved_quotation(self):
        order = self._quotation(self.rep_n1a)
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
        self.assertIn(b"NOT APPROVED", html)
        order.action_policy_submit()
        order.with_user(self.sup_n1).action_policy_approve()
        html = Report._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
        self.assertNotIn(b"NOT APPROVED", html)

    def test_discount_must_lie_between_0_and_100(self):
        for discount in (-5.0, 120.0):
            with self.assertRaises(ValidationError):
                self._quotation(self.rep_n1a, discount=discount)


@tagged("post_install", "-at_install")
class TestApprovalMatrix(SalesPolicyCommon):
    def setUp(self):
        super().setUp()
        self.matrix = self.env.ref("sales_policy.approval_matrix_default")

    def _bands(self, matrix):
        return {(b.dimension, b.above, b.up_to): b for b in matrix.band_ids}

    def test_levels_from_the_default_matrix(self):
        levels = self.matrix._levels_for
        self.assertEqual(levels(0, 100), ["supervisor"])
        self.assertEqual(levels(10, 100), ["supervisor"])
        self.assertEqual(levels(10.5, 100), ["supervisor", "regional_manager"])
        self.assertEqual(levels(0, 600_000), ["supervisor", "regional_manager"])
        self.assertEqual(levels(21, 100), ["supervisor", "regional_manager", "director"])
        self.assertEqual(levels(5, 2_500_000), ["supervisor", "regional_manager", "director"])

    def test_overlap_and_gaps_are_refused(self):
        band = self._bands(self.matrix)[("discount", 0, 10)]
        matrix = self.matrix.with_user(self.director)
        for vals, message in (
            ({"up_to": 15}, "overlap"),
            ({"up_to": 8}, "gap"),
            ({"above": 2}, "gap"),
        ):
            # assertRaises (unlike assertRaisesRegex) rolls the failed write back
            with self.assertRaises(ValidationError) as error:
                matrix.write({"band_ids": [Command.update(band.id, vals)]})
            self.assertIn(message, str(error.exception))
        band.invalidate_recordset()
        self.assertEqual((band.above, band.up_to), (0, 10))

    def test_director_edits_the_matrix_a_rep_cannot(self):
        band = self._bands(self.matrix)[("discount", 10, 20)]
        with self.assertRaises(AccessError):
            self.matrix.with_user(self.rep_n1a).write(
                {"band_ids": [Command.update(band.id, {"level": "supervisor"})]}
            )
        with self.assertRaises(AccessError):
            self.matrix.with_user(self.sup_n1).write({"name": "Lax"})
        self.matrix.with_user(self.director).write(
            {"band_ids": [Command.update(band.id, {"level": "director"})]}
        )
        self.assertEqual(
            self.matrix._levels_for(15, 0), ["supervisor", "regional_manager", "director"]
        )
