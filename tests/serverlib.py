"""Helpers of the cross-addon tests that work on databases and servers of their own.

setup/test.sh exports what they start from: SP_CORE_DB (Odoo's modules the addons
depend on, nothing of ours), SP_ADDONS_DB (the test database as installed, before any
test ran), SP_ODOO_CONF and ODOO_SRC.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest


def odoo(*args, stdin=None):
    """Run odoo-bin with ``args`` (and ``stdin``); fail on a non-zero exit or an ERROR."""
    odoo_bin = Path(os.environ["ODOO_SRC"]) / "odoo-bin"
    result = subprocess.run(
        [sys.executable, str(odoo_bin), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " ERROR " not in result.stderr, result.stderr[-4000:]
    return result.stdout


def odoo_shell(dbname, script):
    """Run the Python ``script`` in ``odoo-bin shell`` on ``dbname`` (``env`` is the
    superuser's). The script commits what it keeps and prints one JSON line last: its
    result."""
    out = odoo(
        "shell",
        "-c",
        os.environ["SP_ODOO_CONF"],
        "-d",
        dbname,
        "--no-http",
        "--log-level=warn",
        stdin=script,
    )
    return json.loads(out.strip().splitlines()[-1])


def query(dbname, sql, params=()):
    with psycopg2.connect(dbname=dbname) as conn, conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


def admin(sql):
    conn = psycopg2.connect(dbname="postgres")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql)
    finally:
        conn.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def scratch_db(template_env, suffix):
    """A copy of the database named by the environment variable ``template_env`` (with
    its filestore), dropped afterwards."""
    template = os.environ.get(template_env)
    if not template or not query(
        "postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (template,)
    ):
        pytest.fail(f"setup/test.sh provides {template_env}, the template database of this check")
    name = f"{template}_{suffix}_{uuid.uuid4().hex[:6]}"
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    filestore = Path(os.environ.get("SP_CACHE", Path.home() / ".cache/sales-policy"))
    filestore = filestore / "filestore" / "filestore"
    if (filestore / template).is_dir():
        shutil.copytree(filestore / template, filestore / name)
    try:
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}"')
        shutil.rmtree(filestore / name, ignore_errors=True)
