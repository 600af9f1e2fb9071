"""Each addon installs, and uninstalls, cleanly on a database with only Odoo's modules.

setup/test.sh prepares the template database SP_CORE_DB (Odoo's modules the addons
depend on, nothing of ours); this test copies it, installs the three addons, uninstalls
them and checks that nothing of them is left.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest

ADDONS = ["sales_policy_kpi", "sales_policy_risk", "sales_policy"]


def _odoo(*args):
    odoo_bin = Path(os.environ["ODOO_SRC"]) / "odoo-bin"
    result = subprocess.run(
        [sys.executable, str(odoo_bin), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " ERROR " not in result.stderr, result.stderr[-4000:]


def _query(dbname, sql, params=()):
    with psycopg2.connect(dbname=dbname) as conn, conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


def _admin(sql):
    conn = psycopg2.connect(dbname="postgres")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql)
    finally:
        conn.close()


@pytest.fixture
def scratch_db():
    core = os.environ.get("SP_CORE_DB")
    if not core or not _query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (core,)):
        pytest.fail("setup/test.sh provides SP_CORE_DB, the template database of this check")
    name = f"{core}_uninstall_{uuid.uuid4().hex[:6]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{core}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}"')


def test_addons_install_and_uninstall_cleanly(scratch_db):
    conf = os.environ["SP_ODOO_CONF"]
    _odoo(
        "-c",
        conf,
        "-d",
        scratch_db,
        "-i",
        ",".join(ADDONS),
        "--stop-after-init",
        "--log-level=warn",
    )
    states = dict(
        _query(
            scratch_db, "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,)
        )
    )
    assert states == dict.fromkeys(ADDONS, "installed")
    _odoo("module", "uninstall", "-c", conf, "-d", scratch_db, *ADDONS)
    states = dict(
        _query(
            scratch_db, "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,)
        )
    )
    assert states == dict.fromkeys(ADDONS, "uninstalled")
    left = _query(
        scratch_db,
        "SELECT model FROM ir_model WHERE model LIKE 'sales.policy.%%'"
        " UNION ALL SELECT name FROM ir_model_fields WHERE name LIKE '%%sales_policy%%'",
    )
    assert left == []
