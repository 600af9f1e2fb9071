import base64
import itertools
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesPolicyCommon

#: The finance audit: the last level of every sales expense, any finance user deciding.
FINANCE = ("finance", None)

_receipt_numbers = itertools.count(1)


@tagged("post_install", "-at_install")
class TestExpense(SalesPolicyCommon):
    """Sales expense budgets and reimbursement (篇四 §17–18) on Odoo's Expenses app."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hr_admin = cls.env.ref("base.user_admin")
        cls.plain_user = new_test_user(cls.env, login="sp_plain", groups="base.group_user")
        cls.employees = {
            user: cls.env["hr.employee"].create(
                {"name": user.name, "user_id": user.id, "company_id": cls.company.id}
            )
            for user in (
                cls.rep_n1a,
                cls.rep_n1b,
                cls.rep_n2,
                cls.rep_s1,
                cls.sup_n1,
                cls.rm_north,
                cls.rm_south,
                cls.director,
                cls.finance,
                cls.plain_user,
            )
        }
        cls.employees[cls.plain_user].expense_manager_id = cls.hr_admin
        cls.travel = cls.env.ref("sales_policy.expense_category_travel")
        cls.entertainment = cls.env.ref("sales_policy.expense_category_entertainment")
        cls.marketing = cls.env.ref("sales_policy.expense_category_marketing")

        def product(name):
            return cls.env["product.product"].create(
                {"name": name, "type": "service", "can_be_expensed": True, "standard_price": 0.0}
            )

        cls.taxi = product("Taxi")
        cls.dinner = product("Customer dinner")
        cls.stationery = product("Stationery")  # in no budget category
        cls.travel.product_ids = [Command.link(cls.taxi.id)]
        cls.entertainment.product_ids = [Command.link(cls.dinner.id)]
        cls.company.sales_policy_expense_over_budget = "escalate"
        cls.year = fields.Date.context_today(cls.env.user).year
        cls.budget_n1 = cls._approved_budget(
            cls.team_n1, {cls.travel: 1000.0, cls.entertainment: 500.0}
        )

    # ------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------
    @classmethod
    def _budget(cls, team, amounts, year=None, user=None):
        return (
            cls.env["sales.policy.budget"]
            .with_user(user or team.user_id)
            .create(
                {
                    "team_id": team.id,
                    "year": year or cls.year,
                    "line_ids": [
                        Command.create({"category_id": category.id, "amount": amount})
                        for category, amount in amounts.items()
                    ],
                }
            )
        )

    @classmethod
    def _approved_budget(cls, team, amounts, year=None):
        budget = cls._budget(team, amounts, year=year)
        budget.action_policy_submit()
        budget.with_user(cls.director).action_policy_approve()
        return budget

    def _expense(self, user, product, amount, receipt=True):
        expense = (
            self.env["hr.expense"]
            .with_user(user)
            .create(
                {
                    "name": f"{product.name} {amount}",
                    "product_id": product.id,
                    "total_amount_currency": amount,
                    "employee_id": self.employees[user].id,
                }
            )
        )
        if receipt:
            self._attach_receipt(expense, user)
        return expense

    def _attach_receipt(self, expense, user):
        self.env["ir.attachment"].with_user(user).create(
            {
                "name": "receipt.pdf",
                "datas": base64.b64encode(b"receipt %d" % next(_receipt_numbers)),
                "res_model": "hr.expense",
                "res_id": expense.id,
            }
        )

    def _submitted(self, user, product, amount):
        expense = self._expense(user, product, amount)
        expense.action_submit()
        return expense

    def _approved(self, user, product, amount):
        expense = self._submitted(user, product, amount)
        for _step in range(3):
            if expense.state != "submitted":
                break
            approver = expense.sudo()._policy_approval_pending_step().approver_id
            expense.with_user(approver).action_approve()
        self.assertEqual(expense.state, "approved")
        return expense

    def _route(self, expense):
        steps = expense.sudo().policy_approval_ids.filtered(lambda s: s.state != "voided")
        return [(s.level, s.approver_id or None) for s in steps.sorted("sequence")]

    def _line(self, budget, category):
        return budget.line_ids.filtered(lambda line: line.category_id == category)

    def _post(self, expense, user):
        action = expense.with_user(user).action_post()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .browse(action["res_id"])
        )
        wizard.action_post_entry()

    # ------------------------------------------------------------------------------
    # Reimbursement approval (篇四 §6.6, §18)
    # ------------------------------------------------------------------------------
    def test_rep_expense_is_approved_by_the_regional_manager(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 120.0)
        self.assertTrue(expense.sales_policy_is_sales)
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(expense.manager_id, self.rm_north)
        self.assertEqual(expense.sales_policy_team_id, self.team_n1)
        self.assertEqual(self._route(expense), [("regional_manager", self.rm_north), FINANCE])
        activity = expense.sudo().activity_ids.filtered(lambda a: a.user_id == self.rm_north)
        self.assertEqual(len(activity), 1, "one activity for the approver, not two")
        self.assertTrue(expense.with_user(self.rm_north).can_approve)
        self.assertFalse(expense.with_user(self.sup_n1).can_approve)
        expense.with_user(self.rm_north).action_approve()
        self.assertEqual(expense.state, "approved")
        # the managers approved: finance audits next (the engine's last level)
        self.assertEqual(expense.policy_approval_state, "pending")
        self.assertEqual(expense._policy_approval_pending_step().level, "finance")
        self.assertEqual(expense.manager_id, self.rm_north)
        self.assertFalse(activity.exists() and activity.active, "the activity is done")

    def test_nobody_else_approves_a_sales_expense(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 120.0)
        for user in (self.sup_n1, self.rm_south, self.finance, self.hr_admin):
            with self.assertRaises(UserError, msg=user.login):  # AccessError is one too
                expense.with_user(user).action_approve()
            with self.assertRaises(AccessError, msg=user.login):
                expense.with_user(user).action_policy_approve()
        # the director is above, not the regional manager: not his turn
        with self.assertRaises(AccessError):
            expense.with_user(self.director).action_policy_approve()
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(expense._policy_approval_pending_step().level, "regional_manager")

    def test_rep_cannot_approve_own_expense(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 120.0)
        with self.assertRaises(UserError) as cm:
            expense.with_user(self.rep_n1a).action_approve()
        self.assertIn("your own expense", str(cm.exception))
        with self.assertRaises(AccessError):
            expense.with_user(self.rep_n1a).action_policy_approve()
        with self.assertRaises(AccessError):
            expense.with_user(self.rep_n1a).write({"approval_state": "approved"})
        with self.assertRaises(AccessError):
            expense.with_user(self.rep_n1a).write({"policy_approval_state": "approved"})
        self.assertEqual(expense.state, "submitted")

    def test_direct_approval_state_writes_are_refused(self):
        draft = self._expense(self.rep_n1a, self.taxi, 50.0)
        with self.assertRaises(AccessError):
            draft.with_user(self.rep_n1a).write({"approval_state": "submitted"})
        expense = self._submitted(self.rep_n1a, self.taxi, 50.0)
        with self.assertRaises(AccessError):
            expense.with_user(self.rm_north).write({"approval_state": "approved"})
        with self.assertRaises(AccessError):
            self.env["hr.expense"].with_user(self.rep_n1a).create(
                {
                    "name": "Pre-approved",
                    "product_id": self.taxi.id,
                    "total_amount_currency": 10.0,
                    "employee_id": self.employees[self.rep_n1a].id,
                    "approval_state": "approved",
                }
            )
        self.assertEqual(draft.state, "draft")
        self.assertEqual(expense.state, "submitted")

    def test_supervisor_expense_goes_to_the_regional_manager(self):
        expense = self._submitted(self.sup_n1, self.taxi, 80.0)
        self.assertEqual(self._route(expense), [("regional_manager", self.rm_north), FINANCE])
        self.assertEqual(expense.sales_policy_team_id, self.team_n1)

    def test_regional_manager_expense_goes_to_the_director(self):
        expense = self._submitted(self.rm_north, self.stationery, 80.0)
        self.assertEqual(self._route(expense), [("director", self.director), FINANCE])
        self.assertEqual(expense.manager_id, self.director)
        with self.assertRaises(UserError):
            expense.with_user(self.rm_north).action_approve()
        expense.with_user(self.director).action_approve()
        self.assertEqual(expense.state, "approved")

    def test_gap_in_the_chain_falls_back_to_the_group(self):
        self.region_south.manager_id = False
        expense = self._submitted(self.rep_s1, self.stationery, 30.0)
        step = expense._policy_approval_pending_step()
        self.assertEqual(step.level, "regional_manager")
        self.assertFalse(step.approver_id)
        self.assertFalse(expense.manager_id)
        self.assertTrue(expense.with_user(self.rm_north).policy_approval_can_decide)
        expense.with_user(self.rm_north).action_approve()
        self.assertEqual(expense.state, "approved")

    def test_receipt_is_required(self):
        expense = self._expense(self.rep_n1a, self.taxi, 60.0, receipt=False)
        with self.assertRaises(UserError) as cm:
            expense.with_user(self.rep_n1a).action_submit()
        self.assertIn("receipt", str(cm.exception))
        self.assertIn("篇四 §18", str(cm.exception))
        self.assertEqual(expense.state, "draft")
        self.assertFalse(expense.sudo().policy_approval_ids)
        # the engine's own entry point goes through the same checks
        with self.assertRaises(UserError):
            expense.with_user(self.rep_n1a).action_policy_submit()
        self._attach_receipt(expense, self.rep_n1a)
        expense.with_user(self.rep_n1a).action_policy_submit()
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(expense.sales_policy_team_id, self.team_n1)

    def test_regional_manager_refuses_with_reason(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 70.0)
        wizard = (
            self.env["hr.expense.refuse.wizard"]
            .with_user(self.rm_north)
            .with_context(active_ids=expense.ids)
            .create({"reason": "Not a business trip"})
        )
        wizard.action_refuse()
        self.assertEqual(expense.state, "refused")
        step = expense.sudo().policy_approval_ids.filtered(lambda s: s.level != "finance")
        self.assertEqual(step.state, "rejected")
        self.assertEqual(step.decided_by_id, self.rm_north)
        self.assertEqual(step.comment, "Not a business trip")

    def test_rejection_through_the_approval_dialog_refuses_the_expense(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 70.0)
        self.env["sales.policy.approval.wizard"].with_user(self.rm_north).create(
            {
                "res_model": "hr.expense",
                "res_id": expense.id,
                "decision": "rejected",
                "comment": "Duplicate claim",
            }
        ).action_confirm()
        self.assertEqual(expense.state, "refused")
        self.assertEqual(expense.policy_approval_state, "rejected")

    def test_approval_with_a_comment_from_the_inbox(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 70.0)
        inbox = self.env["sales.policy.approval"].with_user(self.rm_north)
        mine = [("can_decide", "=", True), ("res_model", "=", "hr.expense")]
        step = inbox.search([*mine, ("res_id", "=", expense.id)])
        action = step.with_context(policy_decision="approved").action_decide()
        self.env["sales.policy.approval.wizard"].with_user(self.rm_north).with_context(
            **action["context"]
        ).create({"comment": "Client visit confirmed."}).action_confirm()
        self.assertEqual(expense.state, "approved")
        self.assertEqual(step.sudo().comment, "Client visit confirmed.")

    def test_sales_manager_of_another_team_cannot_refuse(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 70.0)
        with self.assertRaises(UserError):
            expense.with_user(self.rm_south).action_refuse()
        self.assertEqual(expense.state, "submitted")

    def test_reset_withdraws_the_approval(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 70.0)
        expense.with_user(self.rep_n1a).action_reset()
        self.assertEqual(expense.state, "draft")
        self.assertEqual(expense.policy_approval_state, "draft")
        self.assertEqual(set(expense.sudo().policy_approval_ids.mapped("state")), {"voided"})
        expense.with_user(self.rep_n1a).action_submit()
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(len(expense.sudo().policy_approval_ids), 4)

    def test_change_after_approval_voids_it(self):
        expense = self._approved(self.rep_n1a, self.taxi, 70.0)
        expense.with_user(self.rm_north).write({"total_amount_currency": 90.0})
        self.assertEqual(expense.state, "draft")
        self.assertEqual(expense.policy_approval_state, "draft")
        self.assertFalse(expense.approval_state)

    # ------------------------------------------------------------------------------
    # Finance audit (篇四 §18.3)
    # ------------------------------------------------------------------------------
    def test_finance_audits_before_posting(self):
        expense = self._approved(self.rep_n1a, self.taxi, 150.0)
        with self.assertRaises(UserError) as cm:
            expense.with_user(self.finance).action_post()
        self.assertIn("audit", str(cm.exception))
        self.assertEqual(expense.state, "approved")
        for user in (self.rep_n1a, self.rm_north, self.director):
            with self.assertRaises(AccessError, msg=user.login):
                expense.with_user(user).action_sales_policy_audit()
        with self.assertRaises(AccessError):
            expense.with_user(self.rep_n1a).write({"sales_policy_audited": True})
        self.assertFalse(expense.sales_policy_audited)
        expense.with_user(self.finance).action_sales_policy_audit()
        self.assertTrue(expense.sales_policy_audited)
        self.assertEqual(expense.sales_policy_audited_by_id, self.finance)
        self._post(expense, self.finance)
        self.assertEqual(expense.state, "posted")
        self.assertEqual(self._line(self.budget_n1, self.travel).used, 150.0)

    def test_posting_wizard_cannot_bypass_the_audit(self):
        expense = self._approved(self.rep_n1a, self.taxi, 150.0)
        wizard = (
            self.env["hr.expense.post.wizard"]
            .with_user(self.finance)
            .with_context(active_ids=expense.ids)
            .create({})
        )
        with self.assertRaises(UserError):
            wizard.action_post_entry()
        self.assertEqual(expense.state, "approved")
        self.assertFalse(expense.account_move_id)

    def test_finance_cannot_audit_own_expense(self):
        finance_rep = new_test_user(
            self.env,
            login="sp_finance_rep",
            groups="sales_policy.group_sales_rep,sales_policy.group_finance",
        )
        self.team_n1.crm_team_member_ids = [Command.create({"user_id": finance_rep.id})]
        self.employees[finance_rep] = self.env["hr.employee"].create(
            {"name": "Finance rep", "user_id": finance_rep.id}
        )
        expense = self._approved(finance_rep, self.taxi, 40.0)
        with self.assertRaises(AccessError):
            expense.with_user(finance_rep).action_sales_policy_audit()
        self.assertFalse(expense.sales_policy_audited)
        expense.with_user(self.finance).action_sales_policy_audit()
        self.assertTrue(expense.sales_policy_audited)

    def test_finance_refuses_at_audit(self):
        expense = self._approved(self.rep_n1a, self.taxi, 90.0)
        with self.assertRaises(UserError):
            expense.with_user(self.rm_north).action_refuse()
        self.env["hr.expense.refuse.wizard"].with_user(self.finance).with_context(
            active_ids=expense.ids
        ).create({"reason": "Invoice is not valid"}).action_refuse()
        self.assertEqual(expense.state, "refused")
        self.assertEqual(expense.policy_approval_state, "rejected")
        audit = expense.sudo().policy_approval_ids.filtered(lambda s: s.level == "finance")
        self.assertEqual((audit.state, audit.decided_by_id), ("rejected", self.finance))
        self.assertEqual(audit.comment, "Invoice is not valid")
        self.assertEqual(self._line(self.budget_n1, self.travel).used, 0.0)

    # ------------------------------------------------------------------------------
    # Budget use and over-budget claims (篇四 §17)
    # ------------------------------------------------------------------------------
    def test_budget_used_and_remaining(self):
        line = self._line(self.budget_n1, self.travel)
        self.assertEqual(line.used, 0.0)
        self._approved(self.rep_n1a, self.taxi, 300.0)
        self._approved(self.rep_n1b, self.taxi, 200.0)
        self._submitted(self.rep_n1a, self.taxi, 50.0)  # not approved: not used
        self._approved(self.rep_n2, self.taxi, 40.0)  # another team
        self._approved(self.rep_n1a, self.dinner, 60.0)  # another category
        self.budget_n1.invalidate_recordset()
        line.invalidate_recordset()
        self.assertEqual(line.used, 500.0)
        self.assertEqual(line.remaining, 500.0)
        self.assertEqual(line.used_rate, 50.0)
        self.assertEqual(self.budget_n1.amount_total, 1500.0)
        self.assertEqual(self.budget_n1.used_total, 560.0)
        self.assertEqual(self.budget_n1.remaining_total, 940.0)
        claim = self._expense(self.rep_n1a, self.taxi, 100.0)
        self.assertEqual(claim.sales_policy_budget_amount, 1000.0)
        self.assertEqual(claim.sales_policy_budget_used, 500.0)
        self.assertEqual(claim.sales_policy_budget_remaining, 500.0)
        self.assertFalse(claim.sales_policy_over_budget)
        claim.total_amount_currency = 600.0
        self.assertTrue(claim.sales_policy_over_budget)

    def test_used_amounts_take_one_query_for_all_budgets(self):
        budgets = self.budget_n1
        for team in (self.team_n2, self.team_s1):
            budgets |= self._approved_budget(team, {self.travel: 100.0, self.marketing: 50.0})
        budgets |= self._approved_budget(self.team_n1, {self.travel: 10.0}, year=self.year - 1)
        self._approved(self.rep_n1a, self.taxi, 30.0)
        self._approved(self.rep_s1, self.taxi, 20.0)

        def queries(records):
            records.invalidate_model()
            self.env["sales.policy.budget.line"].invalidate_model()
            before = self.env.cr.sql_log_count
            records.mapped("used_total")
            return self.env.cr.sql_log_count - before

        Budget = self.env["sales.policy.budget"]
        queries(Budget.browse(budgets.ids))  # warm the caches that are not ours
        one, four = queries(Budget.browse(budgets[0].id)), queries(Budget.browse(budgets.ids))
        self.assertEqual(one, four, "the used amounts of N budgets cost the queries of one")
        Line = type(self.env["sales.policy.budget.line"])
        grouped = Line._sales_policy_used_amounts
        calls = []

        def spy(model, keys):
            calls.append(set(keys))
            return grouped(model, keys)

        with patch.object(Line, "_sales_policy_used_amounts", spy):
            queries(Budget.browse(budgets.ids))
        self.assertEqual(len(calls), 1, "one grouped query for all the budgets")
        self.assertEqual(len(calls[0]), len(budgets.line_ids))
        used = {b.team_id: b.used_total for b in budgets if b.year == self.year}
        self.assertEqual(used, {self.team_n1: 30.0, self.team_n2: 0.0, self.team_s1: 20.0})

    def test_over_budget_claim_is_blocked(self):
        self.company.sales_policy_expense_over_budget = "block"
        self._approved(self.rep_n1a, self.taxi, 900.0)
        expense = self._expense(self.rep_n1b, self.taxi, 200.0)
        with self.assertRaises(UserError) as cm:
            expense.with_user(self.rep_n1b).action_submit()
        self.assertIn("篇四 §17", str(cm.exception))
        self.assertIn("exceeds", str(cm.exception))
        self.assertEqual(expense.state, "draft")
        self.assertFalse(expense.sudo().policy_approval_ids)
        within = self._submitted(self.rep_n1b, self.taxi, 100.0)
        self.assertEqual(self._route(within), [("regional_manager", self.rm_north), FINANCE])

    def test_block_rechecks_the_budget_at_approval(self):
        self.company.sales_policy_expense_over_budget = "block"
        first = self._submitted(self.rep_n1a, self.taxi, 600.0)
        second = self._submitted(self.rep_n1b, self.taxi, 600.0)
        first.with_user(self.rm_north).action_approve()
        with self.assertRaises(UserError):
            second.with_user(self.rm_north).action_approve()
        self.assertEqual(second.state, "submitted")

    def test_over_budget_claim_escalates_to_the_director(self):
        expense = self._submitted(self.rep_n1a, self.taxi, 1200.0)
        self.assertTrue(expense.sales_policy_budget_escalated)
        self.assertEqual(
            self._route(expense),
            [("regional_manager", self.rm_north), ("director", self.director), FINANCE],
        )
        with self.assertRaises(AccessError):
            expense.with_user(self.director).action_policy_approve()  # after the RM
        expense.with_user(self.rm_north).action_approve()
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(expense.manager_id, self.director)
        self.assertTrue(expense.with_user(self.director).can_approve)
        expense.with_user(self.director).action_approve()
        self.assertEqual(expense.state, "approved")
        self.assertEqual(self._line(self.budget_n1, self.travel).used, 1200.0)

    def test_claim_without_approved_budget_escalates(self):
        expense = self._submitted(self.rep_s1, self.dinner, 10.0)
        self.assertTrue(expense.sales_policy_over_budget)
        self.assertFalse(expense.sales_policy_budget_found)
        self.assertEqual(
            self._route(expense),
            [("regional_manager", self.rm_south), ("director", self.director), FINANCE],
        )

    def test_expense_outside_the_budget_categories_is_not_budget_controlled(self):
        expense = self._submitted(self.rep_s1, self.stationery, 5000.0)
        self.assertFalse(expense.sales_policy_category_id)
        self.assertFalse(expense.sales_policy_over_budget)
        self.assertEqual(self._route(expense), [("regional_manager", self.rm_south), FINANCE])

    def test_expenses_outside_the_sales_line_keep_odoos_flow(self):
        expense = self._expense(self.plain_user, self.taxi, 20.0, receipt=False)
        self.assertFalse(expense.sales_policy_is_sales)
        expense.with_user(self.plain_user).action_submit()  # no receipt required
        self.assertFalse(expense.sudo().policy_approval_ids)
        self.assertEqual(expense.state, "submitted")
        self.assertEqual(expense.manager_id, self.hr_admin)

    # ------------------------------------------------------------------------------
    # Budgets, adjustments, mapping (篇四 §17)
    # ------------------------------------------------------------------------------
    def test_budget_is_approved_by_the_director_only(self):
        budget = self._budget(self.team_n1, {self.travel: 800.0}, year=self.year + 1)
        budget.with_user(self.sup_n1).action_policy_submit()
        self.assertEqual(budget.policy_approval_state, "pending")
        self.assertEqual(
            [(s.level, s.approver_id) for s in budget.sudo().policy_approval_ids],
            [("director", self.director)],
        )
        for user in (self.sup_n1, self.rm_north, self.finance):
            with self.assertRaises(AccessError, msg=user.login):
                budget.with_user(user).action_policy_approve()
        budget.with_user(self.director).action_policy_approve()
        self.assertEqual(budget.policy_approval_state, "approved")

    def test_rep_cannot_raise_a_budget(self):
        line = self._line(self.budget_n1, self.travel)
        with self.assertRaises(AccessError):
            self._budget(
                self.team_n1, {self.travel: 99999.0}, year=self.year + 2, user=self.rep_n1a
            )
        with self.assertRaises(AccessError):
            line.with_user(self.rep_n1a).write({"amount": 99999.0})
        with self.assertRaises(AccessError):
            self.env["sales.policy.budget.adjustment"].with_user(self.rep_n1a).create(
                {
                    "budget_id": self.budget_n1.id,
                    "category_id": self.travel.id,
                    "new_amount": 99999.0,
                    "reason": "More trips",
                }
            )
        self.assertEqual(line.amount, 1000.0)

    def test_approved_budget_is_locked(self):
        line = self._line(self.budget_n1, self.travel)
        with self.assertRaises(UserError) as cm:
            line.with_user(self.sup_n1).write({"amount": 5000.0})
        self.assertIn("adjustment", str(cm.exception))
        with self.assertRaises(UserError):
            self.budget_n1.with_user(self.director).write(
                {"line_ids": [Command.create({"category_id": self.marketing.id, "amount": 1.0})]}
            )
        with self.assertRaises(UserError):
            line.with_user(self.director).unlink()
        with self.assertRaises(UserError):
            self.budget_n1.with_user(self.director).unlink()
        with self.assertRaises(AccessError):
            self.budget_n1.with_user(self.sup_n1).write({"policy_approval_state": "draft"})
        self.assertEqual(line.amount, 1000.0)
        self.assertEqual(self.budget_n1.policy_approval_state, "approved")

    def test_pending_budget_change_voids_the_request(self):
        budget = self._budget(self.team_n2, {self.travel: 300.0})
        budget.action_policy_submit()
        self._line(budget, self.travel).with_user(self.sup_n2).amount = 3000.0
        self.assertEqual(budget.policy_approval_state, "draft")

    def test_adjustment_is_approved_by_the_director_and_traced(self):
        adjustment = (
            self.env["sales.policy.budget.adjustment"]
            .with_user(self.sup_n1)
            .create(
                {
                    "budget_id": self.budget_n1.id,
                    "category_id": self.travel.id,
                    "new_amount": 1500.0,
                    "reason": "Trade fair in Shanghai added",
                }
            )
        )
        self.assertEqual(adjustment.current_amount, 1000.0)
        adjustment.action_policy_submit()
        self.assertEqual(adjustment.state, "pending")
        for user in (self.sup_n1, self.rm_north):
            with self.assertRaises(AccessError, msg=user.login):
                adjustment.with_user(user).action_policy_approve()
        self.assertEqual(self._line(self.budget_n1, self.travel).amount, 1000.0)
        adjustment.with_user(self.director).action_policy_approve()
        self.assertEqual(adjustment.state, "applied")
        self.assertEqual(adjustment.old_amount, 1000.0)
        self.assertEqual(self._line(self.budget_n1, self.travel).amount, 1500.0)
        self.assertEqual(self.budget_n1.policy_approval_state, "approved", "still approved")
        history = self.budget_n1.message_ids.mapped("body")
        self.assertTrue(any("Trade fair in Shanghai added" in body for body in history))
        with self.assertRaises(UserError):
            adjustment.with_user(self.sup_n1).write({"reason": "Rewritten"})
        with self.assertRaises(AccessError):
            adjustment.with_user(self.sup_n1).write({"old_amount": 0.0})

    def test_adjustment_of_a_new_category_adds_the_line(self):
        adjustment = (
            self.env["sales.policy.budget.adjustment"]
            .with_user(self.rm_north)
            .create(
                {
                    "budget_id": self.budget_n1.id,
                    "category_id": self.marketing.id,
                    "new_amount": 250.0,
                    "reason": "Regional campaign",
                }
            )
        )
        adjustment.action_policy_submit()
        adjustment.with_user(self.director).action_policy_approve()
        self.assertEqual(self._line(self.budget_n1, self.marketing).amount, 250.0)
        self.assertEqual(adjustment.old_amount, 0.0)

    def test_adjustment_needs_a_reason(self):
        adjustment = (
            self.env["sales.policy.budget.adjustment"]
            .with_user(self.sup_n1)
            .create(
                {
                    "budget_id": self.budget_n1.id,
                    "category_id": self.travel.id,
                    "new_amount": 1200.0,
                    "reason": "  ",
                }
            )
        )
        with self.assertRaises(UserError):
            adjustment.action_policy_submit()
        self.assertEqual(adjustment.state, "draft")

    def test_budget_visibility_follows_the_hierarchy(self):
        Budget = self.env["sales.policy.budget"]
        budget_s1 = self._approved_budget(self.team_s1, {self.travel: 100.0})
        visible = {
            user: Budget.with_user(user).search([])
            for user in (
                self.sup_n1,
                self.sup_n2,
                self.rm_north,
                self.rm_south,
                self.director,
                self.finance,
            )
        }
        self.assertEqual(visible[self.sup_n1], self.budget_n1)
        self.assertFalse(visible[self.sup_n2])
        self.assertEqual(visible[self.rm_north], self.budget_n1)
        self.assertEqual(visible[self.rm_south], budget_s1)
        self.assertEqual(visible[self.director], self.budget_n1 | budget_s1)
        self.assertEqual(visible[self.finance], self.budget_n1 | budget_s1)
        with self.assertRaises(AccessError):
            Budget.with_user(self.rep_n1a).search([])
        with self.assertRaises(AccessError):
            self.budget_n1.with_user(self.finance).write({"note": "finance reads only"})

    def test_product_maps_to_one_category(self):
        with self.assertRaises(ValidationError):
            self.marketing.product_ids = [Command.link(self.taxi.id)]

    def test_mapping_change_moves_expenses(self):
        expense = self._expense(self.rep_n1a, self.stationery, 10.0)
        self.assertFalse(expense.sales_policy_category_id)
        self.marketing.product_ids = [Command.link(self.stationery.id)]
        self.assertEqual(expense.sales_policy_category_id, self.marketing)
