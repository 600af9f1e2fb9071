"""Benchmark of the alert engine (mechanism 3) on the lead follow-up rule (篇四 §9).

Generates a sales force and N open leads (a share of them without contact for more
than the rule's days), then times the daily job of the rule in its four situations
and the supervisor's overdue list, against the floor: one SQL aggregate over the
same rows. Everything is rolled back at the end.

    .venv/bin/python tests/benchmarks/bench_alerts.py --db DB --leads 100000
"""

import sys
from pathlib import Path

from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import datagen


def main():
    parser = benchlib.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10000, help="leads to generate")
    parser.add_argument(
        "--overdue",
        type=float,
        default=datagen.DEFAULT_OVERDUE_RATIO,
        help="share of the leads that breach the follow-up rule",
    )
    args = parser.parse_args()

    with benchlib.odoo_env(args.db, args.config) as env:
        rule = env.ref("sales_policy.alert_rule_lead_follow_up")
        print(
            f"Generating {args.leads:,} leads (rule: {rule.days} days, escalation after "
            f"{rule.escalation_days} days)…",
            flush=True,
        )
        force = datagen.make_sales_force(env)
        breaching = datagen.insert_leads(
            env,
            args.leads,
            force["reps"],
            force["team_of"],
            follow_up_days=rule.days,
            overdue_ratio=args.overdue,
        )
        env.cr.execute("ANALYZE crm_lead")
        size = args.leads
        cutoff = rule._alert_cutoff("datetime")
        floor_time, floor_rows = benchlib.measure_sql(
            env,
            SQL(
                """
                SELECT user_id, count(*) FROM crm_lead
                 WHERE active AND user_id IS NOT NULL AND won_status = 'pending'
                   AND COALESCE(date_open, create_date) < %(cutoff)s
                   AND (sales_policy_last_contact_date IS NULL
                        OR sales_policy_last_contact_date < %(cutoff)s)
                 GROUP BY user_id
                """,
                cutoff=cutoff,
            ),
            args.runs,
        )
        floor_count = sum(count for _user, count in floor_rows)
        print(f"{breaching:,} generated leads breach the rule ({floor_count:,} in the database)")
        rows = []
        counts = {}

        run = benchlib.rule_job(rule)

        # 1. first run: every breach is new
        t, q, stats = benchlib.measure(env, run, args.runs)
        counts["first run"] = stats
        rows.append({"scenario": "first run (new alerts)", "size": size, "time": t, "queries": q})

        # the next situations start from the state after the first run
        with benchlib.state_after(env, run):
            t, q, stats = benchlib.measure(env, run, args.runs)
            counts["steady"] = stats
            rows.append(
                {"scenario": "next day, nothing new", "size": size, "time": t, "queries": q}
            )

            def age_alerts():
                # the open alerts were raised K days ago: all are due for escalation
                env.flush_all()
                env.cr.execute(
                    SQL(
                        "UPDATE sales_policy_alert SET date_start = date_start - %s"
                        " WHERE rule_id = %s AND state = 'open'",
                        rule.escalation_days or 1,
                        rule.id,
                    )
                )
                env.invalidate_all()

            t, q, stats = benchlib.measure(env, run, args.runs, before=age_alerts)
            counts["escalation"] = stats
            rows.append(
                {"scenario": "K days later (escalation)", "size": size, "time": t, "queries": q}
            )

            def contact_everyone():
                env.flush_all()
                env.cr.execute(
                    "UPDATE crm_lead SET sales_policy_last_contact_date = now() AT TIME ZONE 'UTC'"
                    " WHERE name LIKE 'bench lead %'"
                )
                env.invalidate_all()

            t, q, stats = benchlib.measure(env, run, args.runs, before=contact_everyone)
            counts["resolution"] = stats
            rows.append(
                {"scenario": "all contacted (resolution)", "size": size, "time": t, "queries": q}
            )

        # the supervisor's overdue list: the "Follow-up Overdue" filter, director's scope
        Lead = env["crm.lead"].with_user(force["director"])
        overdue = [("sales_policy_follow_up_overdue", "=", True)]
        t, q, found = benchlib.measure(env, lambda: Lead.search_count(overdue), args.runs)
        counts["overdue list"] = {"found": found}
        rows.append(
            {
                "scenario": "overdue list, director (search_count)",
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
        created, first_time = counts["first run"]["created"], rows[0]["time"]
        print(
            f"first run: {created:,} alerts (and their activities) created, "
            f"{created / first_time:,.0f} per second"
        )
        print(f"floor: one grouped count over crm_lead, {floor_count:,} rows counted")


if __name__ == "__main__":
    main()
