#!/usr/bin/env bash
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# Shared set-up for `make run`, `make test` and `make bench`; sourced, not executed.
# Idempotent: every step checks what is already there and does only what is missing.
#
# After `setup_all`, these are set:
#   VENV PY ODOO_BIN ODOO_SRC ODOO_CONF PGHOST PGPORT DB_USER
#
# Environment knobs (all optional):
#   ODOO_SRC        an Odoo 18.0 source tree (default $ODOO_DEFAULT_SRC, /opt/odoo-18.0, when it exists)
#   ODOO_ARCHIVE_URL where to download Odoo 18.0 from when no source tree is found
#   PYTHON          interpreter for the virtualenv (default python3.11, else python3)
#   PGHOST PGPORT   a PostgreSQL server to use (default 127.0.0.1:5432)
#   PGSUPERUSER     role able to create the Odoo role (default postgres)
#   ODOO_DB_USER / ODOO_DB_PASSWORD   the role Odoo connects as (default odoo / odoo)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ODOO_CONF="$VAR/odoo.conf"
DB_USER=${ODOO_DB_USER:-odoo}
DB_PASSWORD=${ODOO_DB_PASSWORD:-odoo}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}
PRIVATE_PGPORT=${PRIVATE_PGPORT:-55432}
# Where CI (and our own machines) keep an extracted Odoo 18.0 when ODOO_SRC is unset.
ODOO_DEFAULT_SRC=${ODOO_DEFAULT_SRC:-/opt/odoo-18.0}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    # Debian packages, installed only when missing; `apt-get update` once per call.
    command -v apt-get >/dev/null || die "Install $* with your system's package manager and run make again."
    say "installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Odoo source -------------------------------------------------------------------------------
find_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo-bin there): point ODOO_SRC at an Odoo 18.0 checkout."
    elif [ -f "$ODOO_DEFAULT_SRC/odoo-bin" ]; then
        ODOO_SRC=$ODOO_DEFAULT_SRC
    elif [ -f "$VAR/odoo-18.0/odoo-bin" ]; then
        ODOO_SRC="$VAR/odoo-18.0"
    else
        say "no Odoo source found; downloading Odoo 18.0 from $ODOO_ARCHIVE_URL"
        mkdir -p "$VAR/odoo-18.0.part"
        if ! curl -fsSL --connect-timeout 15 "$ODOO_ARCHIVE_URL" 2>/dev/null \
                | tar -xz --strip-components=1 -C "$VAR/odoo-18.0.part" 2>/dev/null; then
            rm -rf "$VAR/odoo-18.0.part"
            die "Odoo 18.0 source not found and it could not be downloaded: set ODOO_SRC to an Odoo 18.0 source tree (for example ODOO_SRC=/opt/odoo-18.0 make run)."
        fi
        mv "$VAR/odoo-18.0.part" "$VAR/odoo-18.0"
        ODOO_SRC="$VAR/odoo-18.0"
    fi
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
        || die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0: these addons need Odoo 18.0."
    export ODOO_SRC
}

# --- Python virtualenv -------------------------------------------------------------------------
find_python() {
    local candidates=("${PYTHON:-}" python3.11 python3.12 python3.10 python3) p
    for p in "${candidates[@]}"; do
        [ -n "$p" ] && command -v "$p" >/dev/null || continue
        if "$p" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))'; then
            echo "$p"; return
        fi
    done
    die "No Python 3.10-3.13 found: install python3.11 (and python3.11-venv) or set PYTHON."
}

pip() {
    # pip's output goes to var/log/pip.log (setuptools is very talkative about Odoo's layout);
    # on failure its last lines are shown.
    mkdir -p "$VAR/log"
    "$PY" -m pip "$@" >>"$VAR/log/pip.log" 2>&1 || { tail -n 25 "$VAR/log/pip.log" >&2; return 1; }
}

setup_venv() {
    local stamp="$VENV/.crm-suite-installed" want
    want=$(cat "$ROOT/requirements.txt" "$ODOO_SRC/requirements.txt" "$ROOT/scripts/build-constraints.txt" \
           <(echo "$ODOO_SRC") | sha1sum | cut -c1-16)
    if [ -x "$PY" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    # One installer at a time (parallel `make` runs); the others wait, then find it done.
    mkdir -p "$VAR"
    exec 8>"$VAR/venv.lock"
    flock 8
    if [ -x "$PY" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        flock -u 8
        return
    fi
    if [ ! -x "$PY" ]; then
        local python; python=$(find_python)
        say "creating .venv with $python"
        "$python" -m venv "$VENV" || die "Could not create .venv: install the venv module (python3-venv)."
    fi
    say "installing Odoo 18.0 and the requirements into .venv (a few minutes the first time)"
    pip install --upgrade "pip>=23" wheel "setuptools<70"
    # Odoo's own pins, minus python-ldap (only auth_ldap needs it, and it needs libldap headers).
    # On Python 3.10 Odoo pins gevent 21.8.0 / greenlet 1.1.2 (Ubuntu Jammy's), which have to be built
    # from source and fail with today's Cython: take the versions Odoo pins for 3.11, which have wheels.
    grep -v '^python-ldap' "$ODOO_SRC/requirements.txt" \
        | sed -E 's/^gevent==21\.8\.0 /gevent==22.10.2 /; s/^greenlet==1\.1\.2 /greenlet==2.0.2 /' \
        > "$VENV/odoo-requirements.txt"
    PIP_BUILD_CONSTRAINT="$ROOT/scripts/build-constraints.txt" PIP_CONSTRAINT="$ROOT/scripts/build-constraints.txt" \
        pip install -r "$VENV/odoo-requirements.txt" \
        || die "Installing Odoo's Python requirements failed (see var/log/pip.log)."
    # compat mode: the default editable mode breaks `import odoo` once any wheel adds odoo/addons/.
    pip install -e "$ODOO_SRC" --no-deps --config-settings editable_mode=compat \
        || die "Installing Odoo from $ODOO_SRC failed (see var/log/pip.log)."
    # Odoo's pins hold: a package of ours that wants a newer cryptography must not replace Odoo's
    # (its pyOpenSSL then fails to import).
    pip install -r "$ROOT/requirements.txt" \
        -c <(grep -E '^(idna|requests|urllib3|lxml|cryptography|pyopenssl)' "$VENV/odoo-requirements.txt") \
        || die "Installing requirements.txt failed (see var/log/pip.log)."
    echo "$want" > "$stamp"
    flock -u 8
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_bindir() {
    local d
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"; return
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && echo "$d"
}

start_private_pg() {
    # No server answers: run a private cluster under var/pg, on a Unix socket and a spare port.
    local bindir run_as=() owner
    bindir=$(pg_bindir) || true
    if [ -z "$bindir" ]; then
        apt_install postgresql
        bindir=$(pg_bindir) || die "PostgreSQL binaries not found after installing them."
    fi
    mkdir -p "$VAR/pg"
    if [ "$(id -u)" = 0 ]; then
        # initdb refuses to run as root: the cluster belongs to the postgres system user.
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$VAR/pg" postgres
        chown -R postgres "$VAR/pg"
        run_as=(runuser -u postgres --)
    fi
    if [ ! -f "$VAR/pg/data/PG_VERSION" ]; then
        say "starting a private PostgreSQL cluster in var/pg (port $PRIVATE_PGPORT)"
        "${run_as[@]}" "$bindir/initdb" -D "$VAR/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    owner=("${run_as[@]}")
    "${owner[@]}" "$bindir/pg_ctl" -D "$VAR/pg/data" -l "$VAR/pg/server.log" -w status >/dev/null 2>&1 \
        || "${owner[@]}" "$bindir/pg_ctl" -D "$VAR/pg/data" -l "$VAR/pg/server.log" -w \
            -o "-p $PRIVATE_PGPORT -k $VAR/pg -c listen_addresses=127.0.0.1" start >/dev/null \
        || die "The private PostgreSQL cluster did not start: see var/pg/server.log."
    PGHOST=127.0.0.1
    PGPORT=$PRIVATE_PGPORT
}

pg_ready() { "$PY" - "$1" "$2" <<'PY'
import sys, psycopg2
try:
    psycopg2.connect(host=sys.argv[1], port=sys.argv[2], dbname="postgres", user="postgres",
                     connect_timeout=3).close()
except psycopg2.OperationalError as e:
    # A server that answers but refuses our role is still a server.
    sys.exit(0 if "authentication" in str(e) or "role" in str(e) else 1)
PY
}

setup_postgres() {
    PGHOST=${PGHOST:-127.0.0.1}
    PGPORT=${PGPORT:-5432}
    if ! pg_ready "$PGHOST" "$PGPORT"; then
        if [ -f "$VAR/pg/data/PG_VERSION" ] || [ "$PGHOST:$PGPORT" = "127.0.0.1:5432" ]; then
            start_private_pg
        else
            die "PostgreSQL at $PGHOST:$PGPORT does not answer: start it, or unset PGHOST/PGPORT to use a private one."
        fi
    fi
    export PGHOST PGPORT
    # The Odoo role (Odoo refuses to run as postgres).
    if ! PGPASSWORD=$DB_PASSWORD psql -qtA -h "$PGHOST" -p "$PGPORT" -U "$DB_USER" -d postgres -c 'select 1' >/dev/null 2>&1; then
        say "creating the PostgreSQL role $DB_USER"
        local sql="DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
                   CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'; END IF; END \$\$;"
        psql -qtA -h "$PGHOST" -p "$PGPORT" -U "${PGSUPERUSER:-postgres}" -d postgres -c "$sql" >/dev/null 2>&1 \
            || (command -v sudo >/dev/null && sudo -u postgres psql -qtA -c "$sql" >/dev/null 2>&1) \
            || die "Could not create the PostgreSQL role $DB_USER: create it with CREATEDB (or set ODOO_DB_USER/ODOO_DB_PASSWORD)."
    fi
}

# --- Odoo configuration ------------------------------------------------------------------------
write_conf() {
    # var/odoo.conf = the repository's odoo.conf (also used by docker-compose) + this machine's paths.
    mkdir -p "$VAR/data" "$VAR/log"
    "$PY" - "$ROOT/odoo.conf" "$ODOO_CONF" <<PY
import configparser, sys
conf = configparser.ConfigParser(interpolation=None)
conf.read(sys.argv[1])
opts = conf["options"]
opts.update({
    "addons_path": "$ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ROOT/addons",
    "data_dir": "$VAR/data",
    "db_host": "$PGHOST",
    "db_port": "$PGPORT",
    "db_user": "$DB_USER",
    "db_password": "$DB_PASSWORD",
    # a development server: the demo data the README's logins use (odoo.conf ships without it)
    "without_demo": "False",
})
with open(sys.argv[2], "w") as f:
    conf.write(f)
PY
}

setup_chromium() {
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
        || command -v google-chrome >/dev/null || apt_install chromium
}

setup_all() {
    find_odoo_src
    setup_venv
    setup_postgres
    write_conf
    ODOO_BIN="$ODOO_SRC/odoo-bin"
    export VENV PY ODOO_BIN ODOO_CONF DB_USER
}

# psql as the Odoo role
opsql() { PGOPTIONS='--client-min-messages=warning' PGPASSWORD=$DB_PASSWORD psql -X -qtA -h "$PGHOST" -p "$PGPORT" -U "$DB_USER" "$@"; }
db_exists() { [ "$(opsql -d postgres -c "select 1 from pg_database where datname = '$1'")" = 1 ]; }
odoo() { "$PY" "$ODOO_BIN" -c "$ODOO_CONF" "$@"; }
# Our addons, comma-separated: every folder of addons/ with a manifest (one list for run, test and bench).
our_addons() { (cd "$ROOT/addons" && ls -d -- */__manifest__.py | cut -d/ -f1 | paste -sd, -); }
