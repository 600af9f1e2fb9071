#!/usr/bin/env bash
# Test Sales Policy for Odoo: set everything up, install the three addons without demo
# data on a throwaway database, run every test (addon tests through pytest-odoo, the
# cross-addon tests of tests/ including an install/uninstall check and the linters) and
# print one pytest summary. Exits non-zero on any failure.
# Extra arguments go to pytest (e.g. -k visibility).
#
# For a quick loop while developing: SP_TEST_DB=mydb SP_KEEP_DB=1 keeps the databases,
# and a later run with the same SP_TEST_DB updates the addons (-u) instead of
# installing them from scratch.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sp_setup
# Test-only addons (tests/addons: e.g. the approval engine's tester document).
export SP_EXTRA_ADDONS_PATH="$SP_ROOT/tests/addons"
SP_TEST_ADDONS="$SP_ADDONS,$(find "$SP_ROOT/tests/addons" -mindepth 2 -maxdepth 2 \
    -name __manifest__.py -printf '%h\n' | xargs -n1 basename | sort | paste -sd,)"
SP_TEST_DB="${SP_TEST_DB:-sales_policy_test_$$}"
SP_CORE_DB="${SP_TEST_DB}_core"
# A copy of the test database as installed, before any test runs: the template of the
# tests that start a server of their own (tests/test_workers.py).
SP_ADDONS_DB="${SP_TEST_DB}_addons"
conf="$SP_CACHE/odoo-$SP_TEST_DB.conf"
sp_odoo_conf "$conf" "$SP_TEST_DB"

cleanup() {
    dropdb --if-exists "$SP_TEST_DB" 2>/dev/null || true
    dropdb --if-exists "$SP_CORE_DB" 2>/dev/null || true
    dropdb --if-exists "$SP_ADDONS_DB" 2>/dev/null || true
}
[ "${SP_KEEP_DB:-0}" = 1 ] || trap cleanup EXIT

# The Odoo modules the addons stand on (their manifests' depends, ours left out).
core_modules="$("$SP_VENV/bin/python" - "$SP_ROOT" <<'PY'
import ast, pathlib, sys
root = pathlib.Path(sys.argv[1])
ours = {"sales_policy", "sales_policy_risk", "sales_policy_kpi"}
deps = set()
for name in ours:
    deps |= set(ast.literal_eval((root / name / "__manifest__.py").read_text())["depends"])
print(",".join(sorted(deps - ours)))
PY
)"

if [ "${SP_KEEP_DB:-0}" = 1 ] && psql -d "$SP_TEST_DB" -Atqc 'select 1' >/dev/null 2>&1; then
    sp_log "Updating the addons on the kept database '$SP_TEST_DB'"
    sp_odoo -c "$conf" -d "$SP_TEST_DB" -u "$SP_TEST_ADDONS" -i "$SP_TEST_ADDONS" --stop-after-init \
        --log-level=warn || sp_die "Updating the addons failed (see the log above)."
else
    cleanup
    sp_log "Installing Odoo's $core_modules on '$SP_CORE_DB' (the template)"
    sp_odoo -c "$conf" -d "$SP_CORE_DB" -i "$core_modules" --stop-after-init --log-level=warn \
        || sp_die "Installing Odoo's modules failed (see the log above)."
    createdb -T "$SP_CORE_DB" "$SP_TEST_DB"
    sp_log "Installing the addons (and the test-only ones) on the throwaway database '$SP_TEST_DB'"
    sp_odoo -c "$conf" -d "$SP_TEST_DB" -i "$SP_TEST_ADDONS" --stop-after-init --log-level=warn \
        || sp_die "Installing the addons failed (see the log above)."
fi

dropdb --if-exists "$SP_ADDONS_DB" 2>/dev/null || true
createdb -T "$SP_TEST_DB" "$SP_ADDONS_DB"

sp_log "Running the tests and the linters"
cd "$SP_ROOT"
export SP_CORE_DB SP_ADDONS_DB SP_ODOO_CONF="$conf" ODOO_SRC SP_VENV
set +e
"$SP_VENV/bin/pytest" -p no:cacheprovider --odoo-config="$conf" --odoo-database="$SP_TEST_DB" \
    --odoo-http -o python_files='test_*.py' \
    sales_policy sales_policy_risk sales_policy_kpi tests "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    sp_log "pytest collected no test: that is a failure here."
    exit 1
fi
exit "$rc"
