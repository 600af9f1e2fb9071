# shellcheck shell=bash
# Shared steps of the prepare_*.sh scripts (the databases a benchmark compares). Source
# it after setup/lib.sh's sp_setup; do not run it. Every step is idempotent.
#
# OCA addons are only comparison anchors, never dependencies: they are installed from
# their PyPI wheels into $SP_CACHE/oca-addons, outside the project.
bench_oca="$SP_CACHE/oca-addons"

# bench_oca_wheels ADDON REQUIREMENT...: install the wheels of REQUIREMENT... (pip
# --no-deps) unless the addon ADDON is there. pip --target does not merge into an
# existing odoo/addons (every anchor lives there): install into a scratch directory
# and copy the addons over.
bench_oca_wheels() {
    local addon="$1" scratch
    shift
    [ -d "$bench_oca/odoo/addons/$addon" ] && return 0
    scratch="$(mktemp -d)"
    "$SP_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --target "$scratch" "$@"
    mkdir -p "$bench_oca/odoo/addons"
    cp -r "$scratch"/odoo/addons/* "$bench_oca/odoo/addons/"
    rm -rf "$scratch"
}

# bench_conf DB [keep]: write DB's Odoo configuration ($SP_CACHE/odoo-DB.conf) with the
# OCA addons on its path; with "keep", an existing one (a kept test database's own) is
# left as it is.
bench_conf() {
    local db="$1" conf="$SP_CACHE/odoo-$1.conf"
    [ "${2:-}" = keep ] && [ -f "$conf" ] && return 0
    sp_odoo_conf "$conf" "$db"
    sed -i "s|^addons_path = .*|&,$bench_oca/odoo/addons|" "$conf"
}

# bench_install DB MODULES: install MODULES on DB unless the database exists; when
# SP_BENCH_TEMPLATE is set, a missing database is created from that template first
# (e.g. the "<test db>_core" database setup/test.sh keeps).
bench_install() {
    local db="$1" modules="$2"
    psql -d "$db" -Atqc 'select 1' >/dev/null 2>&1 && return 0
    if [ -n "${SP_BENCH_TEMPLATE:-}" ]; then
        createdb -T "$SP_BENCH_TEMPLATE" "$db"
    fi
    sp_log "Installing $modules on $db"
    sp_odoo -c "$SP_CACHE/odoo-$db.conf" -d "$db" -i "$modules" --stop-after-init \
        --log-level=warn
}
