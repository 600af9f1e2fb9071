"""Benchmark of collection (篇四 §15): ageing report, escalation job, bad-debt job, rate.

Generates a sales force, 20,000 customers and N open receivable lines (posted customer
invoices, a share of them partly paid), then times, against the floor (one SQL
aggregate over the same rows):

* the ageing report as the pivot reads it (director: all rows; a regional manager:
  the region's rows through the record rules);
* the escalation ladder in its steady state (yesterday's alerts open, nothing new):
  the engine's diff of one rung (its candidates joined with its open alerts) and the
  whole daily escalation job of the three rungs;
* the daily job of the bad-debt alert rule (threshold not reached: nothing new);
* the collection figures of every salesperson for the current month.

Everything is rolled back at the end.

    .venv/bin/python tests/benchmarks/bench_collection.py --db DB --lines 100000
"""

import sys
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import datagen

LADDER = ("collection_rep", "collection_supervisor", "collection_manager")

OPEN_INSTALLMENTS_LINES = """
    FROM account_move_line aml
   WHERE aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
     AND aml.reconciled IS NOT TRUE AND aml.amount_residual > 0
"""
OPEN_INSTALLMENTS = """
    FROM account_move_line aml
    JOIN account_move move ON move.id = aml.move_id
   WHERE aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
     AND aml.reconciled IS NOT TRUE AND aml.amount_residual > 0
"""


def floor_overdue(env, cutoff, runs):
    """One aggregate over the open installments of customer invoices due on or before
    ``cutoff``, per salesperson: the rows the escalation ladder reads (an installment
    and its invoice's salesperson, who gets the reminder)."""
    return benchlib.measure_sql(
        env,
        SQL(
            """
            SELECT move.invoice_user_id, count(*), sum(aml.amount_residual) %s
               AND aml.date_maturity <= %s AND move.move_type = 'out_invoice'
          GROUP BY move.invoice_user_id
            """,
            SQL(OPEN_INSTALLMENTS),
            cutoff,
        ),
        runs,
    )


def scan_overdue(env, cutoff, runs):
    """The bare scan of the same installments, without their invoices (printed for
    reference: no job that names the salesperson can go below it)."""
    return benchlib.measure_sql(
        env,
        SQL(
            "SELECT count(*), sum(aml.amount_residual) %s AND aml.date_maturity <= %s",
            SQL(OPEN_INSTALLMENTS_LINES),
            cutoff,
        ),
        runs,
    )


def floor_ageing(env, today, runs, user_ids=None):
    """One aggregate of the open receivable residuals by salesperson and bucket."""
    where = SQL("TRUE")
    if user_ids is not None:
        where = SQL("move.invoice_user_id = ANY(%s)", list(user_ids))
    return benchlib.measure_sql(
        env,
        SQL(
            """
            SELECT move.invoice_user_id,
                   CASE WHEN %(today)s - aml.date_maturity <= 0 THEN 0
                        WHEN %(today)s - aml.date_maturity <= 30 THEN 1
                        WHEN %(today)s - aml.date_maturity <= 60 THEN 2
                        WHEN %(today)s - aml.date_maturity <= 90 THEN 3 ELSE 4 END,
                   sum(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
             WHERE account.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE AND aml.amount_residual != 0 AND %(where)s
          GROUP BY 1, 2
            """,
            today=today,
            where=where,
        ),
        runs,
    )


def seed_alerts(env, rules, today):
    """Yesterday's run, by SQL: an open alert per current breach of each rung."""
    total = 0
    for rule in rules:
        candidates = rule._get_candidates()
        if not candidates:
            continue
        env.cr.execute(
            SQL(
                """
                INSERT INTO sales_policy_alert (
                    rule_id, res_model, res_id, name, user_id, notify_user_id, date_since,
                    date_start, level, state, company_id,
                    create_uid, write_uid, create_date, write_date)
                SELECT %(rule)s, 'account.move', c.res_id, move.name, c.user_id, c.user_id,
                       c.since, %(yesterday)s, %(level)s, 'open', move.company_id,
                       1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(users)s::int[], %(since)s::date[])
                       AS c(res_id, user_id, since)
                  JOIN account_move move ON move.id = c.res_id
                """,
                rule=rule.id,
                yesterday=today - timedelta(days=1),
                level=rule.notify_level,
                ids=list(candidates),
                users=[owner or None for owner, _since in candidates.values()],
                since=[since for _owner, since in candidates.values()],
            )
        )
        total += len(candidates)
    env.invalidate_all()
    return total


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100000, help="open receivable lines")
    parser.add_argument("--customers", type=int, default=20000, help="customers")
    args = parser.parse_args()

    with benchlib.odoo_env(args.db, args.config) as env:
        print(
            f"Generating {args.customers:,} customers and {args.lines:,} open receivable lines…",
            flush=True,
        )
        force = datagen.make_sales_force(env)
        partner_ids = datagen.insert_partners(env, args.customers, force["reps"])
        made = datagen.insert_receivables(env, args.lines, partner_ids, force["team_of"])
        env.cr.execute(
            "ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile;"
            " ANALYZE res_partner"
        )
        print(f"{made['invoices']:,} invoices, {made['payments']:,} partial payments", flush=True)
        today = fields.Date.today()
        size = args.lines
        rows = []
        Rule = env["sales.policy.alert.rule"]
        ladder = Rule.search([("code", "in", LADDER)])
        rep_rule = ladder.filtered(lambda r: r.code == "collection_rep")
        Report = env["sales.policy.collection.report"]
        Move = env["account.move"]

        def add(scenario, measured, floor):
            seconds, queries, _result = measured
            rows.append(
                {
                    "scenario": scenario,
                    "size": size,
                    "time": seconds,
                    "queries": queries,
                    "floor": floor,
                }
            )

        # the jobs run for today: no frozen clock (it would stop the timer too)
        # 1. the ageing report, as the pivot reads it
        director = force["director"]
        floor, _rows = floor_ageing(env, today, args.runs)
        add(
            "ageing pivot (director, all)",
            benchlib.measure(
                env,
                lambda: Report.with_user(director)._read_group(
                    [], ["user_id", "bucket"], ["residual:sum"]
                ),
                args.runs,
            ),
            floor,
        )
        manager = force["managers"][0]
        region_users = manager.sales_policy_region_user_ids
        floor, _rows = floor_ageing(env, today, args.runs, region_users.ids)
        add(
            "ageing pivot (regional manager)",
            benchlib.measure(
                env,
                lambda: Report.with_user(manager)._read_group(
                    [], ["user_id", "bucket"], ["residual:sum"]
                ),
                args.runs,
            ),
            floor,
        )

        # 2. the escalation ladder, in its steady state (yesterday's alerts open)
        floor_rep, _rows = floor_overdue(env, today - timedelta(days=rep_rule.days), args.runs)
        scan_rep, _rows = scan_overdue(env, today - timedelta(days=rep_rule.days), args.runs)
        floor_ladder = sum(
            floor_overdue(env, today - timedelta(days=rule.days), args.runs)[0] for rule in ladder
        )
        scan_ladder = sum(
            scan_overdue(env, today - timedelta(days=rule.days), args.runs)[0] for rule in ladder
        )
        with benchlib.state_after(env, lambda: seed_alerts(env, ladder, today)) as seeded:
            env.cr.execute("ANALYZE sales_policy_alert")
            measured = benchlib.measure(env, lambda: rep_rule._get_changes(today), args.runs)
            add("escalation diff (1 rung)", measured, floor_rep)
            breaches = measured[2]["candidates"]
            rep_seconds = measured[0]
            measured = benchlib.measure(env, ladder._run, args.runs)
            add("daily escalation job (3 rungs)", measured, floor_ladder)
            ladder_seconds = measured[0]
            ladder_stats = measured[2]

        # 3. the bad-debt rule's daily job (threshold not reached: nothing new)
        days = env.company.sales_policy_bad_debt_days
        floor, _rows = floor_overdue(env, today - timedelta(days=days), args.runs)
        bad_debt_rule = env.ref("sales_policy.alert_rule_bad_debt")
        add(
            "daily bad-debt job",
            benchlib.measure(env, benchlib.rule_job(bad_debt_rule), args.runs),
            floor,
        )

        # 4. the collection figures of the month, every salesperson
        month = today.replace(day=1)
        floor, _rows = benchlib.measure_sql(
            env,
            SQL(
                """
                SELECT move.invoice_user_id, sum(aml.balance)
                  FROM account_move_line aml JOIN account_move move ON move.id = aml.move_id
                 WHERE aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
                   AND move.move_type = 'out_invoice' AND aml.date_maturity <= %s
              GROUP BY 1
                """,
                today,
            ),
            args.runs,
        )
        add(
            "collection figures (month)",
            benchlib.measure(
                env, lambda: Move._sales_policy_collection_figures(month, today), args.runs
            ),
            floor,
        )

        print()
        benchlib.print_table(rows)
        print()
        print(f"invoices overdue >= {rep_rule.days} day(s): {breaches:,}")
        print(f"alerts seeded for the steady state: {seeded:,}; job: {ladder_stats}")
        print(
            "floor: one SQL aggregate over the same rows; for the ladder, the overdue "
            "installments of customer invoices per salesperson (one per rung, summed)"
        )
        print(
            f"bare scan of those installments without their invoices: 1 rung "
            f"{scan_rep:.4f} s (diff {rep_seconds / scan_rep:.1f}x), 3 rungs "
            f"{scan_ladder:.4f} s (job {ladder_seconds / scan_ladder:.1f}x)"
        )


if __name__ == "__main__":
    main()
