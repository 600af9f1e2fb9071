from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesPolicyCommon


@tagged("post_install", "-at_install")
class TestPresales(SalesPolicyCommon):
    """Needs analysis, proposed solution and pre-sales support (篇四 §11), per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.presales_2 = new_test_user(
            cls.env, login="sp_presales_2", groups="sales_policy.group_presales", name="PRESALES 2"
        )
        cls.Request = cls.env["sales.policy.support.request"]
        cls.today = fields.Date.today()
        for lead in cls.leads.values():
            lead.type = "opportunity"
        cls.lead = cls.leads[cls.rep_n1a]
        cls.lead.sales_policy_needs_analysis = "<p>12 doors, face recognition, Q3.</p>"

    def _request(self, user=None, lead=None, **values):
        vals = {
            "name": "Feasibility of the interface",
            "lead_id": (lead or self.lead).id,
            "engineer_id": self.presales.id,
            "date_deadline": self.today + timedelta(days=5),
            "description": "<p>Check the time-attendance interface.</p>",
        }
        vals.update(values)
        return self.Request.with_user(user or self.rep_n1a).create(vals)

    # --- needs analysis and solution -------------------------------------------------
    def test_rep_records_needs_and_solution(self):
        lead = self.leads[self.rep_n1b].with_user(self.rep_n1b)
        attachment = (
            self.env["ir.attachment"]
            .with_user(self.rep_n1b)
            .create(
                {
                    "name": "proposal.pdf",
                    "raw": b"%PDF-1.4",
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                }
            )
        )
        lead.write(
            {
                "sales_policy_needs_analysis": "<p>Needs</p>",
                "sales_policy_proposed_solution": "<p>Solution</p>",
                "sales_policy_solution_attachment_ids": [Command.set(attachment.ids)],
            }
        )
        self.assertEqual(lead.sales_policy_solution_attachment_ids, attachment)
        # the supervisor reads the solution and its documents
        as_sup = lead.with_user(self.sup_n1)
        self.assertIn("Solution", as_sup.sales_policy_proposed_solution)
        self.assertEqual(
            as_sup.sales_policy_solution_attachment_ids.read(["name"])[0]["name"], "proposal.pdf"
        )

    def test_rep_cannot_write_needs_of_another_reps_opportunity(self):
        with self.assertRaises(AccessError):
            self.leads[self.rep_s1].with_user(self.rep_n1a).write(
                {"sales_policy_needs_analysis": "<p>Mine</p>"}
            )

    # --- the support request flow ---------------------------------------------------
    def test_request_flow(self):
        request = self._request()
        self.assertEqual(request.state, "new")
        self.assertEqual(request.requester_id, self.rep_n1a)
        self.assertEqual(request.lead_user_id, self.rep_n1a)
        activity = request.activity_ids
        self.assertEqual(activity.user_id, self.presales, "the engineer gets an activity")
        self.assertEqual(activity.date_deadline, request.date_deadline)
        self.assertEqual(self.lead.sales_policy_support_request_count, 1)

        # the engineer sees the request and the opportunity, with its needs
        as_engineer = request.with_user(self.presales)
        self.assertEqual(self.Request.with_user(self.presales).search([]), request)
        lead = self.lead.with_user(self.presales)
        values = lead.read(["name", "partner_id", "sales_policy_needs_analysis"])[0]
        self.assertIn("face recognition", values["sales_policy_needs_analysis"])
        self.assertEqual(values["partner_id"][0], self.customers[self.rep_n1a][0].id)
        # ...but does not change it
        with self.assertRaises(AccessError):
            lead.write({"sales_policy_proposed_solution": "<p>by pre-sales</p>"})

        as_engineer.action_start()
        self.assertEqual(request.state, "in_progress")
        with self.assertRaisesRegex(UserError, "Write the outcome"):
            as_engineer.action_done()
        self.assertEqual(request.state, "in_progress")
        as_engineer.outcome = "<p>Feasible with the REST interface.</p>"
        as_engineer.action_done()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.date_done)
        self.assertFalse(request.activity_ids, "the engineer's activity is done")
        self.assertIn("closed by", self.lead.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            request.with_user(self.rep_n1a).write({"description": "<p>More</p>"})

    def test_engineer_sees_only_assigned_requests_and_leads(self):
        request = self._request()
        other = self._request(user=self.rep_s1, lead=self._lead_with_needs(self.rep_s1))
        other.engineer_id = self.presales_2
        self.assertEqual(self.Request.with_user(self.presales).search([]), request)
        self.assertEqual(self.Request.with_user(self.presales_2).search([]), other)
        Lead = self.env["crm.lead"].with_user(self.presales)
        leads = Lead.search([("id", "in", [lead.id for lead in self.leads.values()])])
        self.assertEqual(leads, self.lead)
        with self.assertRaises(AccessError):
            self.leads[self.rep_s1].with_user(self.presales).read(["name"])

    def _lead_with_needs(self, rep):
        lead = self.leads[rep]
        lead.sales_policy_needs_analysis = "<p>Needs</p>"
        return lead

    def test_only_the_engineer_works_the_request(self):
        request = self._request()
        for user in (self.rep_n1a, self.sup_n1):
            with self.assertRaisesRegex(UserError, "Only the assigned pre-sales engineer"):
                request.with_user(user).action_start()
            with self.assertRaisesRegex(UserError, "Only the assigned pre-sales engineer"):
                request.with_user(user).action_done()
        # another engineer does not even see the request
        with self.assertRaises(AccessError):
            request.with_user(self.presales_2).action_start()
        self.assertEqual(request.state, "new")

    def test_state_and_requester_protected(self):
        request = self._request()
        with self.assertRaisesRegex(UserError, "use the buttons"):
            request.write({"state": "done"})
        with self.assertRaises(UserError):
            request.with_user(self.presales).write({"state": "done"})
        with self.assertRaises(UserError):
            request.write({"requester_id": self.rep_n1b.id})
        with self.assertRaises(UserError):
            self._request(state="done")
        with self.assertRaises(UserError):
            self._request(requester_id=self.rep_n1b.id)
        self.assertEqual(request.state, "new")

    def test_request_requires_needs_analysis(self):
        lead = self.leads[self.rep_n1b]
        with self.assertRaisesRegex(UserError, "Analyse the customer's needs"):
            self._request(user=self.rep_n1b, lead=lead)
        self.assertFalse(self.Request.search([("lead_id", "=", lead.id)]))

    def test_request_only_for_own_opportunity(self):
        lead = self._lead_with_needs(self.rep_s1)
        with self.assertRaisesRegex(UserError, "only for your own opportunities"):
            self._request(user=self.rep_n1a, lead=lead)
        # the supervisor asks for support on a team opportunity
        request = self._request(user=self.sup_n1, lead=self._lead_with_needs(self.rep_n1b))
        self.assertEqual(request.lead_user_id, self.rep_n1b)

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "in the past"):
            self._request(date_deadline=self.today - timedelta(days=1))
        with self.assertRaisesRegex(ValidationError, "is not a pre-sales engineer"):
            self._request(engineer_id=self.rep_n1b.id)
        with self.assertRaisesRegex(UserError, "in the past"):
            self._request().write({"date_deadline": self.today - timedelta(days=3)})

    def test_reassign_moves_activity(self):
        request = self._request()
        request.engineer_id = self.presales_2
        self.assertEqual(request.activity_ids.user_id, self.presales_2)
        request.date_deadline = self.today + timedelta(days=9)
        self.assertEqual(len(request.activity_ids), 1)
        self.assertEqual(request.activity_ids.date_deadline, self.today + timedelta(days=9))

    def test_requester_withdraws(self):
        request = self._request()
        with self.assertRaisesRegex(UserError, "Only the requester"):
            request.with_user(self.presales).action_cancel()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(request.activity_ids)
        with self.assertRaisesRegex(UserError, "already closed"):
            request.action_cancel()

    def test_request_scopes(self):
        requests = {
            self.rep_n1a: self._request(),
            self.rep_n2: self._request(user=self.rep_n2, lead=self._lead_with_needs(self.rep_n2)),
            self.rep_s1: self._request(user=self.rep_s1, lead=self._lead_with_needs(self.rep_s1)),
        }
        expectations = {
            self.rep_n1a: {self.rep_n1a},
            self.rep_n1b: set(),
            self.sup_n1: {self.rep_n1a},
            self.assistant_n1: {self.rep_n1a},
            self.rm_north: {self.rep_n1a, self.rep_n2},
            self.rm_south: {self.rep_s1},
            self.director: set(requests),
            self.presales: set(requests),
            self.presales_2: set(),
            self.finance: set(),
        }
        ids = [request.id for request in requests.values()]
        for user, expected in expectations.items():
            seen = self.Request.with_user(user).search([("id", "in", ids)])
            self.assertEqual(
                {rep for rep, request in requests.items() if request in seen},
                expected,
                f"{user.login} sees the wrong support requests",
            )
