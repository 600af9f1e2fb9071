"""The approval engine on a document of its own (the tester model): hierarchy levels,
role levels, four eyes, order of levels, voiding, rejection, the inbox, over ORM and
JSON-RPC, as the real role users."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sales_policy.tests.common import (
    SalesPolicyCommon,
    SalesPolicyFixtures,
    SalesPolicyRpcMixin,
)


class EngineCase:
    def _doc(self, user, levels, amount=100.0, salesperson=None):
        return (
            self.env["sales.policy.approval.tester"]
            .with_user(user)
            .create(
                {
                    "name": f"Doc of {user.login}",
                    "user_id": (salesperson or user).id,
                    "levels": levels,
                    "amount": amount,
                }
            )
        )

    def _route(self, doc):
        return [
            (s.level, s.approver_id or None, s.group_id)
            for s in doc._policy_approval_current_steps()
        ]

    def _inbox(self, user):
        return self.env["sales.policy.approval"].with_user(user).search([("can_decide", "=", True)])


@tagged("post_install", "-at_install")
class TestApprovalEngine(EngineCase, SalesPolicyCommon):
    def test_hierarchy_levels_decide_in_order(self):
        doc = self._doc(self.rep_n1a, "supervisor,regional_manager,director")
        doc.action_policy_submit()
        self.assertEqual(doc.policy_approval_state, "pending")
        self.assertEqual(
            [(level, approver) for level, approver, _g in self._route(doc)],
            [
                ("supervisor", self.sup_n1),
                ("regional_manager", self.rm_north),
                ("director", self.director),
            ],
        )
        # levels are decided in order: the later ones wait
        for user in (self.rm_north, self.director, self.sup_n2, self.rep_n1a):
            with self.assertRaises(AccessError, msg=user.login):
                doc.with_user(user).action_policy_approve()
        for approver in (self.sup_n1, self.rm_north, self.director):
            self.assertEqual(self._inbox(approver).res_id, doc.id)
            doc.with_user(approver).action_policy_approve()
        self.assertEqual(doc.policy_approval_state, "approved")
        self.assertEqual(doc.approved_count, 1)
        steps = doc._policy_approval_current_steps()
        self.assertEqual(steps.mapped("decided_by_id"), self.sup_n1 | self.rm_north | self.director)

    def test_own_request_escalates_to_the_next_level(self):
        doc = self._doc(self.sup_n1, "supervisor")
        doc.action_policy_submit()
        self.assertEqual(
            [(level, approver) for level, approver, _g in self._route(doc)],
            [("regional_manager", self.rm_north)],
        )

    def test_role_levels_go_to_the_group(self):
        doc = self._doc(self.rep_n1a, "supervisor,legal,finance")
        doc.action_policy_submit()
        self.assertEqual(
            self._route(doc),
            [
                ("supervisor", self.sup_n1, self.env.ref("sales_policy.group_sales_supervisor")),
                ("legal", None, self.env.ref("sales_policy.group_legal")),
                ("finance", None, self.env.ref("sales_policy.group_finance")),
            ],
        )
        with self.assertRaises(AccessError):
            doc.with_user(self.legal).action_policy_approve()  # the supervisor first
        doc.with_user(self.sup_n1).action_policy_approve()
        # the legal level: every legal reviewer is told, any of them decides
        todo = doc.sudo().activity_ids.filtered(lambda a: a.user_id == self.legal)
        self.assertTrue(todo)
        self.assertTrue(doc.with_user(self.legal).policy_approval_can_decide)
        self.assertFalse(doc.with_user(self.finance).policy_approval_can_decide)
        with self.assertRaises(AccessError):
            doc.with_user(self.finance).action_policy_approve()
        doc.with_user(self.legal).action_policy_approve()
        self.assertFalse(todo.exists().filtered("active"), "the legal activity is done")
        self.assertEqual(self._inbox(self.finance).res_id, doc.id)
        doc.with_user(self.finance).action_policy_approve()
        self.assertEqual(doc.policy_approval_state, "approved")

    def test_four_eyes(self):
        legal_finance = new_test_user(
            self.env,
            login="sp_legal_finance",
            groups="sales_policy.group_legal,sales_policy.group_finance",
        )
        doc = self._doc(self.rep_n1a, "legal,finance")
        doc.action_policy_submit()
        doc.with_user(legal_finance).action_policy_approve()
        # who decided the legal level does not decide the finance level of the request
        self.assertFalse(doc.with_user(legal_finance).policy_approval_can_decide)
        self.assertFalse(self._inbox(legal_finance))
        with self.assertRaises(AccessError):
            doc.with_user(legal_finance).action_policy_approve()
        doc.with_user(self.finance).action_policy_approve()
        self.assertEqual(doc.policy_approval_state, "approved")

        # a reviewer never decides on a request of their own, nor as the salesperson
        lawyer_rep = new_test_user(
            self.env,
            login="sp_lawyer_rep",
            groups="sales_policy.group_sales_rep,sales_policy.group_legal",
        )
        own = self._doc(lawyer_rep, "legal")
        own.action_policy_submit()
        other = self._doc(self.rep_n1a, "legal", salesperson=lawyer_rep)
        other.action_policy_submit()
        for doc in (own, other):
            self.assertFalse(doc.with_user(lawyer_rep).policy_approval_can_decide)
            with self.assertRaises(AccessError):
                doc.with_user(lawyer_rep).action_policy_approve()
            doc.with_user(self.legal).action_policy_approve()
            self.assertEqual(doc.policy_approval_state, "approved")

    def test_nobody_to_decide_is_refused_at_submission(self):
        self.legal.active = False
        doc = self._doc(self.rep_n1a, "legal")
        with self.assertRaises(UserError):
            doc.action_policy_submit()
        self.assertEqual(doc.policy_approval_state, "draft")
        self.assertFalse(doc.sudo().policy_approval_ids)

    def test_gap_in_the_chain_falls_back_to_the_group(self):
        self.team_n1.user_id = False
        doc = self._doc(self.rep_n1a, "supervisor")
        doc.action_policy_submit()
        step = doc._policy_approval_pending_step()
        self.assertEqual((step.level, step.approver_id), ("supervisor", self.env["res.users"]))
        self.assertFalse(step.activity_ids, "a gap: the group finds it in its inbox")
        self.assertIn(step, self._inbox(self.sup_s1))
        doc.with_user(self.sup_s1).action_policy_approve()
        self.assertEqual(doc.policy_approval_state, "approved")

    def test_change_voids_the_approval(self):
        doc = self._doc(self.rep_n1a, "supervisor,legal")
        doc.action_policy_submit()
        doc.with_user(self.sup_n1).action_policy_approve()
        doc.write({"amount": 100.0})  # unchanged: nothing happens
        self.assertEqual(doc.policy_approval_state, "pending")
        doc.write({"amount": 150.0})
        self.assertEqual(doc.policy_approval_state, "draft")
        self.assertEqual(doc.voided_count, 1)
        self.assertEqual(set(doc.sudo().policy_approval_ids.mapped("state")), {"voided"})
        self.assertFalse(doc.sudo().policy_approval_ids.activity_ids.exists())
        self.assertIn("Approval voided", doc.message_ids[0].body)
        with self.assertRaises(UserError):
            doc.with_user(self.legal).action_policy_approve()
        # submitted again: a new round, decided again from the first level
        doc.action_policy_submit()
        step = doc._policy_approval_pending_step()
        self.assertEqual((step.round, step.level), (2, "supervisor"))

    def test_rejection_needs_a_reason_and_stops_the_request(self):
        doc = self._doc(self.rep_n1a, "supervisor,regional_manager")
        doc.action_policy_submit()
        with self.assertRaises(UserError):
            doc.with_user(self.sup_n1)._policy_approval_decide("rejected", "  ")
        self.assertEqual(doc.policy_approval_state, "pending")
        doc.with_user(self.sup_n1)._policy_approval_decide("rejected", "Price too low")
        self.assertEqual(doc.policy_approval_state, "rejected")
        steps = doc._policy_approval_current_steps()
        self.assertEqual(steps.mapped("state"), ["rejected", "voided"])
        self.assertEqual(steps[0].comment, "Price too low")
        todo = doc.sudo().activity_ids.filtered(lambda a: a.user_id == self.rep_n1a)
        self.assertTrue(todo, "the requester is told")
        with self.assertRaises(UserError):
            doc.with_user(self.rm_north).action_policy_approve()
        doc.action_policy_submit()
        self.assertEqual(doc.policy_approval_state, "pending")

    def test_approval_data_is_the_engines(self):
        doc = self._doc(self.rep_n1a, "supervisor")
        for vals in (
            {"policy_approval_state": "approved"},
            {"policy_approval_snapshot": {"amount": 1}},
            {"policy_approval_ids": [Command.create({"res_model": doc._name, "res_id": doc.id})]},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                doc.with_user(self.sup_n1).with_context(policy_decision="approved").write(vals)
        with self.assertRaises(AccessError):
            self.env["sales.policy.approval.tester"].with_user(self.rep_n1a).create(
                {"name": "Pre-approved", "policy_approval_state": "approved"}
            )
        doc.action_policy_submit()
        step = doc._policy_approval_pending_step()
        with self.assertRaises(AccessError):
            step.with_user(self.sup_n1).write({"state": "approved"})
        self.assertEqual(doc.policy_approval_state, "pending")

    def test_document_search_on_can_decide(self):
        mine = self._doc(self.rep_n1a, "supervisor")
        other = self._doc(self.rep_s1, "supervisor")
        (mine | other).action_policy_submit()
        Tester = self.env["sales.policy.approval.tester"].with_user(self.sup_n1)
        self.assertEqual(Tester.search([("policy_approval_can_decide", "=", True)]), mine)
        self.assertNotIn(mine, Tester.search([("policy_approval_can_decide", "=", False)]))


@tagged("post_install", "-at_install")
class TestApprovalInboxRpc(EngineCase, SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """Managers, legal and finance decide from the same inbox, over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()

    def test_every_approver_decides_from_one_inbox(self):
        doc = self._doc(self.rep_n1a, "supervisor,legal,finance")
        doc.action_policy_submit()
        for approver in (self.sup_n1, self.legal, self.finance):
            others = (self.sup_n1 | self.legal | self.finance) - approver
            for other in others:
                result = self._execute_kw(
                    other,
                    "sales.policy.approval",
                    "search_read",
                    [[("can_decide", "=", True), ("res_model", "=", doc._name)]],
                    {"fields": ["res_id"]},
                )
                self.assertEqual(result["result"], [], other.login)
            result = self._execute_kw(
                approver,
                "sales.policy.approval",
                "search_read",
                [[("can_decide", "=", True), ("res_model", "=", doc._name)]],
                {"fields": ["res_id", "level"]},
            )
            self.assertEqual([r["res_id"] for r in result["result"]], [doc.id], approver.login)
            # the rep forging a decision over RPC is refused
            forged = self._execute_kw(self.rep_n1a, doc._name, "action_policy_approve", [doc.ids])
            self.assertIn("error", forged)
            answer = self._execute_kw(approver, doc._name, "action_policy_approve", [doc.ids])
            self.assertNotIn("error", answer, approver.login)
        doc.invalidate_recordset()
        self.assertEqual(doc.policy_approval_state, "approved")
