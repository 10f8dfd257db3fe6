#!/usr/bin/env bash
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# `make run`: set up what is missing, create the demo database once, serve it on :8069.
# A second run reuses the virtualenv and the database (keeping its data) and starts in seconds;
# when the addons' code changed since the last run, they are updated first.
source "$(dirname "$0")/setup.sh"

DB=${DB:-crm_demo}
PORT=${HTTP_PORT:-8069}
MAIL_PORT=${MAIL_PORT:-2525}
ADDONS=$(our_addons)

setup_all

addons_hash() { (cd "$ROOT" && find addons -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-16); }
installed() {
    [ "$(opsql -d "$DB" -c "select bool_and(coalesce(m.state = 'installed', false)) from unnest(string_to_array('$ADDONS', ',')) a
        left join ir_module_module m on m.name = a" 2>/dev/null)" = t ]
}

stamp="$VAR/$DB.addons"
if ! db_exists "$DB" || ! installed; then
    say "creating the database $DB with the three addons and their demo data (about a minute)"
    odoo -d "$DB" -i "$ADDONS" --stop-after-init --logfile="$VAR/log/$DB-install.log" \
        || die "Installing the addons failed: see var/log/$DB-install.log."
    addons_hash > "$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$(addons_hash)" ]; then
    say "the addons changed since the last run: updating them in $DB"
    odoo -d "$DB" -u "$ADDONS" --stop-after-init --logfile="$VAR/log/$DB-update.log" \
        || die "Updating the addons failed: see var/log/$DB-update.log."
    addons_hash > "$stamp"
fi

# The database by name (-d), no --db-filter: Odoo then serves it without listing the server's
# databases on a new PostgreSQL connection for each new visitor (see crm_support's CONFIGURE, item 9).
# A development server (demo logins, admin / admin): on this machine's loopback only, never on the network.
# A local mail catcher (scripts/mailcatcher.py, a real SMTP server on 127.0.0.1): the e-mails the demo
# sends (acknowledgements, assignments, escalations) are kept in var/mail instead of ending in
# "exception" on a machine without a mail server. `python3 scripts/mailcatcher.py list` shows them.
"$PY" "$ROOT/scripts/mailcatcher.py" serve --port="$MAIL_PORT" --dir="$VAR/mail" 2>>"$VAR/log/mailcatcher.log" &
catcher=$!
odoo -d "$DB" --http-interface=127.0.0.1 --http-port="$PORT" --smtp=127.0.0.1 --smtp-port="$MAIL_PORT" \
    --logfile="$VAR/log/$DB.log" &
server=$!
trap 'kill $server $catcher 2>/dev/null; wait $server $catcher 2>/dev/null' INT TERM EXIT
for _ in $(seq 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/web/login" 2>/dev/null && break
    kill -0 $server 2>/dev/null || die "The server stopped while starting: see var/log/$DB.log."
    sleep 0.5
done
cat <<EOF

  CRM suite is running at http://localhost:$PORT  (database $DB, log in var/log/$DB.log)
  Development server: listening on 127.0.0.1 only, with demo data (for production see README, "Docker")

  Log in as        admin / admin                 (administrator: every menu)
  Demo logins      see README.md, "Demo logins"  (franchise staff, customers, privacy officer)
  Sent e-mails     python3 scripts/mailcatcher.py list   (kept in var/mail by a local SMTP server
                   on 127.0.0.1:$MAIL_PORT; "show <file>" prints one; SMS: Settings > Technical > Phone / SMS > SMS)
  Stop with        Ctrl+C

EOF
wait $server
