#!/usr/bin/env bash
# Run Sales Policy for Odoo: set everything up, install the three addons with their demo
# data on the database $SP_DB (default: sales_policy), and serve http://localhost:$SP_PORT.
#
# Idempotent: a second run reuses the virtualenv, the PostgreSQL cluster and the database.
# SP_UPDATE=1 updates the installed addons before serving (after pulling new code).
# Several worker processes (see the README, "Running with several workers"):
# SP_WORKERS=N or --workers N (Odoo's multi-processing server, N HTTP workers),
# SP_CRON_THREADS=M or --max-cron-threads M (the cron workers; default 1 with workers),
# SP_GEVENT_PORT (the websocket port of the worker server; default SP_PORT + 3).
# Other extra arguments go to odoo-bin (e.g. --dev=xml).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SP_DB="${SP_DB:-sales_policy}"
SP_PORT="${SP_PORT:-8069}"
SP_WORKERS="${SP_WORKERS:-0}"
SP_CRON_THREADS="${SP_CRON_THREADS:-}"
odoo_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --workers=*) SP_WORKERS="${1#*=}" ;;
        --workers) SP_WORKERS="${2:-}"; shift ;;
        --max-cron-threads=*) SP_CRON_THREADS="${1#*=}" ;;
        --max-cron-threads) SP_CRON_THREADS="${2:-}"; shift ;;
        *) odoo_args+=("$1") ;;
    esac
    shift
done
[[ "$SP_WORKERS" =~ ^[0-9]+$ ]] || sp_die "The worker count must be a number (got '$SP_WORKERS')."
[ -z "$SP_CRON_THREADS" ] || [[ "$SP_CRON_THREADS" =~ ^[0-9]+$ ]] \
    || sp_die "The cron thread count must be a number (got '$SP_CRON_THREADS')."
sp_setup

conf="$SP_CACHE/odoo-$SP_DB.conf"
sp_odoo_conf "$conf" "$SP_DB"
if [ "$SP_WORKERS" -gt 0 ]; then
    # Odoo's multi-processing server: N HTTP workers, the cron workers, and the
    # websocket (gevent) process on its own port.
    {
        echo "workers = $SP_WORKERS"
        echo "max_cron_threads = ${SP_CRON_THREADS:-1}"
        echo "gevent_port = ${SP_GEVENT_PORT:-$((SP_PORT + 3))}"
    } >> "$conf"
elif [ -n "$SP_CRON_THREADS" ]; then
    echo "max_cron_threads = $SP_CRON_THREADS" >> "$conf"
fi

installed="$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$SP_DB'" || true)"
if [ "$installed" = 1 ]; then
    installed="$(psql -d "$SP_DB" -Atqc "select count(*) from ir_module_module
        where name in ('sales_policy', 'sales_policy_risk', 'sales_policy_kpi')
        and state = 'installed'" 2>/dev/null || true)"
fi
if [ "$installed" != 3 ]; then
    sp_log "Installing the addons with demo data on database '$SP_DB' (a few minutes, once)"
    # first Odoo's Chinese chart of accounts (l10n_cn), which the demo company is put on;
    # the addons do not depend on it (a company may keep its own chart)
    sp_odoo -c "$conf" -d "$SP_DB" -i l10n_cn --with-demo --load-language=en_US,zh_CN \
        --stop-after-init --log-level=warn \
        || sp_die "Installing Odoo's Chinese chart of accounts failed (see the log above)."
    sp_odoo -c "$conf" -d "$SP_DB" -i "$SP_ADDONS" --with-demo \
        --stop-after-init --log-level=warn \
        || sp_die "Installing the addons failed (see the log above)."
elif [ "${SP_UPDATE:-0}" = 1 ]; then
    sp_log "Updating the addons on database '$SP_DB'"
    sp_odoo -c "$conf" -d "$SP_DB" -u "$SP_ADDONS" --stop-after-init --log-level=warn \
        || sp_die "Updating the addons failed (see the log above)."
fi

cat >&2 <<MSG

  Sales Policy for Odoo is served at http://localhost:$SP_PORT  (database: $SP_DB)
  $(if [ "$SP_WORKERS" -gt 0 ]; then
      echo "with $SP_WORKERS HTTP workers and ${SP_CRON_THREADS:-1} cron worker(s)"
  else
      echo "by one process (threaded); SP_WORKERS=N for N worker processes"
  fi)

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
    --http-port="$SP_PORT" --http-interface=127.0.0.1 ${odoo_args[@]+"${odoo_args[@]}"}
