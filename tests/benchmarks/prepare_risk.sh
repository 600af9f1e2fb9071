#!/usr/bin/env bash
# Prepare the databases of bench_risk.py (once): Sales Policy (the three addons) and
# OCA sale_financial_risk 19.0 with its dependency account_financial_risk (installed
# from their PyPI wheels into $SP_CACHE/oca-addons, outside the project; only a
# comparison anchor, never a dependency).
#
#   SP_BENCH_DB       our database (default sp_bench_risk); an existing database
#                     (e.g. one kept by setup/test.sh) is used as it is
#   SP_BENCH_DB_OCA   the OCA database (default sp_bench_risk_oca)
#   SP_BENCH_TEMPLATE optional: create missing databases from this template (e.g. the
#                     "<test db>_core" database setup/test.sh keeps) instead of empty
source "$(dirname "${BASH_SOURCE[0]}")/../../setup/lib.sh"
sp_setup
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"

db="${SP_BENCH_DB:-sp_bench_risk}"
db_oca="${SP_BENCH_DB_OCA:-sp_bench_risk_oca}"
bench_oca_wheels sale_financial_risk \
    "odoo-addon-account-financial-risk==19.0.*" "odoo-addon-sale-financial-risk==19.0.*"
bench_conf "$db" keep
bench_conf "$db_oca"
bench_install "$db" "$SP_ADDONS"
bench_install "$db_oca" sale_management,sale_financial_risk
sp_log "Ready: $SP_VENV/bin/python tests/benchmarks/bench_risk.py --db $db --db-oca $db_oca"
