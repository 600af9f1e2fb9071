"""The linters are part of the test run: a lint finding fails the build."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["sales_policy", "sales_policy_risk", "sales_policy_kpi"]
BIN = Path(sys.executable).parent


def _run(*cmd):
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def test_ruff_check():
    code, out = _run(str(BIN / "ruff"), "check", *ADDONS, "tests", "setup")
    assert code == 0, out


def test_ruff_format():
    code, out = _run(str(BIN / "ruff"), "format", "--check", "--diff", *ADDONS, "tests", "setup")
    assert code == 0, out


def test_pylint_odoo():
    code, out = _run(str(BIN / "pylint"), "--rcfile=.pylintrc", "--disable=missing-readme", *ADDONS)
    assert code == 0, out
