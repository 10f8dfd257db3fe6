#!/usr/bin/env bash
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# `make test`: on a NEW database, run every test of the addons with Odoo's runner (at_install and
# post_install, browser tours included), then the pytest suite in tests/. Fails on any failed or
# erroring test, any skipped test (a skipped tour is a tour that did not run), and any unexpected
# ERROR/CRITICAL line in the server log. Ends with one line: `N passed, N failed`.
#
#   ADDONS=crm_loyalty make test           only that addon (and what it depends on)
#   TEST_TAGS=/crm_loyalty:TestTiers make test   a narrower selection of Odoo tests
#   PYTEST=0 make test                     skip the pytest suite (Odoo tests only)
#   KEEP_DB=1 make test                    keep the test database afterwards
source "$(dirname "$0")/setup.sh"

ADDONS=${ADDONS:-$(our_addons)}
TEST_TAGS=${TEST_TAGS:-$(echo "$ADDONS" | sed -E 's#(^|,)#\1/#g')}
DB=${TEST_DB:-crm_test_$(date +%Y%m%d_%H%M%S)_$$}
LOG="$VAR/log/$DB.log"

setup_all
setup_chromium

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A template database with Odoo's modules our addons build on, reused while Odoo's source and our
# dependencies stay the same; each run copies it (0.2 s) instead of installing them again (~1 min).
template_db() {
    local deps key tmpl
    deps=$("$PY" - "$ROOT/addons" <<'PY'
import ast, pathlib, sys
ours = {p.parent.name: ast.literal_eval(p.read_text()) for p in pathlib.Path(sys.argv[1]).glob("*/__manifest__.py")}
print(",".join(sorted({d for m in ours.values() for d in m.get("depends", []) if d not in ours})))
PY
)
    # The checkout is part of the key: two clones on one server never share (or rebuild) a template.
    key=$( (echo "$deps"; echo "$ODOO_SRC"; echo "$ROOT"; cat "$ODOO_SRC/odoo/release.py") | sha1sum | cut -c1-10)
    tmpl="crm_tmpl_$key"
    (
        flock 9
        if ! db_exists "$tmpl" || [ ! -f "$VAR/$tmpl.ok" ]; then
            say "building the template database $tmpl ($deps, with demo data)"
            opsql -d postgres -c "drop database if exists $tmpl" >/dev/null
            rm -rf "$VAR/data/filestore/$tmpl"
            odoo -d "$tmpl" -i "$deps" --stop-after-init --logfile="$VAR/log/$tmpl.log" \
                || die "Building the template database failed: see var/log/$tmpl.log."
            touch "$VAR/$tmpl.ok"
        fi
    ) 9>"$VAR/template.lock" || exit 1
    echo "$tmpl"
}

tmpl=$(template_db)
say "test database $DB (copy of $tmpl); log in var/log/$DB.log"
opsql -d postgres -c "create database $DB template $tmpl" >/dev/null
[ -d "$VAR/data/filestore/$tmpl" ] && mkdir -p "$VAR/data/filestore" && cp -a "$VAR/data/filestore/$tmpl" "$VAR/data/filestore/$DB"

started=$(date +%s)
rc=0
odoo -d "$DB" -i "$ADDONS" --test-enable --test-tags "$TEST_TAGS" --stop-after-init \
    --http-port "$(free_port)" --logfile "$LOG" --log-level info || rc=$?
say "Odoo tests finished in $(( $(date +%s) - started )) s (exit code $rc)"

summary="$VAR/log/$DB.summary.json"
"$PY" "$ROOT/scripts/checklog.py" "$LOG" --json "$summary" || rc=1

pytest_passed=0 pytest_failed=0
if [ "${PYTEST:-1}" = 1 ]; then
    junit="$VAR/log/$DB.pytest.xml"
    CRM_TEST_DB=$DB ODOO_CONF=$ODOO_CONF ODOO_BIN=$ODOO_BIN \
        "$PY" -m pytest "$ROOT/tests" -p no:cacheprovider -p no:odoo -q --junitxml "$junit" || rc=1
    read -r pytest_passed pytest_failed < <("$PY" - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot()
s = s if s.tag == "testsuite" else s.find("testsuite")
t, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
print(t - f - e - k, f + e + k)
PY
)
fi

if [ "$rc" = 0 ] && [ -z "${KEEP_DB:-}" ]; then
    opsql -d postgres -c "drop database if exists $DB" >/dev/null
    # crm_vrm's receipt signing key of that database (outside the filestore, see receipt_keys.py)
    rm -rf "$VAR/data/filestore/$DB" "$VAR/data/crm_vrm/$DB".receipt-key.json*
else
    say "kept the test database $DB for inspection (drop it with: make clean-test-dbs)"
fi

read -r odoo_passed odoo_failed < <("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["passed"], s["failed"])' "$summary")
[ "$rc" = 0 ] || [ $((odoo_failed + pytest_failed)) -gt 0 ] || odoo_failed=1
echo "$((odoo_passed + pytest_passed)) passed, $((odoo_failed + pytest_failed)) failed"
exit "$rc"
