#!/usr/bin/env bash
# Prepare the databases of bench_confirm.py (once): core Odoo, Sales Policy, and OCA
# sale_tier_validation 19.0 (installed from its PyPI wheels into $SP_CACHE/oca-addons,
# outside the project; only a comparison anchor, never a dependency).
source "$(dirname "${BASH_SOURCE[0]}")/../../setup/lib.sh"
sp_setup
source "$(dirname "${BASH_SOURCE[0]}")/benchlib.sh"

bench_oca_wheels sale_tier_validation \
    "odoo-addon-base-tier-validation==19.0.*" "odoo-addon-sale-tier-validation==19.0.*"
for db in sp_bench_core sp_bench_policy sp_bench_oca; do
    bench_conf "$db"
done
bench_install sp_bench_core sale_management
bench_install sp_bench_policy "$SP_ADDONS"
bench_install sp_bench_oca sale_management,sale_tier_validation
sp_log "Ready: $SP_VENV/bin/python tests/benchmarks/bench_confirm.py --db sp_bench_policy \
--db-core sp_bench_core --db-oca sp_bench_oca"
