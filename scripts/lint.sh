#!/usr/bin/env bash
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# `make lint`: the pre-commit hooks (ruff, ruff format, pylint-odoo) over the whole tree.
source "$(dirname "$0")/setup.sh"
find_odoo_src
setup_venv
cd "$ROOT"
# pre-commit runs the hooks from .venv (local hooks: no download of hook repositories needed).
PATH="$VENV/bin:$PATH" PRE_COMMIT_HOME="$VAR/pre-commit" "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure \
    || die "Lint failed: fix the findings above (ruff format fixes layout: .venv/bin/ruff format addons tests scripts)."
