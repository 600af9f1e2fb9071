"""Benchmark of customer data and customer care (篇四 §16, §19, §20).

Generates a sales force and N customers with one confirmed order each; half of them
have customer data older than the company's limit (12 months) and every one misses a
required field (phone). Then times, against the floor (one SQL aggregate over the
same customers):

* the candidates of the ``customer_data_stale`` and ``customer_data_incomplete``
  alert rules (res.partner hook) and the stale rule's daily job (first run, next day);
* the "Customer Data to Update" list: count for the director, a rep's first page;
* the periodic satisfaction-survey job on ``--surveyed`` of the customers (each gets
  a survey record and an email rendered from the template), then the next day on all
  N (nothing due: one grouped query per company);
* the satisfaction figures of every salesperson (one grouped query over the return
  visits, one per customer, and the survey answers).

Everything is rolled back at the end.

    .venv/bin/python tests/benchmarks/bench_customer_care.py --db DB --customers 100000
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
    parser.add_argument(
        "--surveyed",
        type=int,
        default=2000,
        help="customers whose order is recent enough for a survey (each gets an email)",
    )
    args = parser.parse_args()

    with benchlib.odoo_env(args.db, args.config) as env:
        company = env.company
        company.write(
            {
                "sales_policy_stale_months": 12,
                "sales_policy_satisfaction_interval": 6,
                "sales_policy_partner_field_ids": [
                    (6, 0, [env["ir.model.fields"]._get("res.partner", "phone").id])
                ],
            }
        )
        print(f"Generating {args.customers:,} customers and their orders…", flush=True)
        force = datagen.make_sales_force(env)
        partner_ids = datagen.insert_partners(env, args.customers, force["reps"])
        datagen.age_customer_data(env, partner_ids, months=13, share=50)
        orders = datagen.insert_confirmed_orders(env, partner_ids, days_ago=400)
        recent = partner_ids[: args.surveyed]
        env.cr.execute(
            "UPDATE sale_order SET date_order = now() - interval '10 days' WHERE id = ANY(%s)",
            [[orders[pid] for pid in recent]],
        )
        env.cr.execute(
            SQL(
                """
                INSERT INTO sales_policy_return_visit (
                    name, order_id, partner_id, user_id, visitor_id, company_id, date,
                    channel, state, score, feedback, create_uid, write_uid, create_date,
                    write_date)
                SELECT 'Return visit ' || so.name, so.id, so.partner_id, so.user_id,
                       so.user_id, so.company_id, (now() - interval '5 days')::date, 'phone',
                       'done', 1 + so.id %% 5, 'ok', %(uid)s, %(uid)s, now(), now()
                  FROM sale_order so WHERE so.id = ANY(%(ids)s)
                """,
                uid=env.uid,
                ids=list(orders.values()),
            )
        )
        for table in ("res_partner", "sale_order", "sales_policy_return_visit"):
            env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        size = args.customers
        Partner = env["res.partner"]
        stale_rule = env.ref("sales_policy.alert_rule_customer_data_stale")
        incomplete_rule = env.ref("sales_policy.alert_rule_customer_data_incomplete")
        floor_time, _rows = benchlib.measure_sql(
            env,
            SQL(
                """
                SELECT user_id, count(*) FROM res_partner
                 WHERE parent_id IS NULL AND partner_share AND active
                   AND COALESCE(sales_policy_data_date, write_date::date)
                       < (now() - interval '12 months')::date
                 GROUP BY user_id
                """
            ),
            args.runs,
        )
        rows = []
        counts = {}

        def add(scenario, func, rows_size=size, key=None):
            t, q, result = benchlib.measure(env, func, args.runs)
            counts[key or scenario] = result
            rows.append({"scenario": scenario, "size": rows_size, "time": t, "queries": q})
            return result

        add(
            "stale customers (hook)",
            lambda: len(stale_rule._get_candidates()),
        )
        add(
            "incomplete customers (hook)",
            lambda: len(incomplete_rule._get_candidates()),
        )

        run_stale = benchlib.rule_job(stale_rule)
        add("stale data daily job, first run", run_stale)
        with benchlib.state_after(env, run_stale):
            add("stale data daily job, next day", run_stale)

        to_update = [
            ("parent_id", "=", False),
            "|",
            ("sales_policy_data_incomplete", "=", True),
            ("sales_policy_data_stale", "=", True),
        ]
        Director = Partner.with_user(force["director"])
        add("data to update, director (count)", lambda: Director.search_count(to_update))
        Rep = Partner.with_user(force["reps"][0])
        add(
            "data to update, rep (first page)",
            lambda: len(
                Rep.search_read(
                    to_update,
                    [
                        "display_name",
                        "user_id",
                        "sales_policy_completeness",
                        "sales_policy_missing_fields",
                        "sales_policy_data_date",
                        "sales_policy_data_stale",
                    ],
                    limit=80,
                )
            ),
        )

        Survey = env["sales.policy.satisfaction"]

        def survey_job():
            Survey._cron_send_surveys()
            return Survey.search_count([])

        add("survey job, first run (mails)", survey_job, rows_size=len(recent))
        after_surveys = env.cr.savepoint()
        try:
            survey_job()
            add("survey job, next day (nothing due)", survey_job)
        finally:
            after_surveys.close(rollback=True)
            env.invalidate_all(flush=False)

        today = fields.Date.today()
        add(
            "satisfaction figures, 30 days, all reps",
            lambda: len(
                Survey.sudo()._sales_policy_satisfaction_figures(today - timedelta(days=30), today)
            ),
        )

        for row in rows:
            row["floor"] = floor_time
        print()
        benchlib.print_table(rows)
        print()
        for name, result in counts.items():
            print(f"{name}: {result}")
        print("floor: stale customers per salesperson (one aggregate over res_partner)")


if __name__ == "__main__":
    main()
