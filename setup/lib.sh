# shellcheck shell=bash
# Shared set-up steps for setup/run.sh and setup/test.sh. Source it; do not run it.
#
# Every step is idempotent: a second call reuses what the first one made.
#
# Configuration (environment variables, all optional):
#   ODOO_SRC        an Odoo 19.0 source tree (default ~/.cache/sales-policy/odoo-19.0,
#                   downloaded there from Odoo's official repository when absent)
#   SP_CACHE        where the project keeps the Odoo source and its private PostgreSQL
#                   cluster (default ~/.cache/sales-policy)
#   SP_VENV         the project virtualenv (default <project>/.venv)
#   PGHOST PGPORT PGUSER PGPASSWORD
#                   an existing PostgreSQL server to use; when none answers, a private
#                   cluster is started under $SP_CACHE/pgdata on port $SP_PGPORT (54329)
#   PYTHON          the interpreter for the virtualenv (default python3)
#   SP_HTTP_PORT    the HTTP port of the server the tests start (default Odoo's 8069):
#                   set it to run two test runs side by side

set -euo pipefail

SP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SP_CACHE="${SP_CACHE:-$HOME/.cache/sales-policy}"
ODOO_SRC="${ODOO_SRC:-$SP_CACHE/odoo-19.0}"
SP_VENV="${SP_VENV:-$SP_ROOT/.venv}"
SP_PGPORT="${SP_PGPORT:-54329}"
SP_PGDATA="$SP_CACHE/pgdata"
SP_ODOO_REPO="${SP_ODOO_REPO:-https://github.com/odoo/odoo.git}"
SP_ADDONS="sales_policy,sales_policy_risk,sales_policy_kpi"

sp_log() { printf '\033[1;34m[sales-policy]\033[0m %s\n' "$*" >&2; }
sp_die() { printf '\033[1;31m[sales-policy] %s\033[0m\n' "$*" >&2; exit 1; }

# --- Odoo source --------------------------------------------------------------------
sp_odoo_src() {
    if [ -f "$ODOO_SRC/odoo/release.py" ]; then
        grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
            || sp_die "ODOO_SRC=$ODOO_SRC is not an Odoo 19.0 source tree."
        return 0
    fi
    sp_log "No Odoo source at $ODOO_SRC: downloading Odoo 19.0 from $SP_ODOO_REPO"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if ! git clone --quiet --depth 1 --branch 19.0 "$SP_ODOO_REPO" "$ODOO_SRC.part" 2>/dev/null; then
        rm -rf "$ODOO_SRC.part"
        sp_die "Cannot get Odoo 19.0: no source tree at $ODOO_SRC and $SP_ODOO_REPO is \
unreachable. Put an Odoo 19.0 source tree (the 19.0 branch of odoo/odoo) at $ODOO_SRC, \
or point ODOO_SRC at one, and run again."
    fi
    mv "$ODOO_SRC.part" "$ODOO_SRC"
}

# --- Python virtualenv ----------------------------------------------------------------
sp_venv() {
    local stamp="$SP_VENV/.sales-policy-stamp" want
    want="$(cat "$ODOO_SRC/requirements.txt" "$SP_ROOT/setup/requirements.txt" \
        "$SP_ROOT/setup/constraints.txt" | sha1sum | cut -c1-40)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    sp_log "Preparing the virtualenv $SP_VENV (Odoo's requirements and the project's)"
    [ -x "$SP_VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$SP_VENV"
    # python-ldap needs system headers and only serves auth_ldap: leave it out.
    grep -viE '^python-ldap' "$ODOO_SRC/requirements.txt" > "$SP_VENV/odoo-requirements.txt"
    PIP_CONSTRAINT="$SP_ROOT/setup/constraints.txt" "$SP_VENV/bin/pip" install --quiet \
        --disable-pip-version-check -r "$SP_VENV/odoo-requirements.txt" \
        || sp_die "Installing Odoo's Python requirements failed (see above)."
    "$SP_VENV/bin/pip" install --quiet --disable-pip-version-check \
        -r "$SP_ROOT/setup/requirements.txt" \
        || sp_die "Installing the project's Python requirements failed (see above)."
    # Make `import odoo` work in the venv (pytest-odoo and the linters need it).
    local site
    site="$("$SP_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_SRC" > "$site/odoo-src.pth"
    echo "$want" > "$stamp"
}

# --- PostgreSQL -------------------------------------------------------------------------
sp_pg_bindir() {
    local d
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir; return 0
    fi
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
    sp_die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL >= 13."
}

# Run a command as the owner of the private cluster (root cannot run postgres).
sp_as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

sp_postgres() {
    # 1. A server named by the standard PG* variables, when one answers.
    if [ -n "${PGHOST:-}${PGPORT:-}" ] && command -v pg_isready >/dev/null \
        && pg_isready -q -t 3 && psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        sp_log "Using the PostgreSQL server at ${PGHOST:-local socket}:${PGPORT:-5432}"
        return 0
    fi
    # 2. Otherwise the project's private cluster (created once, kept across runs).
    local bindir sockdir="$SP_CACHE/pgsock" dbuser
    bindir="$(sp_pg_bindir)"
    dbuser="$(id -un)"
    [ "$dbuser" = root ] || [ "$dbuser" = postgres ] && dbuser=odoo
    mkdir -p "$SP_CACHE"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$SP_PGDATA" postgres
        mkdir -p "$SP_PGDATA" "$sockdir"
        chown postgres "$SP_PGDATA" "$sockdir"
        # the postgres user must be able to reach its folders
        chmod o+x "$HOME" "$HOME/.cache" "$SP_CACHE" 2>/dev/null || true
    fi
    mkdir -p "$sockdir"
    if [ ! -f "$SP_PGDATA/PG_VERSION" ]; then
        sp_log "Creating a private PostgreSQL cluster in $SP_PGDATA"
        sp_as_pg_owner "$bindir/initdb" -D "$SP_PGDATA" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null || sp_die "initdb failed for $SP_PGDATA."
    fi
    if ! sp_as_pg_owner "$bindir/pg_ctl" -D "$SP_PGDATA" status >/dev/null 2>&1; then
        sp_log "Starting the private PostgreSQL cluster on port $SP_PGPORT"
        sp_as_pg_owner "$bindir/pg_ctl" -D "$SP_PGDATA" -l "$SP_PGDATA/server.log" -w \
            -o "-p $SP_PGPORT -k $sockdir -c listen_addresses=127.0.0.1" start >/dev/null \
            || sp_die "PostgreSQL did not start; see $SP_PGDATA/server.log."
    fi
    # Odoo refuses to connect as the 'postgres' superuser: use a dedicated role.
    "$bindir/psql" -h "$sockdir" -p "$SP_PGPORT" -U postgres -d postgres -Atqc \
        "select 1 from pg_roles where rolname = '$dbuser'" | grep -q 1 \
        || "$bindir/psql" -h "$sockdir" -p "$SP_PGPORT" -U postgres -d postgres -qc \
            "create role \"$dbuser\" login createdb" >/dev/null
    export PGHOST="$sockdir" PGPORT="$SP_PGPORT" PGUSER="$dbuser"
}

# --- Odoo ----------------------------------------------------------------------------------
sp_addons_path() {
    echo "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$SP_ROOT${SP_EXTRA_ADDONS_PATH:+,$SP_EXTRA_ADDONS_PATH}"
}

# Write the Odoo configuration file used by the server and by pytest-odoo.
sp_odoo_conf() {
    local conf="$1" db="$2"
    {
        echo "[options]"
        echo "addons_path = $(sp_addons_path)"
        [ -z "${PGHOST:-}" ] || echo "db_host = $PGHOST"
        [ -z "${PGPORT:-}" ] || echo "db_port = $PGPORT"
        [ -z "${PGUSER:-}" ] || echo "db_user = $PGUSER"
        [ -z "${PGPASSWORD:-}" ] || echo "db_password = $PGPASSWORD"
        echo "db_name = $db"
        echo "dbfilter = ^$db\$"
        echo "data_dir = $SP_CACHE/filestore"
        [ -z "${SP_HTTP_PORT:-}" ] || echo "http_port = $SP_HTTP_PORT"
    } > "$conf"
}

sp_odoo() {
    "$SP_VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"
}

# --- System packages: printing and the browser ----------------------------------------
# PDF reports need wkhtmltopdf and, for Chinese text, a CJK font; the tests read the PDFs
# back with pdftotext (poppler-utils); Odoo's tours (HttpCase.start_tour) drive a headless
# Chromium. Installed with apt-get when running as root on a Debian-like system; otherwise
# the step says what is missing and goes on (the tests needing it then fail, naming it).
sp_system_packages() {
    local missing=()
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
        || command -v google-chrome >/dev/null || missing+=(chromium)
    [ "${#missing[@]}" = 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        sp_log "Installing ${missing[*]} (PDF printing with Chinese text, browser tests)"
        if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends "${missing[@]}" >/dev/null; then
            return 0
        fi
        sp_log "WARNING: apt-get could not install ${missing[*]} (see above)."
    fi
    sp_log "WARNING: ${missing[*]} missing: PDF reports cannot be printed (or show no \
Chinese text), the browser tests cannot run, and the tests needing them fail. Install \
them as root, e.g. 'apt-get install ${missing[*]}' on Debian or Ubuntu, and run again."
}

sp_setup() {
    sp_system_packages
    sp_odoo_src
    sp_venv
    sp_postgres
}
