"""Benchmark of the confirmation gates (篇四 §12–14): confirming an order of N lines.

Confirms an approved order of 1, 50 and 500 lines as its salesperson and counts the SQL
queries and the time of ``action_confirm`` in three databases:

* core Odoo (``sale_management``, no gate),
* Sales Policy (``sales_policy``: quotation approval, and whatever gates are installed),
  with the default approval matrix and with a matrix of 400 bands,
* OCA ``sale_tier_validation`` 19.0 configured with the same matrix (three tier
  definitions: supervisor always, regional manager above 10 % discount or 500,000,
  director above 20 % or 2,000,000), when that database is given.

The gates must add a constant number of queries: independent of the line count and of
the matrix size. Everything is rolled back.

    tests/benchmarks/prepare_confirm.sh        # creates the three databases once
    .venv/bin/python tests/benchmarks/bench_confirm.py \
        --db sp_bench_policy --db-core sp_bench_core --db-oca sp_bench_oca
"""

import sys
from pathlib import Path

from odoo.fields import Command
from odoo.tests import new_test_user

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

SIZES = (1, 50, 500)


def _order(env, user, lines):
    partner = env["res.partner"].create(
        {"name": "Bench customer", "user_id": user.id, "street": "1 Bench Road", "city": "Shenzhen"}
    )
    product = env["product.product"].create({"name": "Bench product", "list_price": 10.0})
    return (
        env["sale.order"]
        .with_user(user)
        .create(
            {
                "partner_id": partner.id,
                "user_id": user.id,
                "payment_term_id": env.ref("account.account_payment_term_30days").id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1 + i % 7})
                    for i in range(lines)
                ],
            }
        )
    )


def _big_matrix(env, bands):
    matrix = env.ref("sales_policy.approval_matrix_default")
    levels = ["supervisor", "regional_manager", "director"]
    commands = [Command.clear()]
    for dimension, top in (("discount", 100.0), ("amount", 10_000_000.0)):
        step = top / bands
        commands += [
            Command.create(
                {
                    "dimension": dimension,
                    "above": i * step,
                    "up_to": 0 if i == bands - 1 else (i + 1) * step,
                    "level": levels[min(2, 3 * i // bands)],
                }
            )
            for i in range(bands)
        ]
    matrix.band_ids = commands


def bench_policy(env, runs, sizes, matrix_bands=None):
    rep, sup, legal = benchlib.policy_sales_force(env, matrix_bands or "")
    if matrix_bands:
        _big_matrix(env, matrix_bands)
    label = f"sales_policy, matrix {matrix_bands * 2} bands" if matrix_bands else "sales_policy"
    rows = []
    for size in sizes:
        state = {}

        def before(size=size, state=state):
            order = _order(env, rep, size)
            order.sudo().write({"commitment_date": "2030-01-01 10:00:00"})  # 篇四 §14
            state["order"] = benchlib.ready_to_confirm(order, rep, sup, legal)

        def confirm(state=state):
            state["order"].with_user(rep).action_confirm()

        t, q, _ = benchlib.measure(env, confirm, runs, before=before)
        rows.append({"scenario": label, "size": size, "time": t, "queries": q})
    return rows


def bench_core(env, runs, sizes):
    user = new_test_user(env, "bench_rep", groups="sales_team.group_sale_salesman")
    rows = []
    for size in sizes:
        state = {}

        def before(size=size, state=state):
            state["order"] = _order(env, user, size)
            state["order"].sudo().write({"commitment_date": "2030-01-01 10:00:00"})

        def confirm(state=state):
            state["order"].with_user(user).action_confirm()

        t, q, _ = benchlib.measure(env, confirm, runs, before=before)
        rows.append({"scenario": "core Odoo", "size": size, "time": t, "queries": q})
    return rows


def bench_oca(env, runs, sizes):
    rep = new_test_user(env, "bench_rep", groups="sales_team.group_sale_salesman")
    reviewers = [
        new_test_user(env, f"bench_{name}", groups="sales_team.group_sale_salesman_all_leads")
        for name in ("sup", "rm", "dir")
    ]
    model = env["ir.model"]._get("sale.order")
    for sequence, (reviewer, domain) in enumerate(
        (
            (reviewers[0], "[]"),
            (
                reviewers[1],
                "['|', ('amount_untaxed', '>', 500000), ('order_line.discount', '>', 10)]",
            ),
            (
                reviewers[2],
                "['|', ('amount_untaxed', '>', 2000000), ('order_line.discount', '>', 20)]",
            ),
        ),
        start=1,
    ):
        env["tier.definition"].create(
            {
                "model_id": model.id,
                "review_type": "individual",
                "reviewer_id": reviewer.id,
                "definition_domain": domain,
                "sequence": 100 - sequence,
                "approve_sequence": True,
            }
        )
    rows = []
    for size in sizes:
        state = {}

        def before(size=size, state=state):
            order = _order(env, rep, size)
            order.sudo().write({"commitment_date": "2030-01-01 10:00:00"})
            order.with_user(rep).request_validation()
            order.invalidate_recordset()
            for reviewer in reviewers:
                order.with_user(reviewer).validate_tier()
            state["order"] = order

        def confirm(state=state):
            state["order"].with_user(rep).action_confirm()

        t, q, _ = benchlib.measure(env, confirm, runs, before=before)
        rows.append({"scenario": "OCA sale_tier_validation", "size": size, "time": t, "queries": q})
    return rows


def _in_db(db, func, *args):
    with benchlib.rolled_back_env(db) as env:
        return func(env, *args)


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--db-core", required=True, help="database with sale_management only")
    parser.add_argument("--db-oca", help="database with OCA sale_tier_validation")
    parser.add_argument("--bands", type=int, default=200, help="bands per dimension (large matrix)")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        default=list(SIZES),
        help="order lines (default 1,50,500)",
    )
    args = parser.parse_args()
    rows = []
    with benchlib.odoo_env(args.db, args.config) as env:
        rows += bench_policy(env, args.runs, args.sizes)
        rows += bench_policy(env, args.runs, args.sizes, matrix_bands=args.bands)
    rows += _in_db(args.db_core, bench_core, args.runs, args.sizes)
    if args.db_oca:
        rows += _in_db(args.db_oca, bench_oca, args.runs, args.sizes)
    core = {row["size"]: row for row in rows if row["scenario"] == "core Odoo"}
    for row in rows:
        base = core[row["size"]]
        row["floor"] = base["time"]
        row["scenario"] += f" (+{row['queries'] - base['queries']:.0f} q vs core)"
    print("\nConfirming an approved order of N lines (floor = core Odoo, same size)\n")
    benchlib.print_table(rows)


if __name__ == "__main__":
    main()
