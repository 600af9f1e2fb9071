#!/usr/bin/env bash
# Prepare the databases of bench_confirm.py (once): core Odoo, Sales Policy, and OCA
# sale_tier_validation 19.0 (installed from its PyPI wheels into $SP_CACHE/oca-addons,
# outside the project; only a comparison anchor, never a dependency).
source "$(dirname "${BASH_SOURCE[0]}")/../../setup/lib.sh"
sp_setup

oca="$SP_CACHE/oca-addons"
if [ ! -d "$oca/odoo/addons/sale_tier_validation" ]; then
    "$SP_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --target "$oca" \
        "odoo-addon-base-tier-validation==19.0.*" "odoo-addon-sale-tier-validation==19.0.*"
fi
for db in sp_bench_core sp_bench_policy sp_bench_oca; do
    conf="$SP_CACHE/odoo-$db.conf"
    sp_odoo_conf "$conf" "$db"
    sed -i "s|^addons_path = .*|&,$oca/odoo/addons|" "$conf"
done
install() {
    local db="$1" modules="$2"
    if ! psql -d "$db" -Atqc 'select 1' >/dev/null 2>&1; then
        sp_log "Installing $modules on $db"
        sp_odoo -c "$SP_CACHE/odoo-$db.conf" -d "$db" -i "$modules" --stop-after-init \
            --log-level=warn
    fi
}
install sp_bench_core sale_management
install sp_bench_policy "$SP_ADDONS"
install sp_bench_oca sale_management,sale_tier_validation
sp_log "Ready: $SP_VENV/bin/python tests/benchmarks/bench_confirm.py --db sp_bench_policy \
--db-core sp_bench_core --db-oca sp_bench_oca"
