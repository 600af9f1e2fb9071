"""Benchmark of credit risk (篇一 §18, 篇四 §22) side by side with OCA sale_financial_risk.

Generates the same data in two databases (``datagen``: customers and posted customer
invoices with one open receivable line each, 30 % partly paid, by bulk SQL) and times,
with their SQL query counts:

(a) confirming one approved order (approval, contract and credit gates on) for a
    customer with N open receivable lines: ours against the same confirmation with the
    credit gate switched off (what it adds), against OCA ``sale_financial_risk``
    (``action_confirm`` with its risk check) and against one SQL aggregate of the
    customer's open receivables;
(b) listing the customers over their credit limit among N customers (4 open lines
    each; a third with a limit of their own, the others on the company's default
    limit): our search (``sales_policy_credit_over_limit``, as finance, through the
    record rules) against OCA's ``risk_exception`` search and against one SQL aggregate
    of the open receivables per customer;
(c) the daily jobs at N customers / M lines: the credit assessment job (every
    customer due) and the five credit early-warning rules (candidates, and the daily
    job of the five rules on its first run), against the same SQL aggregate. OCA has no
    assessment or warning job: its anchor is its over-risk search on the same data.

Everything is rolled back in both databases.

    tests/benchmarks/prepare_risk.sh        # creates the two databases once
    .venv/bin/python tests/benchmarks/bench_risk.py --db sp_bench_risk \
        --db-oca sp_bench_risk_oca --job-customers 50000 --job-lines 1000000
"""

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

from odoo.fields import Command
from odoo.tests import new_test_user
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import datagen

CONFIRM_LINES = (10, 1_000, 10_000, 100_000)
LIST_CUSTOMERS = (1_000, 10_000, 50_000)
LINES_PER_CUSTOMER = 4
CREDIT_RULES = (
    "credit_overdue",
    "credit_use",
    "credit_grade_drop",
    "credit_large_order",
    "credit_orders_drop",
)
#: the limits of (b) and (c): a third of the customers has its own, the others the
#: company's default; with invoices of 100–10,000 about half the customers are over
OWN_LIMIT = 12_000.0
_BATCH = itertools.count(1)
DEFAULT_LIMIT = 18_000.0


# ----------------------------------------------------------------------------------
# Data (the same in both databases)
# ----------------------------------------------------------------------------------
def _reps(env, policy, tag, count=10):
    """``count`` salespeople (ours: in a sales hierarchy of 2 teams)."""
    if policy:
        force = datagen.make_sales_force(
            env, regions=1, teams_per_region=2, reps_per_team=count // 2, tag=tag
        )
        return force["reps"], force["team_of"]
    reps = env["res.users"]
    for i in range(count):
        reps |= new_test_user(env, f"{tag}_rep_{i}", groups="sales_team.group_sale_salesman")
    return reps, {}


def _customers(env, reps, team_of, customers, lines, max_age_days=200):
    """``customers`` customers and ``lines`` open receivable lines over them."""
    tag = f"bench{next(_BATCH)}"  # the invoices' names are unique per journal
    partner_ids = datagen.insert_partners(env, customers, reps, tag=tag)
    datagen.insert_receivables(env, lines, partner_ids, team_of, max_age_days=max_age_days, tag=tag)
    # a delivery address: an order is complete (篇四 §14)
    env.cr.execute(
        SQL(
            "UPDATE res_partner SET street = '1 Bench Road', city = 'Shenzhen' WHERE id = ANY(%s)",
            partner_ids,
        )
    )
    env.invalidate_all()
    return partner_ids


def _set_limits(env, partner_ids, oca, own_limit=OWN_LIMIT, default=DEFAULT_LIMIT, every=3):
    """Every ``every``-th customer its own limit, the company's default for the others
    (OCA: its risk includes the open and unpaid invoices of every customer)."""
    company = env.company
    env["ir.default"].set("res.partner", "credit_limit", default, company_id=company.id)
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            UPDATE res_partner
               SET credit_limit = CASE WHEN id = ANY(%(own)s)
                                       THEN jsonb_build_object(%(company)s, %(limit)s)
                                       END %(oca)s
             WHERE id = ANY(%(ids)s)
            """,
            own=list(partner_ids)[::every],
            company=str(company.id),
            limit=own_limit,
            oca=SQL(", risk_invoice_open_include = TRUE, risk_invoice_unpaid_include = TRUE")
            if oca
            else SQL(""),
            ids=list(partner_ids),
        )
    )
    env.invalidate_all()


def floor_receivables(env, runs, partner_ids=None):
    """One SQL aggregate: the open receivables per customer (of ``partner_ids``)."""
    return benchlib.measure_sql(
        env,
        SQL(
            """
            SELECT partner.commercial_partner_id, SUM(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE aml.parent_state = 'posted' AND NOT aml.reconciled
               AND account.account_type = 'asset_receivable' AND %s
          GROUP BY partner.commercial_partner_id
            """,
            SQL("aml.partner_id = ANY(%s)", list(partner_ids)) if partner_ids else SQL("TRUE"),
        ),
        runs,
    )[0]


def _product(env):
    return env["product.product"].create(
        {"name": "Bench product", "list_price": 10.0, "taxes_id": []}
    )


def _new_order(env, user, partner_id, product):
    return (
        env["sale.order"]
        .with_user(user)
        .create(
            {
                "partner_id": partner_id,
                "user_id": user.id,
                "commitment_date": "2030-01-01 10:00:00",  # 篇四 §14
                "payment_term_id": env.ref("account.account_payment_term_30days").id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
    )


# ----------------------------------------------------------------------------------
# Ours
# ----------------------------------------------------------------------------------
def ours_confirm(env, runs, sizes):
    rep, sup, legal = benchlib.policy_sales_force(env, "_credit")
    company = env.company
    company.write({"account_use_credit_limit": True, "sales_policy_credit_overdue_days": 60})
    product = _product(env)
    rows = []
    for size in sizes:
        # due within the last 60 days at most: the overdue gate lets the order through
        (customer,) = _customers(env, rep, {}, 1, size, max_age_days=90)
        _set_limits(env, [customer], False, own_limit=1e12, every=1)
        state = {}

        def before(customer=customer, state=state):
            order = _new_order(env, rep, customer, product)
            state["order"] = benchlib.ready_to_confirm(order, rep, sup, legal)

        def confirm(state=state):
            state["order"].with_user(rep).action_confirm()
            assert state["order"].state == "sale"

        floor = floor_receivables(env, runs, [customer])
        if size == sizes[0]:  # warm the registry's caches (not measured)
            benchlib.measure(env, confirm, 1, before=before)
        t, q, _ = benchlib.measure(env, confirm, runs, before=before)
        SaleOrder = type(env["sale.order"])
        with mock.patch.object(SaleOrder, "_policy_credit_error", lambda self: False):
            t0, q0, _ = benchlib.measure(env, confirm, runs, before=before)
        rows.append(
            {
                "part": "a",
                "who": "ours",
                "size": size,
                "time": t,
                "queries": q,
                "floor": floor,
                "base_time": t0,
                "base_queries": q0,
            }
        )
    return rows


def ours_list(env, runs, sizes):
    reps, team_of = _reps(env, True, "bench_list")
    finance = new_test_user(env, "bench_credit_finance", groups="sales_policy.group_finance")
    action = env.ref("sales_policy_risk.res_partner_action_sales_policy_credit_over_limit")
    domain = safe_eval(action.domain)
    rows = []
    for size in sizes:

        def prepare(size=size):
            ids = _customers(env, reps, team_of, size, size * LINES_PER_CUSTOMER)
            _set_limits(env, ids, False)
            return ids

        with benchlib.state_after(env, prepare):
            floor = floor_receivables(env, runs)
            Partner = env["res.partner"].with_user(finance)
            if size == sizes[0]:  # warm the registry's caches (not measured)
                Partner.search(domain)
            t, q, found = benchlib.measure(
                env, lambda Partner=Partner: Partner.search(domain), runs
            )
            rows.append(
                {
                    "part": "b",
                    "who": "ours",
                    "size": size,
                    "time": t,
                    "queries": q,
                    "floor": floor,
                    "found": len(found),
                }
            )
    return rows


def ours_jobs(env, runs, customers, lines):
    Assessment = env["sales.policy.credit.assessment"]
    rules = env["sales.policy.alert.rule"].search([("code", "in", CREDIT_RULES)])
    with benchlib.state_after(env, lambda: None):  # warm the registry's caches
        Assessment._cron_sales_policy_assess()
        rules._run()
    reps, team_of = _reps(env, True, "bench_jobs")
    ids = _customers(env, reps, team_of, customers, lines)
    _set_limits(env, ids, False)
    floor = floor_receivables(env, runs)
    rows = []
    t, q, _ = benchlib.measure(env, Assessment._cron_sales_policy_assess, runs)
    rows.append(
        {
            "part": "c",
            "who": "ours",
            "scenario": "credit assessment job",
            "size": customers,
            "time": t,
            "queries": q,
            "floor": floor,
        }
    )
    for rule in rules:
        t, q, cands = benchlib.measure(env, rule._get_candidates, runs)
        rows.append(
            {
                "part": "c",
                "who": "ours",
                "scenario": f"{rule.code} candidates",
                "size": customers,
                "time": t,
                "queries": q,
                "floor": floor,
                "found": len(cands),
            }
        )
    first = {}

    def first_run():
        """The first run (every breach new), timed once: the next day stands on it."""
        env.flush_all()
        env.invalidate_all()
        start_queries, start = env.cr.sql_log_count, time.perf_counter()
        stats = rules._run()
        env.flush_all()
        env.cr.precommit.run()
        first.update(
            time=time.perf_counter() - start,
            queries=env.cr.sql_log_count - start_queries,
            found=sum(s["created"] for s in stats.values()),
        )

    with benchlib.state_after(env, first_run):  # yesterday's alerts are open
        rows.append(
            {
                "part": "c",
                "who": "ours",
                "scenario": "5 credit rules, daily job (first run, 1 run)",
                "size": customers,
                "floor": floor,
                **first,
            }
        )
        t, q, stats = benchlib.measure(env, rules._run, runs)
    rows.append(
        {
            "part": "c",
            "who": "ours",
            "scenario": "5 credit rules, daily job (again: nothing new)",
            "size": customers,
            "time": t,
            "queries": q,
            "floor": floor,
            "found": sum(s["candidates"] for s in stats.values()),
        }
    )
    return rows


# ----------------------------------------------------------------------------------
# OCA sale_financial_risk (a worker process: its own configuration and registry)
# ----------------------------------------------------------------------------------
def oca_confirm(env, runs, sizes):
    rep = new_test_user(env, "bench_credit_rep", groups="sales_team.group_sale_salesman")
    env.company.write({"account_use_credit_limit": True, "allow_overrisk_sale_confirmation": False})
    product = _product(env)
    rows = []
    for size in sizes:
        (customer,) = _customers(env, rep, {}, 1, size, max_age_days=90)
        _set_limits(env, [customer], True, own_limit=1e12, every=1)
        state = {}

        def before(customer=customer, state=state):
            state["order"] = _new_order(env, rep, customer, product)

        def confirm(state=state):
            state["order"].with_user(rep).action_confirm()
            assert state["order"].state == "sale"

        def confirm_bypass(state=state):
            state["order"].with_user(rep).with_context(bypass_risk=True).action_confirm()

        floor = floor_receivables(env, runs, [customer])
        if size == sizes[0]:  # warm the registry's caches (not measured)
            benchlib.measure(env, confirm, 1, before=before)
        t, q, _ = benchlib.measure(env, confirm, runs, before=before)
        t0, q0, _ = benchlib.measure(env, confirm_bypass, runs, before=before)
        rows.append(
            {
                "part": "a",
                "who": "oca",
                "size": size,
                "time": t,
                "queries": q,
                "floor": floor,
                "base_time": t0,
                "base_queries": q0,
            }
        )
    return rows


def oca_list(env, runs, sizes, lines_per_customer=LINES_PER_CUSTOMER, part="b"):
    reps, team_of = _reps(env, False, f"bench_{part}")
    rows = []
    for size in sizes:

        def prepare(size=size):
            ids = _customers(env, reps, team_of, size, int(size * lines_per_customer))
            _set_limits(env, ids, True)
            return ids

        with benchlib.state_after(env, prepare):
            floor = floor_receivables(env, runs)
            Partner = env["res.partner"]
            if size == sizes[0]:  # warm the registry's caches (not measured)
                Partner.search([("risk_exception", "=", True)])
            t, q, found = benchlib.measure(
                env, lambda P=Partner: P.search([("risk_exception", "=", True)]), runs
            )
            rows.append(
                {
                    "part": part,
                    "who": "oca",
                    "size": size,
                    "time": t,
                    "queries": q,
                    "floor": floor,
                    "found": len(found),
                }
            )
    return rows


def oca_worker(args):
    benchlib.config.parse_config(benchlib._config_args(args.db_oca, None), setup_logging=True)
    rows = []
    with benchlib.rolled_back_env(args.db_oca) as env:
        if "a" in args.parts:
            rows += oca_confirm(env, args.runs, args.confirm_lines)
        if "b" in args.parts:
            rows += oca_list(env, args.runs, args.customers)
        if "c" in args.parts:
            rows += oca_list(
                env,
                args.runs,
                [args.job_customers],
                lines_per_customer=args.job_lines / args.job_customers,
                part="c",
            )
    print("ROWS " + json.dumps(rows))


# ----------------------------------------------------------------------------------
def _sizes(text):
    return [int(size) for size in text.split(",")]


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--db-oca", help="database with OCA sale_financial_risk")
    parser.add_argument("--parts", default="abc", help="which of a, b, c (default abc)")
    parser.add_argument(
        "--confirm-lines",
        type=_sizes,
        default=list(CONFIRM_LINES),
        help="(a) open lines of the customer (default 10,1000,10000,100000)",
    )
    parser.add_argument(
        "--customers",
        type=_sizes,
        default=list(LIST_CUSTOMERS),
        help="(b) customers (default 1000,10000,50000)",
    )
    parser.add_argument("--job-customers", type=int, default=50_000, help="(c) customers")
    parser.add_argument("--job-lines", type=int, default=1_000_000, help="(c) open lines")
    parser.add_argument("--oca-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.oca_worker:
        return oca_worker(args)
    rows = []
    with benchlib.odoo_env(args.db, args.config) as env:
        if "a" in args.parts:
            rows += ours_confirm(env, args.runs, args.confirm_lines)
        if "b" in args.parts:
            rows += ours_list(env, args.runs, args.customers)
        if "c" in args.parts:
            rows += ours_jobs(env, args.runs, args.job_customers, args.job_lines)
    if args.db_oca:
        report(rows)  # ours first: the OCA part takes long at large sizes
        sys.stdout.flush()
        worker = subprocess.run(
            [sys.executable, __file__, "--oca-worker", *sys.argv[1:]],
            check=False,
            capture_output=True,
            text=True,
        )
        lines = [line for line in worker.stdout.splitlines() if line.startswith("ROWS ")]
        if worker.returncode or not lines:
            sys.exit(f"The OCA part failed:\n{worker.stderr[-3000:]}")
        rows += json.loads(lines[0][5:])
        print("\n==== side by side with OCA sale_financial_risk ====")
    report(rows)


def report(rows):
    oca = {(row["part"], row["size"]): row for row in rows if row["who"] == "oca"}
    if any(row["part"] == "a" for row in rows):
        print("\n(a) Confirming one approved order for a customer with N open receivable lines")
        print("    floor = one SQL aggregate of the customer's open receivables\n")
        table = []
        for row in rows:
            if row["part"] != "a":
                continue
            label = (
                "ours (approval, contract, credit gates)"
                if row["who"] == "ours"
                else ("OCA sale_financial_risk")
            )
            extra = row["queries"] - row["base_queries"]
            table.append({**row, "scenario": f"{label}: +{extra:.0f} q vs gate off"})
            table.append(
                {
                    **row,
                    "scenario": f"{label}, credit gate off",
                    "time": row["base_time"],
                    "queries": row["base_queries"],
                }
            )
        benchlib.print_table(table)
        _anchor_ratios(rows, oca, "a")
    for part, title in (
        ("b", "(b) Listing the customers over their credit limit among N customers"),
        ("c", "(c) Daily jobs (N customers)"),
    ):
        table = [
            {
                **row,
                "scenario": (
                    row.get("scenario")
                    or (
                        "ours: search over-limit (finance)"
                        if row["who"] == "ours"
                        else "OCA: search risk_exception"
                    )
                )
                + (f" [{row['found']:,} found]" if "found" in row else ""),
            }
            for row in rows
            if row["part"] == part
        ]
        if table:
            print(f"\n{title}; floor = one SQL aggregate of the open receivables per customer\n")
            benchlib.print_table(table)
            _anchor_ratios(rows, oca, part)


def _anchor_ratios(rows, oca, part):
    for row in rows:
        anchor = oca.get((part, row["size"]))
        if row["part"] == part and row["who"] == "ours" and anchor:
            print(
                f"  size {row['size']:,}: {row.get('scenario') or 'ours'} / OCA = "
                f"{row['time'] / anchor['time']:.2f}x time, "
                f"{row['queries']:.0f} vs {anchor['queries']:.0f} queries"
            )


if __name__ == "__main__":
    main()
