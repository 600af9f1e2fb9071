from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import SalesPolicyCommon, SalesPolicyFixtures, SalesPolicyRpcMixin

ARTICLE = "篇四 §14"
COMMUNICATION = "<p>Mr Wang called on Monday: the project shrank, he needs 8 units at 90.</p>"
#: context keys a user could forge to look like the engine or an internal process
FORGED_CONTEXT = {
    "sales_policy_engine": True,
    "policy_approval_bypass": True,
    "sales_policy_order_change_apply": True,
    "sale_write_from_compute": True,
    "sale_no_log_for_new_lines": True,
    "disable_cancel_warning": True,
    "force_cancel": True,
}


class OrderChangeFixtures:
    @classmethod
    def _setup_order_change(cls):
        cls.payment_term = cls.env.ref("account.account_payment_term_30days")
        cls.product_b = cls.env["product.product"].create(
            {"name": "Card reader", "type": "consu", "list_price": 50.0}
        )
        cls.service = cls.env["product.product"].create(
            {"name": "Installation", "type": "service", "list_price": 300.0}
        )
        for rep in cls.reps:
            cls.customers[rep][0].write({"street": "1 Tianhe Road", "city": "Guangzhou"})
        if "sales_policy_contract_exempt_amount" in cls.company._fields:
            # small orders need no contract (篇四 §13): keep these tests on orders only
            cls.company.sales_policy_contract_exempt_amount = 1_000_000_000
        cls.reason_qty = cls.env.ref("sales_policy.change_reason_customer_quantity")
        cls.reason_cancel = cls.env.ref("sales_policy.change_reason_customer_cancelled")

    def _quotation(self, rep, lines=None, **values):
        lines = lines or [(self.product, 10.0, 100.0), (self.product_b, 5.0, 50.0)]
        return (
            self.env["sale.order"]
            .with_user(rep)
            .create(
                {
                    "partner_id": self.customers[rep][0].id,
                    "user_id": rep.id,
                    "payment_term_id": self.payment_term.id,
                    "commitment_date": fields.Datetime.now() + timedelta(days=10),
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty, "price_unit": price}
                        )
                        for product, qty, price in lines
                    ],
                    **values,
                }
            )
        )

    def _approve_quotation(self, order, rep):
        order.with_user(rep).action_policy_submit()
        approver = order._policy_approval_pending_step().approver_id
        order.with_user(approver).action_policy_approve()

    def _confirmed_order(self, rep=None, lines=None):
        rep = rep or self.rep_n1a
        order = self._quotation(rep, lines)
        self._approve_quotation(order, rep)
        order.with_user(rep).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _request(self, order, user, change_type="change", reason=None, changes=None):
        """File a request as ``user`` through the order's button and the form."""
        if change_type == "change":
            action = order.with_user(user).action_policy_request_change()
        else:
            action = order.with_user(user).action_policy_request_cancel()
        Change = self.env["sales.policy.order.change"].with_user(user)
        form = Form(Change.with_context(**action["context"]))
        form.reason_id = reason or (
            self.reason_qty if change_type == "change" else self.reason_cancel
        )
        form.communication_partner_id = self.customers[order.user_id][1]
        form.customer_communication = COMMUNICATION
        for index, values in (changes or {}).items():
            with form.line_ids.edit(index) as line:
                for fname, value in values.items():
                    setattr(line, fname, value)
        return form.save()

    def _route(self, record):
        steps = record.sudo().policy_approval_ids.filtered(lambda s: s.state != "voided")
        return [(s.level, s.approver_id) for s in steps.sorted("sequence")]

    def _line_values(self, order):
        order.invalidate_recordset()
        return [
            (line.product_uom_qty, line.price_unit, line.discount, line.product_id)
            for line in order.order_line.sorted("id")
        ]


class OrderChangeCommon(OrderChangeFixtures, SalesPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_order_change()


@tagged("post_install", "-at_install")
class TestOrderChange(OrderChangeCommon):
    # -- the workflow, as the real roles -------------------------------------------
    def test_rep_changes_a_confirmed_order_through_an_approved_request(self):
        order = self._confirmed_order()
        request = self._request(
            order, self.rep_n1a, changes={0: {"new_qty": 8.0, "new_price_unit": 90.0}}
        )
        self.assertEqual(request.state, "draft")
        self.assertEqual(request.user_id, self.rep_n1a)
        self.assertEqual(len(request.line_ids), 2, "the form lists the order's lines")
        unchanged = request.line_ids[1]
        self.assertEqual((unchanged.new_qty, unchanged.new_price_unit), (5.0, 50.0))
        self.assertFalse(unchanged.is_changed)
        self.assertTrue(request.line_ids[0].is_changed)
        self.assertAlmostEqual(request.amount_change, 8 * 90 - 10 * 100)

        request.with_user(self.rep_n1a).action_policy_submit()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self._route(request), [("supervisor", self.sup_n1)])
        self.assertTrue(
            request.sudo().activity_ids.filtered(lambda a: a.user_id == self.sup_n1),
            "the supervisor gets an activity",
        )
        self.assertIn("submitted for approval", order.message_ids[0].body)
        self.assertEqual(self._line_values(order)[0][:2], (10.0, 100.0), "nothing applied yet")

        request.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(request.state, "applied")
        self.assertTrue(request.date_applied)
        values = self._line_values(order)
        self.assertEqual(values[0][:3], (8.0, 90.0, 0.0))
        self.assertEqual(values[1][:3], (5.0, 50.0, 0.0), "an unchanged line stays")
        self.assertEqual(order.state, "sale")
        changed = request.line_ids[0]
        self.assertEqual((changed.old_qty, changed.old_price_unit), (10.0, 100.0))
        self.assertTrue(changed.is_changed, "still shown as changed once applied")
        self.assertFalse(request.line_ids[1].is_changed)
        note = order.message_ids.filtered(lambda m: request.name in (m.body or ""))[0].body
        self.assertIn("Order changed after the approval", note)
        self.assertIn(ARTICLE, note)
        self.assertIn("Customer changed the quantity", note)
        self.assertIn("→", note)
        self.assertIn("10.00", note)
        self.assertIn("8.00", note)
        self.assertIn("Mr Wang called", note, "the customer communication is in the trace")
        self.assertNotIn(self.product_b.name, note, "only changed lines are listed")
        self.assertIn("Applied to the order", request.message_ids[0].body)

    def test_rep_cancels_a_confirmed_order_through_an_approved_request(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, change_type="cancel")
        self.assertEqual(request.change_type, "cancel")
        self.assertFalse(request.line_ids, "a cancellation proposes no line")
        request.with_user(self.rep_n1a).action_policy_submit()
        self.assertEqual(order.state, "sale")
        request.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(request.state, "applied")
        self.assertEqual(order.state, "cancel")
        note = order.message_ids.filtered(lambda m: "Order cancelled" in (m.body or ""))
        self.assertTrue(note)
        self.assertIn("Customer no longer needs the goods", note[0].body)
        self.assertIn(ARTICLE, note[0].body)
        self.assertEqual(order.with_user(self.rep_n1a).policy_change_count, 1)

    def test_supervisor_request_escalates_to_the_regional_manager(self):
        order = self._confirmed_order()
        request = self._request(order, self.sup_n1, changes={1: {"new_discount": 5.0}})
        request.with_user(self.sup_n1).action_policy_submit()
        self.assertEqual(self._route(request), [("regional_manager", self.rm_north)])
        with self.assertRaises(AccessError):
            request.with_user(self.sup_n1).action_policy_approve()
        request.with_user(self.rm_north).action_policy_approve()
        self.assertEqual(self._line_values(order)[1][2], 5.0)

    def test_rejection_leaves_the_order_unchanged_and_can_be_resubmitted(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 3.0}})
        request.with_user(self.rep_n1a).action_policy_submit()
        wizard = Form(
            self.env["sales.policy.approval.wizard"]
            .with_user(self.sup_n1)
            .with_context(
                default_res_model=request._name,
                default_res_id=request.id,
                default_decision="rejected",
            )
        )
        wizard.comment = "Call the customer again: 3 units is below the contract minimum"
        wizard.save().action_confirm()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(self._line_values(order)[0][0], 10.0)
        self.assertIn("contract minimum", order.message_ids[0].body)
        request.with_user(self.rep_n1a).line_ids[0].new_qty = 6.0
        request.with_user(self.rep_n1a).action_policy_submit()
        self.assertEqual(request.state, "submitted")

    def test_submission_needs_reason_communication_and_a_sound_change(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 8.0}})
        as_rep = request.with_user(self.rep_n1a)
        cases = [
            ("communication", {"customer_communication": "<p><br></p>"}, "communication"),
            (
                "no change",
                {"line_ids": [Command.update(request.line_ids[0].id, {"new_qty": 10.0})]},
                "no change",
            ),
            ("reason of the other kind", {"reason_id": self.reason_cancel.id}, "does not apply"),
        ]
        for label, vals, message in cases:
            with self.subTest(case=label):
                with self.assertRaises(UserError) as error:
                    as_rep.write(vals)
                    as_rep.action_policy_submit()
                self.assertIn(message, str(error.exception))
                request.invalidate_recordset()
                self.assertEqual(request.state, "draft")
                self.assertFalse(request.sudo().policy_approval_ids)

        # the quantity cannot go below what is delivered
        order.order_line[0].with_user(self.rep_n1a).qty_delivered = 9.0
        with self.assertRaises(UserError) as error:
            as_rep.action_policy_submit()
        self.assertIn("delivered", str(error.exception))

        # one request at a time per order
        order.order_line[0].with_user(self.rep_n1a).qty_delivered = 0.0
        as_rep.action_policy_submit()
        other = self._request(order, self.rep_n1a, change_type="cancel")
        with self.assertRaises(UserError) as error:
            other.with_user(self.rep_n1a).action_policy_submit()
        self.assertIn("one request at a time", str(error.exception))

    def test_proposed_values_are_validated(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a)
        line = request.line_ids[0].with_user(self.rep_n1a)
        for vals in ({"new_qty": -1.0}, {"new_price_unit": -5.0}, {"new_discount": 120.0}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                line.write(vals)
        other_order = self._confirmed_order()
        with self.assertRaises(ValidationError):
            line.write({"order_line_id": other_order.order_line[0].id})
        # a contact of another customer of the rep's …
        second = self.env["res.partner"].create(
            {"name": "Second customer", "is_company": True, "user_id": self.rep_n1a.id}
        )
        with self.assertRaises(ValidationError):
            request.with_user(self.rep_n1a).write({"communication_partner_id": second.id})
        # … and one out of the rep's scope, refused before (篇一 §15)
        with self.assertRaisesRegex(UserError, "not one of the customers you may see"):
            request.with_user(self.rep_n1a).write(
                {"communication_partner_id": self.customers[self.rep_n1b][1].id}
            )

    def test_only_a_confirmed_order_gets_a_request(self):
        quotation = self._quotation(self.rep_n1a)
        with self.assertRaises(UserError):
            quotation.with_user(self.rep_n1a).action_policy_request_change()
        request = (
            self.env["sales.policy.order.change"]
            .with_user(self.rep_n1a)
            .create(
                {
                    "order_id": quotation.id,
                    "change_type": "cancel",
                    "reason_id": self.reason_cancel.id,
                    "customer_communication": COMMUNICATION,
                }
            )
        )
        with self.assertRaises(UserError) as error:
            request.action_policy_submit()
        self.assertIn("not confirmed", str(error.exception))

    def test_a_locked_order_is_not_changed(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, change_type="cancel")
        request.with_user(self.rep_n1a).action_policy_submit()
        order.with_user(self.director).action_lock()
        with self.assertRaises(UserError) as error:
            request.with_user(self.sup_n1).action_policy_approve()
        self.assertIn("locked", str(error.exception))
        self.assertEqual(order.state, "sale")

    def test_editing_a_submitted_request_voids_its_approval(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 8.0}})
        request.with_user(self.rep_n1a).action_policy_submit()
        request.line_ids[0].with_user(self.rep_n1a).new_qty = 2.0
        self.assertEqual(request.state, "draft")
        self.assertIn("Approval voided", request.message_ids[0].body)
        with self.assertRaises(UserError):
            request.with_user(self.sup_n1).action_policy_approve()
        self.assertEqual(self._line_values(order)[0][0], 10.0)

    def test_an_applied_request_is_frozen(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 8.0}})
        request.with_user(self.rep_n1a).action_policy_submit()
        request.with_user(self.sup_n1).action_policy_approve()
        as_rep = request.with_user(self.rep_n1a)
        for change in (
            lambda: as_rep.write(
                {"reason_id": self.env.ref("sales_policy.change_reason_entry_error").id}
            ),
            lambda: as_rep.write({"customer_communication": "<p>Something else</p>"}),
            lambda: as_rep.line_ids[0].write({"new_qty": 1.0}),
            lambda: as_rep.line_ids.unlink(),
            lambda: as_rep.unlink(),
        ):
            with self.assertRaises(UserError):
                change()
        self.assertEqual(request.line_ids[0].new_qty, 8.0)
        draft = self._request(order, self.rep_n1a)
        draft.with_user(self.rep_n1a).unlink()
        self.assertFalse(draft.exists(), "a draft never submitted may be deleted")

    def test_views_load_for_a_rep(self):
        order = self._confirmed_order()
        views = self.env["sale.order"].with_user(self.rep_n1a).get_views([(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn("action_policy_request_change", arch)
        self.assertIn("action_policy_request_cancel", arch)
        Change = self.env["sales.policy.order.change"].with_user(self.rep_n1a)
        Change.get_views([(False, "list"), (False, "form"), (False, "search"), (False, "pivot")])
        action = order.with_user(self.rep_n1a).action_view_policy_changes()
        self.assertEqual(action["domain"], [("order_id", "=", order.id)])

    # -- visibility ----------------------------------------------------------------
    def test_requests_follow_the_salesperson_hierarchy(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, change_type="cancel")
        Change = self.env["sales.policy.order.change"]
        for user in (self.rep_n1a, self.sup_n1, self.assistant_n1, self.rm_north, self.director):
            with self.subTest(user=user.login):
                self.assertIn(request, Change.with_user(user).search([]))
        for user in (self.rep_n1b, self.sup_n2, self.rm_south, self.rep_s1, self.sup_s1):
            with self.subTest(user=user.login):
                self.assertNotIn(request, Change.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    request.with_user(user).read(["name"])

    def test_a_request_needs_the_right_to_work_the_order(self):
        order = self._confirmed_order()
        for user in (self.rep_n1b, self.rep_s1, self.sup_s1):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["sales.policy.order.change"].with_user(user).create(
                    {
                        "order_id": order.id,
                        "change_type": "cancel",
                        "reason_id": self.reason_cancel.id,
                        "customer_communication": COMMUNICATION,
                    }
                )

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Sales Policy B"})
        partner = self.env["res.partner"].create({"name": "Customer B", "company_id": company_b.id})
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company_b.id,
                    "order_line": [Command.create({"product_id": self.service.id})],
                }
            )
        )
        order_b.write({"state": "sale"})
        request_b = self.env["sales.policy.order.change"].create(
            {
                "order_id": order_b.id,
                "change_type": "cancel",
                "reason_id": self.reason_cancel.id,
                "customer_communication": COMMUNICATION,
            }
        )
        self.assertEqual(request_b.company_id, company_b)
        self.assertNotIn(
            request_b, self.env["sales.policy.order.change"].with_user(self.director).search([])
        )

    # -- reasons -------------------------------------------------------------------
    def test_sales_managers_edit_the_reasons(self):
        Reason = self.env["sales.policy.change.reason"]
        self.assertTrue(Reason.with_user(self.rep_n1a).search([("applies_to", "=", "cancel")]))
        with self.assertRaises(AccessError):
            Reason.with_user(self.rep_n1a).create({"name": "I changed my mind"})
        with self.assertRaises(AccessError):
            self.reason_qty.with_user(self.sup_n1).write({"name": "Whatever"})
        reason = Reason.with_user(self.director).create(
            {"name": "Customer merged two orders", "applies_to": "cancel"}
        )
        self.assertEqual(reason.applies_to, "cancel")


@tagged("post_install", "-at_install")
class TestOrderChangeSecurity(OrderChangeCommon):
    """Every direct way around a request is refused on the server (篇四 §14)."""

    def test_nobody_cancels_a_confirmed_order_directly(self):
        order = self._confirmed_order()
        wizard = self.env["sale.mass.cancel.orders"]
        for user in (self.rep_n1a, self.sup_n1, self.director):
            as_user = order.with_user(user)
            attempts = {
                "action_cancel": lambda o: o.action_cancel(),
                "_action_cancel": lambda o: o._action_cancel(),
                "write state cancel": lambda o: o.write({"state": "cancel"}),
                "write state draft": lambda o: o.write({"state": "draft"}),
                "forged context": lambda o: o.with_context(**FORGED_CONTEXT).action_cancel(),
                "mass cancel wizard": lambda o, u=user: (
                    wizard.with_user(u)
                    .create({"sale_order_ids": [Command.set(o.ids)]})
                    .action_mass_cancel()
                ),
            }
            for label, attempt in attempts.items():
                with self.subTest(user=user.login, attempt=label):
                    with self.assertRaises(UserError) as error:
                        attempt(as_user)
                    self.assertIn(ARTICLE, str(error.exception))
                    order.invalidate_recordset()
                    self.assertEqual(order.state, "sale")

    def test_a_quotation_is_still_cancelled_directly(self):
        quotation = self._quotation(self.rep_n1a)
        quotation.with_user(self.rep_n1a).action_cancel()
        self.assertEqual(quotation.state, "cancel")

    def test_nobody_writes_the_lines_of_a_confirmed_order_directly(self):
        order = self._confirmed_order()
        before = self._line_values(order)
        line = order.order_line[0]
        dozen = self.env.ref("uom.product_uom_dozen")
        quotation = self._quotation(self.rep_n1a)
        Line = self.env["sale.order.line"]
        attempts = {
            "quantity": lambda u: line.with_user(u).write({"product_uom_qty": 20.0}),
            "price": lambda u: line.with_user(u).write({"price_unit": 1.0}),
            "discount": lambda u: line.with_user(u).write({"discount": 50.0}),
            "product": lambda u: line.with_user(u).write({"product_id": self.product_b.id}),
            "unit": lambda u: line.with_user(u).write({"product_uom_id": dozen.id}),
            "through the order": lambda u: order.with_user(u).write(
                {"order_line": [Command.update(line.id, {"price_unit": 1.0})]}
            ),
            "forged context": lambda u: (
                line.with_user(u).with_context(**FORGED_CONTEXT).write({"price_unit": 1.0})
            ),
            "new line": lambda u: order.with_user(u).write(
                {"order_line": [Command.create({"product_id": self.product.id, "price_unit": 1.0})]}
            ),
            "fake down payment": lambda u: Line.with_user(u).create(
                {
                    "order_id": order.id,
                    "is_downpayment": True,
                    "product_uom_qty": 0.0,
                    "price_unit": -500.0,
                }
            ),
            "fake re-invoiced cost": lambda u: Line.with_user(u).create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "is_expense": True,
                    "price_unit": -500.0,
                }
            ),
            "disguise as a down payment": lambda u: line.with_user(u).write(
                {"is_downpayment": True}
            ),
            "move the line out": lambda u: line.with_user(u).write({"order_id": quotation.id}),
            "move a line in": lambda u: quotation.order_line.with_user(u).write(
                {"order_id": order.id}
            ),
            "delete a line": lambda u: line.with_user(u).unlink(),
            "delete through the order": lambda u: order.with_user(u).write(
                {"order_line": [Command.delete(line.id)]}
            ),
        }
        for user in (self.rep_n1a, self.director):
            for label, attempt in attempts.items():
                with self.subTest(user=user.login, attempt=label):
                    with self.assertRaises(UserError) as error:
                        attempt(user)
                    self.assertIn(ARTICLE, str(error.exception))
                    self.assertEqual(self._line_values(order), before)
                    self.assertEqual(len(order.order_line), 2)

        # "Update Prices" would reset a negotiated price to the pricelist's
        negotiated = self._confirmed_order(lines=[(self.product, 10.0, 95.0)])
        with self.assertRaises(UserError) as error:
            negotiated.with_user(self.rep_n1a).action_update_prices()
        self.assertIn(ARTICLE, str(error.exception))
        self.assertEqual(self._line_values(negotiated)[0][1], 95.0)

    def test_harmless_writes_on_a_confirmed_order_still_work(self):
        order = self._confirmed_order()
        line = order.order_line[0].with_user(self.rep_n1a)
        line.write({"product_uom_qty": 10.0, "price_unit": 100.0})  # unchanged values
        line.write({"name": "Access controller, wall mounted", "qty_delivered": 4.0})
        order.with_user(self.rep_n1a).write(
            {
                "note": "Deliver through the north gate",
                "order_line": [
                    Command.create({"display_type": "line_note", "name": "Gate code 1234"})
                ],
            }
        )
        self.assertEqual(line.qty_delivered, 4.0)
        self.assertEqual(len(order.order_line), 3)
        # costs re-invoiced by the people who post vendor bills still reach the order
        self.env["sale.order.line"].with_user(self.finance).create(
            {"order_id": order.id, "product_id": self.service.id, "is_expense": True}
        )
        self.assertEqual(len(order.order_line), 4)

    def test_invoicing_a_confirmed_order_still_works(self):
        order = self._confirmed_order()
        Wizard = self.env["sale.advance.payment.inv"].with_user(self.finance)
        context = {"active_model": "sale.order", "active_ids": order.ids, "active_id": order.id}
        down_payment = Wizard.with_context(**context).create(
            {"advance_payment_method": "percentage", "amount": 10.0}
        )
        down_payment.create_invoices()
        dp_lines = order.order_line.filtered(
            lambda sol: sol.is_downpayment and not sol.display_type
        )
        self.assertEqual(len(dp_lines), 1, "the wizard adds its down payment line")
        self.assertEqual(dp_lines.create_uid, self.finance)
        # the wizard's lines get in, as the user, for the length of its call only
        with self.assertRaises(UserError):
            self.env["sale.order.line"].with_user(self.finance).create(
                {
                    "order_id": order.id,
                    "is_downpayment": True,
                    "product_uom_qty": 0.0,
                    "price_unit": -125.0,
                }
            )
        invoice = order.invoice_ids.with_user(self.finance)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(dp_lines.price_unit, 125.0)  # 10 % of 1 250 untaxed
        final = Wizard.with_context(**context).create({"advance_payment_method": "delivered"})
        final.create_invoices()
        final_invoice = order.invoice_ids - invoice
        final_invoice.with_user(self.finance).action_post()
        self.assertEqual(final_invoice.state, "posted")
        self.assertEqual(order.order_line.filtered("product_id")[0].qty_invoiced, 10.0)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_nobody_writes_the_approval_of_a_request(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 1.0}})
        forged = request.with_user(self.rep_n1a).with_context(**FORGED_CONTEXT)
        for vals in (
            {"policy_approval_state": "approved"},
            {"state": "applied"},
            {"date_applied": fields.Datetime.now()},
            {"policy_approval_snapshot": {}},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                forged.write(vals)
        with self.assertRaises(AccessError):
            forged.line_ids[0].write({"old_qty": 99.0})
        with self.assertRaises(AccessError):
            self.env["sales.policy.order.change"].with_user(self.rep_n1a).create(
                {
                    "order_id": order.id,
                    "change_type": "cancel",
                    "reason_id": self.reason_cancel.id,
                    "customer_communication": COMMUNICATION,
                    "policy_approval_state": "approved",
                }
            )
        forged.action_policy_submit()
        with self.assertRaises(AccessError):
            request.sudo().policy_approval_ids.with_user(self.rep_n1a).write({"state": "approved"})
        for user in (self.rep_n1a, self.rep_n1b, self.sup_n2, self.rm_south):
            with self.subTest(approver=user.login), self.assertRaises(AccessError):
                request.with_user(user).action_policy_approve()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self._line_values(order)[0][0], 10.0)


@tagged("post_install", "-at_install")
class TestOrderInformation(OrderChangeCommon):
    """An order is confirmed only with complete information (篇四 §14.1)."""

    def test_goods_need_delivery_date_and_address(self):
        for label, values, message in (
            ("delivery date", {"commitment_date": False}, "the delivery date"),
            ("address", {"partner_shipping_id": None}, "delivery address"),
        ):
            with self.subTest(missing=label):
                if values.get("partner_shipping_id", 1) is None:
                    address = self.env["res.partner"].create(
                        {
                            "name": "Site",
                            "type": "delivery",
                            "parent_id": self.customers[self.rep_n1a][0].id,
                        }
                    )
                    values = {"partner_shipping_id": address.id}
                order = self._quotation(self.rep_n1a, **values)
                self._approve_quotation(order, self.rep_n1a)
                with self.assertRaises(UserError) as error:
                    order.with_user(self.rep_n1a).action_confirm()
                self.assertIn(message, str(error.exception))
                self.assertIn(ARTICLE, str(error.exception))
                self.assertEqual(order.state, "draft")

    def test_complete_order_is_confirmed(self):
        order = self._confirmed_order()
        self.assertEqual(order.state, "sale")

    def test_services_need_no_delivery(self):
        partner = self.customers[self.rep_n1a][0]
        partner.write({"street": False, "city": False})
        order = self._quotation(
            self.rep_n1a, lines=[(self.service, 1.0, 300.0)], commitment_date=False
        )
        self._approve_quotation(order, self.rep_n1a)
        order.with_user(self.rep_n1a).action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestOrderChangeRpc(OrderChangeFixtures, SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """The gates hold over a real JSON-RPC call, whatever context the caller sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_order_change()

    def _assert_refused(self, reply, error_name):
        self.assertIn("error", reply, reply)
        self.assertEqual(reply["error"]["data"]["name"], error_name)

    def test_direct_cancel_and_line_writes_are_refused_over_rpc(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        forged = {"context": FORGED_CONTEXT}
        for method, args in (
            ("action_cancel", [order.ids]),
            ("write", [order.ids, {"state": "cancel"}]),
        ):
            with self.subTest(method=method):
                reply = self._execute_kw(self.rep_n1a, "sale.order", method, args, forged)
                self._assert_refused(reply, "odoo.exceptions.UserError")
                self.assertIn(ARTICLE, reply["error"]["data"]["message"])
        reply = self._execute_kw(
            self.rep_n1a,
            "sale.order.line",
            "write",
            [line.ids, {"product_uom_qty": 1.0, "price_unit": 1.0}],
            forged,
        )
        self._assert_refused(reply, "odoo.exceptions.UserError")
        reply = self._execute_kw(self.rep_n1a, "sale.order", "_action_cancel", [order.ids])
        self.assertIn("error", reply, "private methods are not callable over RPC")
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertEqual((line.product_uom_qty, line.price_unit), (10.0, 100.0))

    def test_approval_of_a_request_cannot_be_forged_over_rpc(self):
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, change_type="cancel")
        forged = {"context": FORGED_CONTEXT}
        for vals in ({"policy_approval_state": "approved"}, {"state": "applied"}):
            reply = self._execute_kw(
                self.rep_n1a, request._name, "write", [request.ids, vals], forged
            )
            self._assert_refused(reply, "odoo.exceptions.AccessError")
        for method in ("_policy_apply", "_on_policy_approved"):
            reply = self._execute_kw(self.rep_n1a, request._name, method, [request.ids], forged)
            self.assertIn("error", reply)
        reply = self._execute_kw(
            self.rep_n1a, request._name, "action_policy_approve", [request.ids], forged
        )
        self.assertIn("error", reply)
        request.invalidate_recordset()
        self.assertEqual(request.state, "draft")
        self.assertEqual(order.state, "sale")
