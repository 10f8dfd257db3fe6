#!/usr/bin/env bash
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# `make bench`: the benchmarks of bench/bench_*.py on a fresh database `crm_bench` (all our addons,
# no demo data), served by a real Odoo on a free port for the HTTP benchmarks. Prints a table and
# writes bench/results/<timestamp>.json.
#   BENCH=crm_loyalty make bench     only bench/bench_crm_loyalty.py
#   BENCH_SCALE=small make bench     a quick pass with small data (to check the benchmarks run)
source "$(dirname "$0")/setup.sh"
DB=${BENCH_DB:-crm_bench}
setup_all
opsql -d postgres -c "drop database if exists $DB" >/dev/null
rm -rf "$VAR/data/filestore/$DB"
say "creating the benchmark database $DB"
odoo -d "$DB" -i "$(our_addons)" --without-demo=all --stop-after-init \
    --logfile="$VAR/log/$DB-install.log" || die "Installing the addons failed: see var/log/$DB-install.log."
"$PY" "$ROOT/bench/runner.py" --db "$DB" --conf "$ODOO_CONF" --odoo-bin "$ODOO_BIN" \
    --scale "${BENCH_SCALE:-full}" ${BENCH:+--only "$BENCH"}
