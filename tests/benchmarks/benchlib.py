"""The benchmark harness: Odoo bootstrap, safe transaction, measures, the table.

Everything a benchmark does happens in ONE transaction that is rolled back at the
end (``cr.commit`` is disabled for the whole run), so a benchmark never leaves data
behind, whatever database it is pointed at. Use a dedicated database anyway when
other work runs on the same server: the long transaction holds its locks.
"""

import argparse
import contextlib
import os
import statistics
import time
from pathlib import Path

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import new_test_user
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[2]


def arg_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True, help="database with sales_policy installed")
    parser.add_argument(
        "--config",
        help="Odoo configuration file (default: ~/.cache/sales-policy/odoo-<db>.conf "
        "when it exists, else one built from the PG* environment variables)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    return parser


def _config_args(db, config_path):
    cache = Path(os.environ.get("SP_CACHE", Path.home() / ".cache" / "sales-policy"))
    path = Path(config_path) if config_path else cache / f"odoo-{db}.conf"
    if path.exists():
        return ["-c", str(path), "-d", db, "--log-level=warn"]
    odoo_src = Path(os.environ.get("ODOO_SRC", cache / "odoo-19.0"))
    addons = f"{odoo_src / 'addons'},{odoo_src / 'odoo' / 'addons'},{ROOT}"
    args = ["-d", db, f"--addons-path={addons}", "--log-level=warn"]
    for var, option in (
        ("PGHOST", "--db_host"),
        ("PGPORT", "--db_port"),
        ("PGUSER", "--db_user"),
        ("PGPASSWORD", "--db_password"),
    ):
        if os.environ.get(var):
            args.append(f"{option}={os.environ[var]}")
    return args


@contextlib.contextmanager
def rolled_back_env(db):
    """An Odoo environment (superuser) on ``db`` (configuration already parsed) inside
    a transaction that is always rolled back: ``cr.commit`` raises."""
    registry = Registry(db)
    cr = registry.cursor()

    def forbidden_commit():
        raise RuntimeError("benchmarks never commit")

    cr.commit = forbidden_commit
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


@contextlib.contextmanager
def odoo_env(db, config_path=None):
    """An Odoo environment (superuser) on ``db`` inside a transaction that is always
    rolled back."""
    config.parse_config(_config_args(db, config_path), setup_logging=True)
    with rolled_back_env(db) as env:
        installed = env["ir.module.module"].search(
            [("name", "=", "sales_policy"), ("state", "=", "installed")]
        )
        if not installed:
            raise SystemExit(f"sales_policy is not installed in the database {db!r}")
        yield env


def policy_sales_force(env, suffix=""):
    """A salesperson, their supervisor (leading the team of the two) and a legal
    reviewer: who takes an order through the policy's gates to its confirmation.

    :returns: (rep, supervisor, legal)
    """
    rep = new_test_user(env, f"bench_rep{suffix}", groups="sales_policy.group_sales_rep")
    sup = new_test_user(env, f"bench_sup{suffix}", groups="sales_policy.group_sales_supervisor")
    legal = new_test_user(env, f"bench_legal{suffix}", groups="sales_policy.group_legal")
    env["crm.team"].create(
        {
            "name": f"Bench team{suffix}",
            "user_id": sup.id,
            "crm_team_member_ids": [Command.create({"user_id": rep.id})],
        }
    )
    return rep, sup, legal


def ready_to_confirm(order, rep, sup, legal):
    """Take the quotation ``order`` through the gates before confirmation: submitted by
    ``rep``, approved by ``sup``, its contract approved by ``legal`` (篇四 §12–13)."""
    order.with_user(rep).action_policy_submit()
    order.with_user(sup).action_policy_approve()
    contract = order.env["sales.policy.contract"].with_user(rep).create({"order_id": order.id})
    contract.action_submit_review()
    contract.with_user(legal).action_legal_approve()
    return order


def measure(env, func, runs=3, before=None):
    """Run ``func()`` ``runs`` times, each from the same state (a savepoint rolled back
    after the run); ``before()`` (not measured) prepares each run.

    :returns: (median seconds, median SQL queries, last result of ``func``)
    """
    times, queries, result = [], [], None
    cr = env.cr
    for _i in range(runs):
        savepoint = cr.savepoint()
        try:
            if before:
                before()
            env.flush_all()
            env.invalidate_all()
            start_queries = cr.sql_log_count
            start = time.perf_counter()
            result = func()
            env.flush_all()
            cr.precommit.run()
            times.append(time.perf_counter() - start)
            queries.append(cr.sql_log_count - start_queries)
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all(flush=False)
    return statistics.median(times), statistics.median(queries), result


@contextlib.contextmanager
def state_after(env, prepare):
    """Within the block, the state after ``prepare()`` (run once, not measured), rolled
    back when the block ends; yields what ``prepare()`` returned."""
    savepoint = env.cr.savepoint()
    try:
        yield prepare()
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all(flush=False)


def rule_job(rule):
    """The daily job of one alert rule, as a function returning its statistics."""
    return lambda: rule._run()[rule.code]


def measure_sql(env, query, runs=3):
    """The floor: median time of one SQL query (and its result)."""
    times, rows = [], None
    for _i in range(runs):
        start = time.perf_counter()
        env.cr.execute(query)
        rows = env.cr.fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def print_table(rows):
    """rows: dicts with scenario, size, time, queries, floor (seconds or None)."""
    headers = ["scenario", "size", "time (s)", "queries", "floor (s)", "ratio"]
    lines = []
    for row in rows:
        floor = row.get("floor")
        lines.append(
            [
                row["scenario"],
                f"{row['size']:,}",
                f"{row['time']:.4f}",
                f"{row['queries']:,.0f}",
                f"{floor:.4f}" if floor else "-",
                f"{row['time'] / floor:,.1f}x" if floor else "-",
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
