from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcMixin
from .test_order_change import OrderChangeCommon

#: context keys a user could forge to look like the workflow
FORGED = {"sales_policy_engine": True, "install_mode": True, "tracking_disable": True}


class GuardFixtures:
    """One document of each guarded kind, in the state its guard locks."""

    @classmethod
    def _setup_guard(cls):
        cls.travel = cls.env.ref("sales_policy.expense_category_travel")
        cls.marketing = cls.env.ref("sales_policy.expense_category_marketing")
        cls.year = fields.Date.context_today(cls.env.user).year
        cls.budget = cls._guard_budget(cls.year)
        cls.budget.with_user(cls.sup_n1).action_policy_submit()
        cls.budget.with_user(cls.director).action_policy_approve()
        cls.case = (
            cls.env["sales.policy.bad.debt"]
            .sudo()
            .create(
                {
                    "invoice_id": cls.invoices[cls.rep_n1a].id,
                    "amount_at_risk": 100.0,
                    "provision_amount": 100.0,
                }
            )
            .sudo(False)
        )

    @classmethod
    def _guard_budget(cls, year):
        return (
            cls.env["sales.policy.budget"]
            .with_user(cls.sup_n1)
            .create(
                {
                    "team_id": cls.team_n1.id,
                    "year": year,
                    "line_ids": [Command.create({"category_id": cls.travel.id, "amount": 1000.0})],
                }
            )
        )


@tagged("post_install", "-at_install")
class TestWorkflowGuard(GuardFixtures, OrderChangeCommon):
    """The workflow guard on the documents that use it, as the real roles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_guard()

    def _complaint(self, user):
        return (
            self.env["sales.policy.complaint"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customers[self.rep_n1a][0].id,
                    "order_id": self.orders[self.rep_n1a].id,
                    "description": "<p>Late delivery</p>",
                }
            )
        )

    def test_system_fields_are_never_set_by_a_user(self):
        now = fields.Datetime.now()
        assigner = self.leads[self.rep_n1a].sales_policy_assigned_by_id
        attempts = {
            "lead created with its last contact": lambda: (
                self.env["crm.lead"]
                .with_user(self.rep_n1a)
                .create({"name": "x", "sales_policy_last_contact_date": now})
            ),
            "lead's assigner": lambda: (
                self.leads[self.rep_n1a]
                .with_user(self.sup_n1)
                .write({"sales_policy_assigned_by_id": self.director.id})
            ),
            "complaint created resolved": lambda: (
                self.env["sales.policy.complaint"]
                .with_user(self.rep_n1a)
                .create(
                    {
                        "partner_id": self.customers[self.rep_n1a][0].id,
                        "description": "<p>x</p>",
                        "state": "resolved",
                    }
                )
            ),
            "collection log's open amount": lambda: (
                self.env["sales.policy.collection.log"]
                .with_user(self.rep_n1a)
                .create(
                    {
                        "partner_id": self.customers[self.rep_n1a][0].id,
                        "reason": "x",
                        "residual_at_log": 0.0,
                    }
                )
            ),
            "adjustment created applied": lambda: (
                self.env["sales.policy.budget.adjustment"]
                .with_user(self.sup_n1)
                .create(
                    {
                        "budget_id": self.budget.id,
                        "category_id": self.travel.id,
                        "new_amount": 5.0,
                        "reason": "x",
                        "applied": True,
                    }
                )
            ),
            "bad-debt case's state": lambda: self.case.with_user(self.finance).write(
                {"state": "recovered"}
            ),
        }
        for label, attempt in attempts.items():
            with self.subTest(label), self.assertRaises(AccessError) as error:
                attempt()
            self.assertIn("the workflow records it", str(error.exception))
        self.assertEqual(self.leads[self.rep_n1a].sales_policy_assigned_by_id, assigner)
        self.assertEqual(self.case.state, "collecting")

    def test_a_locked_document_names_field_state_and_article(self):
        with self.assertRaises(UserError) as error:
            self.budget.with_user(self.sup_n1).with_context(**FORGED).write({"year": 2000})
        message = str(error.exception)
        for part in (self.budget.display_name, "Approved", "Year", "篇四 §17", "adjustment"):
            self.assertIn(part, message)
        self.assertEqual(self.budget.year, self.year)
        # the note is no figure of the budget: it stays editable
        self.budget.with_user(self.sup_n1).write({"note": "<p>Trade fair in May</p>"})

    def test_lines_follow_their_document(self):
        line = self.budget.line_ids
        Line = self.env["sales.policy.budget.line"].with_user(self.director)
        for label, attempt in {
            "write": lambda: line.with_user(self.director).write({"amount": 1.0}),
            "create": lambda: Line.create(
                {"budget_id": self.budget.id, "category_id": self.marketing.id, "amount": 1.0}
            ),
            "unlink": lambda: line.with_user(self.director).unlink(),
            "through the budget": lambda: self.budget.with_user(self.director).write(
                {"line_ids": [Command.update(line.id, {"amount": 1.0})]}
            ),
        }.items():
            with self.subTest(label), self.assertRaises(UserError) as error:
                attempt()
            self.assertIn("Budget Lines", str(error.exception))
            self.assertIn("adjustment", str(error.exception))
        self.assertEqual(line.amount, 1000.0)
        # a draft budget's lines are the supervisor's to set
        draft = self._guard_budget(self.year + 1)
        draft.line_ids.with_user(self.sup_n1).write({"amount": 2000.0})
        draft.with_user(self.sup_n1).line_ids.unlink()
        self.assertFalse(draft.line_ids)
        # and a line does not move into an approved budget either
        line = Line.with_user(self.sup_n1).create(
            {"budget_id": draft.id, "category_id": self.marketing.id, "amount": 1.0}
        )
        with self.assertRaises(UserError):
            line.write({"budget_id": self.budget.id})

    def test_a_closed_complaint_is_on_record(self):
        complaint = self._complaint(self.rep_n1a)
        complaint.write(
            {
                "handling": "<p>Re-delivered</p>",
                "result": "Delivered the next day",
                "feedback_date": fields.Date.today(),
                "feedback_channel": "phone",
            }
        )
        complaint.action_resolve()
        with self.assertRaises(UserError) as error:
            complaint.write({"result": "Something else"})
        self.assertIn("Resolved", str(error.exception))
        complaint.message_post(body="The customer thanked us")  # the chatter stays open

    def test_deletion_outside_the_deletable_states(self):
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.budget.with_user(self.director).unlink()
        draft = self._guard_budget(self.year + 1)
        draft.with_user(self.sup_n1).unlink()
        self.assertFalse(draft.exists())
        complaint = self._complaint(self.rep_n1a)
        with self.assertRaisesRegex(UserError, "Cancel it instead"):
            complaint.unlink()
        complaint.with_user(self.director).unlink()  # a sales administrator
        self.assertFalse(complaint.exists())
        # a change request once submitted stays, even back in draft
        order = self._confirmed_order()
        request = self._request(order, self.rep_n1a, changes={0: {"new_qty": 8.0}})
        request.with_user(self.rep_n1a).action_policy_submit()
        request.line_ids[0].with_user(self.rep_n1a).new_qty = 7.0  # voids the approval
        self.assertEqual(request.state, "draft")
        with self.assertRaisesRegex(UserError, "trace of the order's change"):
            request.with_user(self.rep_n1a).unlink()

    def test_transitions_by_role(self):
        case = self.case
        with self.assertRaises(AccessError) as error:
            case.with_user(self.rep_n1a).action_legal()
        self.assertIn("Legal Involved", str(error.exception))
        with self.assertRaises(UserError) as error:
            case.with_user(self.finance).action_write_off()  # not from collecting
        self.assertNotIsInstance(error.exception, AccessError)
        case.with_user(self.legal).action_legal()
        with self.assertRaises(AccessError):
            case.with_user(self.legal).action_provision()  # finance's step
        case.with_user(self.legal).action_back_to_collecting()
        case.with_user(self.finance).action_provision()
        case.with_user(self.finance).action_write_off()
        self.assertEqual(case.state, "written_off")
        self.assertEqual(case.date_closed, fields.Date.context_today(case))
        with self.assertRaises(UserError):
            case.with_user(self.legal).action_recover()  # written off: reopen first
        case.with_user(self.finance).action_reopen()
        self.assertEqual(case.state, "collecting")
        self.assertFalse(case.date_closed)

    def test_field_groups(self):
        case = self.case
        case.with_user(self.legal).write({"legal_notes": "Formal notice sent"})
        case.with_user(self.finance).write({"description": "Customer in receivership"})
        for user, vals in (
            (self.legal, {"provision_amount": 1.0}),
            (self.legal, {"description": "x"}),
            (self.legal, {"legal_notes": "y", "finance_user_id": self.legal.id}),
        ):
            with self.subTest(user=user.login, vals=list(vals)):
                with self.assertRaises(AccessError) as error:
                    case.with_user(user).with_context(**FORGED).write(vals)
                self.assertIn("Finance", str(error.exception))
        self.assertEqual(case.legal_notes, "Formal notice sent")
        self.assertEqual(case.provision_amount, 100.0)


@tagged("post_install", "-at_install")
class TestWorkflowGuardRpc(GuardFixtures, SalesPolicyFixtures, SalesPolicyRpcMixin, HttpCase):
    """The guard over a real JSON-RPC call, whatever context the caller sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls._setup_guard()

    def _call(self, user, record, method, *args):
        return self._execute_kw(
            user, record._name, method, [record.ids, *args], {"context": FORGED}
        )

    def _assert_refused(self, reply, error_name, *parts):
        self.assertIn("error", reply, reply)
        self.assertEqual(reply["error"]["data"]["name"], error_name)
        for part in parts:
            self.assertIn(part, reply["error"]["data"]["message"])

    def test_guard_holds_over_rpc(self):
        lead = self.leads[self.rep_n1a]
        reply = self._call(
            self.rep_n1a, lead, "write", {"sales_policy_last_contact_date": "2030-01-01 00:00:00"}
        )
        self._assert_refused(reply, "odoo.exceptions.AccessError", "Last Contact", "篇四 §9")
        reply = self._call(self.sup_n1, self.budget.line_ids, "write", {"amount": 1.0})
        self._assert_refused(reply, "odoo.exceptions.UserError", "Approved", "adjustment")
        reply = self._call(self.director, self.budget, "unlink")
        self._assert_refused(reply, "odoo.exceptions.UserError", "cannot be deleted")
        reply = self._call(self.legal, self.case, "write", {"provision_amount": 1.0})
        self._assert_refused(reply, "odoo.exceptions.AccessError", "Provision Amount")
        reply = self._call(self.legal, self.case, "action_provision")
        self._assert_refused(reply, "odoo.exceptions.AccessError", "Provisioned")
        reply = self._call(self.finance, self.case, "write", {"state": "written_off"})
        self._assert_refused(reply, "odoo.exceptions.AccessError")
        reply = self._call(self.legal, self.case, "write", {"legal_notes": "Notice sent"})
        self.assertNotIn("error", reply, reply)
        self.env.invalidate_all()
        self.assertEqual(self.case.state, "collecting")
        self.assertEqual(self.case.provision_amount, 100.0)
        self.assertEqual(self.case.legal_notes, "Notice sent")
        self.assertFalse(lead.sales_policy_last_contact_date)
        self.assertEqual(self.budget.line_ids.amount, 1000.0)
        self.assertTrue(self.budget.exists())
