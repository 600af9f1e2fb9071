"""Issue #10, the policy holds on every path: customers stay confidential through the
documents around them (followers, fields computed from a customer, onchange).

Over JSON-RPC as the real role: refused with its message, nothing written or shown;
the legitimate paths still work.
"""

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures, SalesPolicyRpcAssertions

OUT_OF_SCOPE = "is not one of the customers you may see"


@tagged("post_install", "-at_install")
class TestIntegrityConfidentialityRpc(SalesPolicyFixtures, SalesPolicyRpcAssertions, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        cls.rep = cls.rep_n1a
        cls.own = cls.customers[cls.rep_n1a][0]
        cls.other = cls.customers[cls.rep_s1][0]  # another region's customer
        cls.own.write({"email": "buyer@own.example.cn", "phone": "020-1111"})
        cls.other.write({"email": "buyer@south.example.cn", "phone": "020-9999"})

    def _assert_not_revealed(self, reply, partner=None):
        partner = partner or self.other
        for secret in (partner.name, partner.email, partner.phone, partner.street):
            self.assertNotIn(secret, str(reply))

    def test_followers_show_only_customers_in_scope(self):
        # the other team's customer follows its order and, worst case, the rep's too
        self.orders[self.rep_s1].message_subscribe(self.other.ids)
        self.orders[self.rep].message_subscribe((self.other | self.own).ids)
        followers = self.env["mail.followers"].search([("partner_id", "=", self.other.id)])
        self.assertEqual(len(followers), 2)
        reply = self._ok(
            self._call(
                self.rep,
                "mail.followers",
                "search_read",
                [[("partner_id", "in", (self.other | self.own).ids)], ["name", "email"]],
            )
        )
        self.assertEqual({row["email"] for row in reply}, {self.own.email})
        self._assert_not_revealed(reply)
        reply = self._call(self.rep, "mail.followers", "read", [followers.ids, ["name", "email"]])
        self._refused(reply, "doesn't have 'read' access", error="odoo.exceptions.AccessError")
        self._assert_not_revealed(reply)
        # the other customer's own team still reads them
        reply = self._ok(
            self._call(
                self.sup_s1,
                "mail.followers",
                "search_read",
                [[("partner_id", "=", self.other.id)], ["email"]],
            )
        )
        self.assertEqual({row["email"] for row in reply}, {self.other.email})

    def test_no_document_names_a_customer_out_of_scope(self):
        other, marker = self.other, "sp-integrity-confidential"
        now = fields.Datetime.to_string(fields.Datetime.now())
        for model, vals, pattern in (
            ("crm.lead", {"name": marker, "partner_id": other.id}, OUT_OF_SCOPE),
            ("sale.order", {"partner_id": other.id, "client_order_ref": marker}, OUT_OF_SCOPE),
            ("sales.policy.satisfaction", {"partner_id": other.id}, OUT_OF_SCOPE),
            # the visit's own gate answers first, naming the customer by number only
            (
                "sales.policy.visit",
                {"name": marker, "partner_id": other.id, "date_planned": now},
                f"#{other.id} is a customer of SP_REP_S1",
            ),
        ):
            with self.subTest(model=model):
                reply = self._call(self.rep, model, "create", [vals])
                self._refused(reply, pattern)
                self._assert_not_revealed(reply)
        # … nor through a default sent in the context
        reply = self._call(
            self.rep,
            "crm.lead",
            "create",
            [{"name": marker}],
            {"context": {"default_partner_id": other.id}},
        )
        self._refused(reply, OUT_OF_SCOPE)
        self.assertFalse(self.env["crm.lead"].search([("name", "=", marker)]))
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", marker)]))
        self.assertFalse(self.env["sales.policy.visit"].search([("name", "=", marker)]))
        self.assertFalse(
            self.env["sales.policy.satisfaction"].search([("partner_id", "=", other.id)])
        )
        # an existing document of the rep cannot be pointed at them either
        lead = self.leads[self.rep]
        reply = self._call(self.rep, "crm.lead", "write", [lead.ids, {"partner_id": other.id}])
        self._refused(reply, OUT_OF_SCOPE)
        lead.invalidate_recordset()
        self.assertEqual((lead.partner_id, lead.email_from), (self.own, self.own.email))
        # the legitimate path: the rep's own customer, its e-mail filled in
        lead_id = self._ok(
            self._call(
                self.rep, "crm.lead", "create", [{"name": marker, "partner_id": self.own.id}]
            )
        )
        self.assertEqual(self.env["crm.lead"].browse(lead_id).email_from, self.own.email)

    def test_the_form_computes_nothing_from_a_customer_out_of_scope(self):
        spec = {
            "partner_id": {"fields": {"display_name": {}}},
            "email_from": {},
            "phone": {},
            "street": {},
            "city": {},
        }
        for values, context in (
            ({"partner_id": self.other.id}, {}),
            ({}, {"default_partner_id": self.other.id}),
        ):
            with self.subTest(values=values, context=context):
                reply = self._call(
                    self.rep,
                    "crm.lead",
                    "onchange",
                    [[], values, list(values), spec],
                    {"context": context},
                )
                self._refused(reply, OUT_OF_SCOPE)
                self._assert_not_revealed(reply)
        reply = self._call(
            self.rep,
            "sale.order",
            "onchange",
            [
                [],
                {"partner_id": self.other.id},
                ["partner_id"],
                {"partner_id": {}, "partner_invoice_id": {"fields": {"display_name": {}}}},
            ],
        )
        self._refused(reply, OUT_OF_SCOPE)
        self._assert_not_revealed(reply)
        # the legitimate path: the form fills in the rep's own customer
        reply = self._ok(
            self._call(
                self.rep,
                "crm.lead",
                "onchange",
                [[], {"partner_id": self.own.id}, ["partner_id"], spec],
            )
        )
        self.assertEqual(reply["value"]["email_from"], self.own.email)

    def test_a_document_shows_no_details_of_a_customer_out_of_scope(self):
        """A customer moved to another team since: the rep's old quotation still names
        it, but its address and e-mail (show_address / show_email) are not shown."""
        moved = self.own
        order = self.orders[self.rep]
        moved.user_id = self.rep_s1
        context = {"context": {"show_address": 1, "show_email": 1}}
        spec = {"partner_id": {"fields": {"display_name": {}}, "context": context["context"]}}
        for method, args, kwargs in (
            ("read", [order.ids, ["partner_id"]], context),
            ("web_read", [order.ids, spec], {}),
        ):
            with self.subTest(method=method):
                reply = self._ok(self._call(self.rep, "sale.order", method, args, kwargs))
                self.assertNotIn(moved.email, str(reply))
                self.assertNotIn(moved.street, str(reply))
        reply = self._call(self.rep, "res.partner", "read", [moved.ids, ["email"]])
        self._refused(reply, "doesn't have 'read' access", error="odoo.exceptions.AccessError")
        # the legitimate path: whoever may read the customer reads the details
        reply = self._ok(
            self._call(self.director, "sale.order", "read", [order.ids, ["partner_id"]], context)
        )
        self.assertIn(moved.email, reply[0]["partner_id"][1])
        self.assertIn(moved.street, reply[0]["partner_id"][1])
