"""Benchmark of the visit frequency (篇四 §10.4) and the visit figures of the appraisal.

Generates a sales force, N customers spread over the classes A (30 days), B (60 days)
and C (no frequency) and two past visits per customer (dated over 120 days, one in
five a no-show), then times, against the floor (one SQL aggregate over the visits):

* the candidates of the ``visit_frequency`` alert rule (the res.partner hook);
* its daily job: first run (every overdue customer gets an alert and an activity for
  its salesperson) and the next day (nothing new: de-duplication only);
* the "Customers Overdue for a Visit" list: count for the director, first page with
  its computed columns for a sales rep (record rules applied);
* planned vs done of every salesperson over the last 30 days (the appraisal API).

Everything is rolled back at the end.

    .venv/bin/python tests/benchmarks/bench_visit_frequency.py --db DB --customers 100000
"""

import sys
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import datagen


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10000, help="customers to generate")
    parser.add_argument("--visits", type=int, default=2, help="past visits per customer")
    args = parser.parse_args()

    with benchlib.odoo_env(args.db, args.config) as env:
        rule = env.ref("sales_policy.alert_rule_visit_frequency")
        rule.write({"active": True, "days": 0})
        Class = env["sales.policy.customer.class"]
        classes = [
            (Class.create({"code": "BA", "name": "Bench A", "max_days_between_visits": 30}), 50),
            (Class.create({"code": "BB", "name": "Bench B", "max_days_between_visits": 60}), 30),
            (Class.create({"code": "BC", "name": "Bench C", "max_days_between_visits": 0}), 20),
        ]
        print(f"Generating {args.customers:,} customers and their visits…", flush=True)
        force = datagen.make_sales_force(env)
        partner_ids = datagen.insert_partners(env, args.customers, force["reps"])
        datagen.assign_customer_classes(env, partner_ids, classes)
        visits = datagen.insert_visits(env, partner_ids, force["team_of"], per_customer=args.visits)
        env.cr.execute("ANALYZE res_partner")
        env.cr.execute("ANALYZE sales_policy_visit")
        size = args.customers
        print(f"{visits:,} visits generated", flush=True)

        floor_time, floor_rows = benchlib.measure_sql(
            env,
            SQL(
                "SELECT commercial_partner_id, max(date_visited) FROM sales_policy_visit"
                " WHERE state = 'done' GROUP BY commercial_partner_id"
            ),
            args.runs,
        )
        Partner = env["res.partner"]
        rows = []
        counts = {}

        t, q, candidates = benchlib.measure(env, lambda: rule._get_candidates(), args.runs)
        counts["candidates"] = len(candidates)
        rows.append({"scenario": "overdue customers (hook)", "size": size, "time": t, "queries": q})

        run = benchlib.rule_job(rule)
        t, q, stats = benchlib.measure(env, run, args.runs)
        counts["first run"] = stats
        rows.append({"scenario": "daily job, first run", "size": size, "time": t, "queries": q})
        with benchlib.state_after(env, run):
            t, q, stats = benchlib.measure(env, run, args.runs)
            counts["next day"] = stats
            rows.append(
                {
                    "scenario": "daily job, next day (no change)",
                    "size": size,
                    "time": t,
                    "queries": q,
                }
            )

        overdue = [("sales_policy_visit_overdue", "=", True)]
        Director = Partner.with_user(force["director"])
        t, q, found = benchlib.measure(env, lambda: Director.search_count(overdue), args.runs)
        counts["overdue list (director)"] = found
        rows.append(
            {"scenario": "overdue list, director (count)", "size": size, "time": t, "queries": q}
        )
        # a rep with overdue customers, through the record rules
        Rep = Partner.with_user(Partner.browse(min(candidates)).user_id)

        def first_page():
            return Rep.search_read(
                overdue,
                [
                    "display_name",
                    "sales_policy_customer_class_id",
                    "user_id",
                    "sales_policy_last_visit_date",
                    "sales_policy_next_visit_due",
                ],
                limit=80,
            )

        t, q, page = benchlib.measure(env, first_page, args.runs)
        counts["overdue list (rep, page)"] = len(page)
        rows.append(
            {"scenario": "overdue list, rep (first page)", "size": size, "time": t, "queries": q}
        )

        today = fields.Date.today()
        Visit = env["sales.policy.visit"].sudo()
        t, q, figures = benchlib.measure(
            env,
            lambda: Visit._sales_policy_visit_figures(today - timedelta(days=30), today),
            args.runs,
        )
        counts["figures (salespeople)"] = len(figures)
        rows.append(
            {
                "scenario": "planned vs done, 30 days, all reps",
                "size": size,
                "time": t,
                "queries": q,
            }
        )

        for row in rows:
            row["floor"] = floor_time
        print()
        benchlib.print_table(rows)
        print()
        for name, stats in counts.items():
            print(f"{name}: {stats}")
        print(
            f"floor: last done visit of every customer (one grouped scan of {visits:,} "
            f"visits, {len(floor_rows):,} groups)"
        )


if __name__ == "__main__":
    main()
