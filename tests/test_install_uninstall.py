"""Installing the addons into a company that already runs Odoo, and uninstalling them.

setup/test.sh prepares the template database SP_CORE_DB (Odoo's modules the addons
depend on, nothing of ours). This test copies it and, with Odoo's own flows and without
our addons, makes what a company running Odoo has: quotations (draft and sent),
confirmed orders, posted invoices (paid and open), payments and expenses (draft,
submitted, approved). Then it installs the three addons: nothing of that is altered
retroactively (the same rows, states, amounts and write dates), open quotations read
"To Submit", and the company's next steps on them are not blocked (invoicing a confirmed
order, paying an open invoice, approving a submitted expense). Uninstalling leaves the
same core data, and nothing of the addons.
"""

import json
import os

import serverlib

ADDONS = ["sales_policy_kpi", "sales_policy_risk", "sales_policy"]

LIVE_COMPANY = """
import json
from odoo import Command

partner = env["res.partner"].create(
    {"name": "Existing Customer Ltd", "is_company": True, "street": "1 Renmin Road",
     "city": "Guangzhou"}
)
product = env["product.product"].create(
    {"name": "Existing product", "type": "consu", "list_price": 250.0, "invoice_policy": "order"}
)


def order():
    return env["sale.order"].create(
        {"partner_id": partner.id, "user_id": env.ref("base.user_admin").id,
         "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})]}
    )


def pay(invoice):
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoice.ids
    ).create({})._create_payments()


quotation, sent, confirmed, invoiced, paid = (order() for _index in range(5))
sent.action_quotation_sent()
(confirmed | invoiced | paid).action_confirm()
open_invoice = invoiced._create_invoices()
paid_invoice = paid._create_invoices()
(open_invoice | paid_invoice).action_post()
pay(paid_invoice)

employee = env["hr.employee"].create({"name": "Li Wei"})
expense_product = env["product.product"].create(
    {"name": "Taxi", "can_be_expensed": True, "standard_price": 0}
)
draft, submitted, approved = (
    env["hr.expense"].create(
        {"name": f"Taxi {index}", "employee_id": employee.id, "product_id": expense_product.id,
         "total_amount_currency": 80.0 + index}
    )
    for index in range(3)
)
submitted.manager_id = env.ref("base.user_admin")
submitted.action_submit()
approved.action_submit()
env.cr.commit()
print(json.dumps({
    "quotations": (quotation | sent).ids,
    "confirmed": confirmed.id,
    "open_invoice": open_invoice.id,
    "paid_invoice": paid_invoice.id,
    "states": {
        "orders": [quotation.state, sent.state, confirmed.state, invoiced.state],
        "invoices": [open_invoice.payment_state, paid_invoice.payment_state],
        "expenses": [draft.state, submitted.state, approved.state],
    },
    "submitted_expense": submitted.id,
}))
"""

# What the company does next, as its administrator, once the addons are installed
# (rolled back: the uninstall check compares with the data as it was).
NEXT_STEPS = """
import json

data = json.loads(%r)
admin = env(user=env.ref("base.user_admin"))
quotations = admin["sale.order"].browse(data["quotations"])
states = dict(quotations._fields["policy_approval_state"]._description_selection(admin))
labels = [states[state] for state in quotations.mapped("policy_approval_state")]
invoice = admin["sale.order"].browse(data["confirmed"])._create_invoices()
invoice.action_post()
admin["account.payment.register"].with_context(
    active_model="account.move", active_ids=data["open_invoice"]
).create({})._create_payments()
open_invoice = admin["account.move"].browse(data["open_invoice"])
expense = admin["hr.expense"].browse(data["submitted_expense"])
expense.action_approve()
print(json.dumps({
    "labels": labels,
    "new_invoice": invoice.state,
    "open_invoice": open_invoice.payment_state,
    "expense": expense.state,
}))
env.cr.rollback()
"""

# The core data, row by row (with write dates: "not altered" means not written). An
# expense's write date is left out: Odoo stamps it when it computes a new stored field
# (our budget category) for the existing rows at install.
CORE_DATA = {
    "sale_order": "id, name, state, amount_total, invoice_status, write_date",
    "sale_order_line": "id, order_id, price_total, qty_invoiced, write_date",
    "account_move": "id, name, state, move_type, amount_total, amount_residual, payment_state,"
    " write_date",
    "account_move_line": "id, move_id, account_id, balance, amount_residual, reconciled,"
    " write_date",
    "account_payment": "id, state, amount, write_date",
    "hr_expense": "id, name, state, approval_state, total_amount, manager_id, account_move_id",
}


def _core_data(dbname):
    return {
        table: serverlib.query(dbname, f"SELECT {columns} FROM {table} ORDER BY id")
        for table, columns in CORE_DATA.items()
    }


def _states(dbname):
    return dict(
        serverlib.query(
            dbname, "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,)
        )
    )


def test_install_into_a_live_company_and_uninstall_cleanly():
    conf = os.environ["SP_ODOO_CONF"]
    with serverlib.scratch_db("SP_CORE_DB", "live") as dbname:
        live = serverlib.odoo_shell(dbname, LIVE_COMPANY)
        assert live["states"] == {
            "orders": ["draft", "sent", "sale", "sale"],
            "invoices": ["not_paid", live["states"]["invoices"][1]],
            "expenses": ["draft", "submitted", "approved"],
        }
        assert live["states"]["invoices"][1] in ("paid", "in_payment")
        before = _core_data(dbname)
        assert all(before.values()), before

        serverlib.odoo(
            "-c",
            conf,
            "-d",
            dbname,
            "-i",
            ",".join(ADDONS),
            "--stop-after-init",
            "--log-level=warn",
        )
        assert _states(dbname) == dict.fromkeys(ADDONS, "installed")
        assert _core_data(dbname) == before, "the install rewrote existing core data"
        assert serverlib.query(
            dbname,
            "SELECT policy_approval_state FROM sale_order WHERE id = ANY(%s)",
            (live["quotations"],),
        ) == [("draft",), ("draft",)]
        next_steps = serverlib.odoo_shell(dbname, NEXT_STEPS % json.dumps(live))
        assert next_steps == {
            "labels": ["To Submit", "To Submit"],
            "new_invoice": "posted",
            "open_invoice": next_steps["open_invoice"],
            "expense": "approved",
        }
        assert next_steps["open_invoice"] in ("paid", "in_payment")

        serverlib.odoo("module", "uninstall", "-c", conf, "-d", dbname, *ADDONS)
        assert _states(dbname) == dict.fromkeys(ADDONS, "uninstalled")
        left = serverlib.query(
            dbname,
            "SELECT model FROM ir_model WHERE model LIKE 'sales.policy.%%'"
            " UNION ALL SELECT name FROM ir_model_fields WHERE name LIKE '%%sales_policy%%'",
        )
        assert left == []
        assert _core_data(dbname) == before, "the uninstall altered core data"
