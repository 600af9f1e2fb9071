"""Benchmark of the appraisal (sales_policy_kpi, 篇四 §23–26): the full run of a quarter.

Generates a sales force of ``--reps`` salespeople, customers, ``--lines`` sale order
lines (in orders of 10 lines, one in twenty cancelled), ``--invoices`` posted customer
invoices (one receivable and one income line each, 30 % partly paid), two visits per
customer and the salespeople's sales targets, all dated in the current quarter, then
times, for the quarter:

* **run**: the whole appraisal run with the default template (sales amount against
  the sales targets, collection rate, new customers, satisfaction, visits, five
  qualitative items): sheets created, every indicator computed for every salesperson,
  items written, totals, grades and ranks;
* **floor**: one grouped SQL aggregate per indicator over the same rows (the least any
  implementation reads), timed the same way; each indicator's provider is also timed
  alone beside its own aggregate (indented rows);
* **naive**: a per-salesperson ORM loop over the same indicators (``search`` and
  ``mapped`` per salesperson, a query per customer for "new"), as most store modules
  compute a scorecard; timed once (``--naive-runs``), skipped with ``--no-naive``.

Everything is rolled back at the end.

    .venv/bin/python tests/benchmarks/bench_kpi.py --db DB --reps 50 --lines 100000
"""

import sys
import time
from datetime import date
from pathlib import Path

from odoo.tools import SQL, date_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import datagen

#: Sales force shapes: salespeople → (regions, teams per region, reps per team).
SHAPES = {50: (2, 5, 5), 500: (5, 10, 10)}


def quarter_of(day):
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1), str((day.month - 1) // 3 + 1)


def floors(env, date_from, date_to, runs):
    """One grouped aggregate per indicator of the default template: {code: seconds}."""
    company = env.company.id
    satisfaction = env["sales.policy.satisfaction.report"]._table_query
    satisfaction = satisfaction if isinstance(satisfaction, SQL) else SQL(satisfaction)
    start, stop = env["sales.policy.visit"]._sales_policy_period_bounds(date_from, date_to)
    queries = {
        "sales_amount": SQL(
            """
            SELECT invoice_user_id, SUM(amount_untaxed_signed) FROM account_move
             WHERE company_id = %s AND move_type IN ('out_invoice', 'out_refund')
               AND state = 'posted' AND invoice_date BETWEEN %s AND %s
          GROUP BY invoice_user_id
            """,
            company,
            date_from,
            date_to,
        ),
        # the installments due by the period's end and what settled them, with the
        # journal of the entry that settled them: the rows the collection rate reads
        # (receivable lines, their partial reconciliations and the counterpart lines:
        # what a credit note settled is not collected, so no implementation can leave
        # the counterpart's journal unread)
        "collection_rate": SQL(
            """
            SELECT move.invoice_user_id, SUM(aml.balance),
                   SUM(part.amount) FILTER (WHERE journal.type IN ('bank', 'cash', 'credit'))
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
         LEFT JOIN (account_partial_reconcile part
                    JOIN account_move_line counter ON counter.id = part.credit_move_id
                    JOIN account_journal journal ON journal.id = counter.journal_id)
                ON part.debit_move_id = aml.id AND part.max_date <= %s
             WHERE aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
               AND move.move_type = 'out_invoice' AND aml.company_id = %s
               AND aml.date_maturity <= %s
          GROUP BY move.invoice_user_id
            """,
            date_to,
            company,
            date_to,
        ),
        "new_customers": SQL(
            """
            SELECT user_id, COUNT(DISTINCT partner_id) FROM sale_order
             WHERE state = 'sale' AND company_id = %s AND date_order >= %s AND date_order < %s
          GROUP BY user_id
            """,
            company,
            start,
            stop,
        ),
        "satisfaction": SQL(
            "SELECT user_id, AVG(score), COUNT(*) FROM (%s) report "
            "WHERE date BETWEEN %s AND %s GROUP BY user_id",
            satisfaction,
            date_from,
            date_to,
        ),
        "visits": SQL(
            """
            SELECT user_id, COUNT(*) FILTER (WHERE state = 'done'), COUNT(*)
              FROM sales_policy_visit
             WHERE state != 'cancelled' AND date_planned >= %s AND date_planned < %s
          GROUP BY user_id
            """,
            start,
            stop,
        ),
    }
    # without JIT compilation, as the run reads its largest aggregate (compiling is no
    # reading: a floor paying for it would flatter the run)
    with env["base"]._sales_policy_jit_off():
        return {code: benchlib.measure_sql(env, query, runs)[0] for code, query in queries.items()}


def naive_scorecard(env, reps, date_from, date_to):
    """What most store modules do: each indicator, salesperson by salesperson."""
    Move = env["account.move"]
    Order = env["sale.order"]
    Visit = env["sales.policy.visit"]
    start, stop = Visit._sales_policy_period_bounds(date_from, date_to)
    result = {}
    for rep in reps:
        invoices = Move.search(
            [
                ("invoice_user_id", "=", rep.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
            ]
        )
        sales = sum(invoices.mapped("amount_untaxed_signed"))
        collection = Move._sales_policy_collection_figures(date_from, date_to, user_ids=rep.ids)
        orders = Order.search(
            [
                ("user_id", "=", rep.id),
                ("state", "=", "sale"),
                ("date_order", ">=", start),
                ("date_order", "<", stop),
            ]
        )
        new = 0
        for partner in orders.partner_id.commercial_partner_id:
            earlier = Order.search_count(
                [
                    ("partner_id.commercial_partner_id", "=", partner.id),
                    ("state", "=", "sale"),
                    ("date_order", "<", start),
                ],
                limit=1,
            )
            new += not earlier
        satisfaction = env["sales.policy.satisfaction"]._sales_policy_satisfaction_figures(
            date_from, date_to, user_ids=rep.ids
        )
        planned = Visit.search_count(
            [
                ("user_id", "=", rep.id),
                ("state", "!=", "cancelled"),
                ("date_planned", ">=", start),
                ("date_planned", "<", stop),
            ]
        )
        done = Visit.search_count(
            [
                ("user_id", "=", rep.id),
                ("state", "=", "done"),
                ("date_planned", ">=", start),
                ("date_planned", "<", stop),
            ]
        )
        result[rep.id] = (sales, collection, new, satisfaction, planned, done)
    return result


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50, choices=sorted(SHAPES))
    parser.add_argument("--lines", type=int, default=100_000, help="sale order lines")
    parser.add_argument(
        "--invoices", type=int, help="posted customer invoices (default: --lines / 2)"
    )
    parser.add_argument("--customers", type=int, help="default: 40 per salesperson")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive ORM loop")
    parser.add_argument("--naive-runs", type=int, default=1)
    args = parser.parse_args()
    invoices = args.invoices if args.invoices is not None else args.lines // 2
    customers = args.customers or args.reps * 40
    regions, teams, per_team = SHAPES[args.reps]

    with benchlib.odoo_env(args.db, args.config) as env:
        # generation without chatter; the measured run with it, as in production
        gen = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
        today = env.cr.now().date()
        date_from, quarter = quarter_of(today)
        # the run's period: the whole quarter (installments fall due until its end)
        date_to = date_utils.end_of(date_from, "quarter")
        age = (today - date_from).days + 1
        began = time.perf_counter()
        print(
            f"Generating {args.reps} salespeople, {customers:,} customers, "
            f"{args.lines:,} order lines, {invoices:,} invoices in {today.year} Q{quarter}…",
            flush=True,
        )
        force = datagen.make_sales_force(gen, regions, teams, per_team, tag="kpi")
        reps = force["reps"]
        partner_ids = datagen.insert_partners(env, customers, reps, tag="kpi")
        made = datagen.insert_order_lines(env, partner_ids, args.lines, max_age_days=age, tag="kpi")
        datagen.insert_receivables(env, invoices, partner_ids, force["team_of"], max_age_days=age)
        datagen.insert_visits(env, partner_ids, force["team_of"], max_age_days=age)
        Target = gen["sales.policy.kpi.target"]
        Target.create(
            [
                {
                    "level": "salesperson",
                    "user_id": rep.id,
                    "team_id": force["team_of"][rep.id],
                    "period_type": "quarter",
                    "year": today.year,
                    "quarter": quarter,
                    "amount": 100_000.0,
                }
                for rep in reps
            ]
        )
        env.flush_all()
        datagen._analyze(env.cr, "account_move", "account_move_line", "sales_policy_visit")
        print(
            f"Generated in {time.perf_counter() - began:.0f} s "
            f"({made['orders']:,} orders, {made['lines']:,} lines).",
            flush=True,
        )
        template = env.ref("sales_policy_kpi.kpi_template_sales_rep")

        def run_appraisal():
            run = env["sales.policy.kpi.run"].create(
                {
                    "period_type": "quarter",
                    "year": today.year,
                    "quarter": quarter,
                    "template_id": template.id,
                    "name": "bench",
                }
            )
            run.action_generate()
            return run.sheet_count

        seconds, queries, sheets = benchlib.measure(env, run_appraisal, args.runs)
        assert sheets == len(reps), (sheets, len(reps))
        floor = floors(env, date_from, date_to, args.runs)
        size = args.lines
        rows = [
            {
                "scenario": f"appraisal run, {args.reps} reps",
                "size": size,
                "time": seconds,
                "queries": queries,
                "floor": sum(floor.values()),
            }
        ]
        Indicator = env["sales.policy.kpi.indicator"]
        no_categ = env["product.category"]
        for code, value in floor.items():
            # the run's provider of this indicator alone, beside its aggregate
            p_seconds, p_queries, _figures = benchlib.measure(
                env,
                lambda code=code: Indicator._kpi_compute(
                    [(code, no_categ)], date_from, date_to, reps, env.company
                ),
                args.runs,
            )
            rows.append(
                {
                    "scenario": f"  {code}",
                    "size": size,
                    "time": p_seconds,
                    "queries": p_queries,
                    "floor": value,
                }
            )
        if not args.no_naive:
            n_seconds, n_queries, _result = benchlib.measure(
                env, lambda: naive_scorecard(env, reps, date_from, date_to), args.naive_runs
            )
            rows.append(
                {
                    "scenario": f"naive ORM loop, {args.reps} reps",
                    "size": size,
                    "time": n_seconds,
                    "queries": n_queries,
                    "floor": sum(floor.values()),
                }
            )
        benchlib.print_table(rows)


if __name__ == "__main__":
    main()
