#!/usr/bin/env bash
# Run Sales Policy for Odoo: set everything up, install the three addons with their demo
# data on the database $SP_DB (default: sales_policy), and serve http://localhost:$SP_PORT.
#
# Idempotent: a second run reuses the virtualenv, the PostgreSQL cluster and the database.
# SP_UPDATE=1 updates the installed addons before serving (after pulling new code).
# Extra arguments go to odoo-bin (e.g. --dev=xml).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SP_DB="${SP_DB:-sales_policy}"
SP_PORT="${SP_PORT:-8069}"
sp_setup

conf="$SP_CACHE/odoo-$SP_DB.conf"
sp_odoo_conf "$conf" "$SP_DB"

installed="$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$SP_DB'" || true)"
if [ "$installed" = 1 ]; then
    installed="$(psql -d "$SP_DB" -Atqc "select count(*) from ir_module_module
        where name in ('sales_policy', 'sales_policy_risk', 'sales_policy_kpi')
        and state = 'installed'" 2>/dev/null || true)"
fi
if [ "$installed" != 3 ]; then
    sp_log "Installing the addons with demo data on database '$SP_DB' (a few minutes, once)"
    sp_odoo -c "$conf" -d "$SP_DB" -i "$SP_ADDONS" --with-demo --load-language=en_US,zh_CN \
        --stop-after-init --log-level=warn \
        || sp_die "Installing the addons failed (see the log above)."
elif [ "${SP_UPDATE:-0}" = 1 ]; then
    sp_log "Updating the addons on database '$SP_DB'"
    sp_odoo -c "$conf" -d "$SP_DB" -u "$SP_ADDONS" --stop-after-init --log-level=warn \
        || sp_die "Updating the addons failed (see the log above)."
fi

cat >&2 <<MSG

  Sales Policy for Odoo is served at http://localhost:$SP_PORT  (database: $SP_DB)

  Demo logins (password = login):
    admin      Administrator (password: admin)
    director   Sales Director 销售总监          rm_south   Regional Manager 华南区经理
    rm_east    Regional Manager 华东区经理       sup_gz     Supervisor 广州团队主管
    sup_sz     Supervisor 深圳团队主管           sup_sh     Supervisor 上海团队主管
    rep_gz1    Sales Rep 销售代表 (广州)          rep_gz2    Sales Rep 销售代表 (广州)
    rep_sz1    Sales Rep 销售代表 (深圳)          rep_sh1    Sales Rep 销售代表 (上海)
    assistant  Sales Assistant 销售助理          presales   Pre-sales Engineer 售前工程师
    legal      Legal Reviewer 法务审核           contract   Contract Admin 合同管理
    finance    Finance 财务

  Stop with Ctrl+C.
MSG
exec "$SP_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$SP_DB" \
    --http-port="$SP_PORT" --http-interface=127.0.0.1 "$@"
