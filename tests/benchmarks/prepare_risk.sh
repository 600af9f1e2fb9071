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

db="${SP_BENCH_DB:-sp_bench_risk}"
db_oca="${SP_BENCH_DB_OCA:-sp_bench_risk_oca}"
oca="$SP_CACHE/oca-addons"
if [ ! -d "$oca/odoo/addons/sale_financial_risk" ]; then
    # pip --target does not merge into an existing odoo/addons (other OCA anchors
    # live there): install into a scratch directory and copy the addons over
    scratch="$(mktemp -d)"
    "$SP_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --target "$scratch" \
        "odoo-addon-account-financial-risk==19.0.*" "odoo-addon-sale-financial-risk==19.0.*"
    mkdir -p "$oca/odoo/addons"
    cp -r "$scratch/odoo/addons/account_financial_risk" "$scratch/odoo/addons/sale_financial_risk" \
        "$oca/odoo/addons/"
    rm -rf "$scratch"
fi
for name in "$db" "$db_oca"; do
    conf="$SP_CACHE/odoo-$name.conf"
    [ -f "$conf" ] && [ "$name" = "$db" ] && continue  # a kept test database's own
    sp_odoo_conf "$conf" "$name"
    sed -i "s|^addons_path = .*|&,$oca/odoo/addons|" "$conf"
done
install() {
    local name="$1" modules="$2"
    if ! psql -d "$name" -Atqc 'select 1' >/dev/null 2>&1; then
        if [ -n "${SP_BENCH_TEMPLATE:-}" ]; then
            createdb -T "$SP_BENCH_TEMPLATE" "$name"
        fi
        sp_log "Installing $modules on $name"
        sp_odoo -c "$SP_CACHE/odoo-$name.conf" -d "$name" -i "$modules" --stop-after-init \
            --log-level=warn
    fi
}
install "$db" "$SP_ADDONS"
install "$db_oca" sale_management,sale_financial_risk
sp_log "Ready: $SP_VENV/bin/python tests/benchmarks/bench_risk.py --db $db --db-oca $db_oca"
