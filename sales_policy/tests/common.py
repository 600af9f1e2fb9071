import datetime

from odoo import Command, fields
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class SalesPolicyFixtures:
    """A company with the whole sales hierarchy, built as real users per role.

    director
    ├── region North (rm_north)
    │   ├── team N1 (sup_n1): rep_n1a, rep_n1b, assistant_n1
    │   └── team N2 (sup_n2): rep_n2
    └── region South (rm_south)
        └── team S1 (sup_s1): rep_s1
    plus legal, contract admin, finance and pre-sales users.
    Each rep has one customer, one lead, one quotation and one posted invoice.
    """

    @classmethod
    def _setup_sales_policy(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company

        def user(login, group):
            return new_test_user(
                cls.env, login=login, groups=f"sales_policy.{group}", name=login.upper()
            )

        cls.director = user("sp_director", "group_sales_director")
        cls.rm_north = user("sp_rm_north", "group_regional_manager")
        cls.rm_south = user("sp_rm_south", "group_regional_manager")
        cls.sup_n1 = user("sp_sup_n1", "group_sales_supervisor")
        cls.sup_n2 = user("sp_sup_n2", "group_sales_supervisor")
        cls.sup_s1 = user("sp_sup_s1", "group_sales_supervisor")
        cls.rep_n1a = user("sp_rep_n1a", "group_sales_rep")
        cls.rep_n1b = user("sp_rep_n1b", "group_sales_rep")
        cls.rep_n2 = user("sp_rep_n2", "group_sales_rep")
        cls.rep_s1 = user("sp_rep_s1", "group_sales_rep")
        cls.assistant_n1 = user("sp_assistant_n1", "group_sales_assistant")
        cls.presales = user("sp_presales", "group_presales")
        cls.legal = user("sp_legal", "group_legal")
        cls.contract_admin = user("sp_contract", "group_contract_admin")
        cls.finance = user("sp_finance", "group_finance")
        cls.reps = cls.rep_n1a | cls.rep_n1b | cls.rep_n2 | cls.rep_s1

        cls.company.sales_policy_director_id = cls.director
        Region = cls.env["sales.policy.region"]
        cls.region_north = Region.create({"name": "North", "manager_id": cls.rm_north.id})
        cls.region_south = Region.create({"name": "South", "manager_id": cls.rm_south.id})

        def team(name, leader, region, members):
            return cls.env["crm.team"].create(
                {
                    "name": name,
                    "user_id": leader.id,
                    "region_id": region.id,
                    "crm_team_member_ids": [
                        Command.create({"user_id": member.id}) for member in members
                    ],
                }
            )

        cls.team_n1 = team(
            "N1", cls.sup_n1, cls.region_north, cls.rep_n1a | cls.rep_n1b | cls.assistant_n1
        )
        cls.team_n2 = team("N2", cls.sup_n2, cls.region_north, cls.rep_n2)
        cls.team_s1 = team("S1", cls.sup_s1, cls.region_south, cls.rep_s1)

        cls.product = cls.env["product.product"].create(
            {"name": "Access controller", "type": "consu", "list_price": 100.0}
        )
        cls.customers = {}
        cls.orders = {}
        cls.leads = {}
        cls.invoices = {}
        for rep in cls.reps:
            cls._make_rep_documents(rep)

    #: the nine roles by name, with the attribute of each one's fixture user
    ROLE_USERS = {
        "rep": "rep_n1a",
        "supervisor": "sup_n1",
        "regional_manager": "rm_north",
        "director": "director",
        "assistant": "assistant_n1",
        "presales": "presales",
        "legal": "legal",
        "contract_admin": "contract_admin",
        "finance": "finance",
    }

    @classmethod
    def _role_users(cls, *names):
        """``{role: user}`` of the roles ``names`` (all nine when none is given)."""
        return {
            name: getattr(cls, attr)
            for name, attr in cls.ROLE_USERS.items()
            if not names or name in names
        }

    @classmethod
    def _setup_employees(cls, users):
        """Everyone working in sales is an employee (Expenses needs one per user)."""
        cls.env["hr.employee"].create([{"name": user.name, "user_id": user.id} for user in users])

    @classmethod
    def _setup_overdue_invoices_and_due_visits(cls):
        """Each rep's invoice posted and 40 days overdue, and a visit of theirs planned
        yesterday (due: not recorded)."""
        yesterday = fields.Datetime.now() - datetime.timedelta(days=1)
        for rep, invoice in cls.invoices.items():
            invoice.invoice_date_due = fields.Date.today() - datetime.timedelta(days=40)
            invoice.action_post()
            cls.env["sales.policy.visit"].create(
                {
                    "partner_id": cls.customers[rep][0].id,
                    "user_id": rep.id,
                    "date_planned": yesterday,
                }
            )

    @classmethod
    def _make_rep_documents(cls, rep):
        partner = cls.env["res.partner"].create(
            {
                "name": f"Customer of {rep.login}",
                "is_company": True,
                "user_id": rep.id,
                "street": "1 Renmin Road",
                "city": "Guangzhou",
            }
        )
        contact = cls.env["res.partner"].create(
            {"name": f"Buyer at {rep.login}", "parent_id": partner.id}
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": rep.id,
                "order_line": [Command.create({"product_id": cls.product.id})],
            }
        )
        lead = cls.env["crm.lead"].create(
            {"name": f"Lead of {rep.login}", "user_id": rep.id, "partner_id": partner.id}
        )
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_user_id": rep.id,
                "invoice_line_ids": [
                    Command.create({"product_id": cls.product.id, "price_unit": 100.0})
                ],
            }
        )
        cls.customers[rep] = partner | contact
        cls.orders[rep] = order
        cls.leads[rep] = lead
        cls.invoices[rep] = invoice


class SalesPolicyRpcMixin:
    """For HttpCase tests: a real JSON-RPC call to the running server, as ``user``."""

    def _execute_kw(self, user, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    user.login,
                    model,
                    method,
                    args,
                    kwargs or {},
                ],
            },
        }
        response = self.url_open("/jsonrpc", json=payload)
        self.assertEqual(response.status_code, 200)
        return response.json()


class SalesPolicyRpcAssertions(SalesPolicyRpcMixin):
    """JSON-RPC calls with assertions on the reply (refused with a message, or not)."""

    def _call(self, user, model, method, args, kwargs=None):
        return self._execute_kw(user, model, method, args, kwargs)

    def _refused(self, reply, pattern, error="odoo.exceptions.UserError"):
        self.assertIn("error", reply, reply)
        self.assertEqual(reply["error"]["data"]["name"], error, reply["error"]["data"])
        self.assertRegex(reply["error"]["data"]["message"], pattern)

    def _ok(self, reply):
        self.assertNotIn("error", reply, reply.get("error"))
        return reply.get("result")


class SalesPolicyCommon(SalesPolicyFixtures, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
