# CRM suite for Odoo 18.0 — the two commands of the README, and a few more.
#   make run     set up what is missing, then serve the demo database on http://localhost:8069
#   make test    lint, then every test of the three addons on a new database, then tests/
#   make lint    ruff, ruff format --check and pylint-odoo (the pre-commit hooks)
#   make bench   the benchmarks: a table on screen, JSON in bench/results/
# Odoo's source: ODOO_SRC, else /opt/odoo-18.0, else Odoo's official 18.0 archive (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test lint bench setup clean-test-dbs

help:
	@sed -n '2,6p' Makefile | sed 's/^# //'

setup:
	@bash -c 'source scripts/setup.sh && setup_all'

run:
	@bash scripts/run.sh

test: lint
	@bash scripts/test.sh

lint:
	@bash scripts/lint.sh

bench:
	@bash scripts/bench.sh

clean-test-dbs:
	@bash -c 'source scripts/setup.sh && setup_all && for db in $$(opsql -d postgres -c "select datname from pg_database where datname like '"'"'crm_test_%'"'"'"); do \
		opsql -d postgres -c "drop database $$db" && rm -rf var/data/filestore/$$db var/data/crm_vrm/$$db.receipt-key.json* && echo "dropped $$db"; done'
