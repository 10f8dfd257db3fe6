# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The gate of `make test`: scripts/checklog.py must turn red for every way a run can go wrong."""

import importlib.util

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("checklog", ROOT / "scripts" / "checklog.py")
checklog = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checklog)

T = "2026-11-23 16:00:00,000 4242"
GREEN = [
    f"{T} INFO crm_test odoo.modules.loading: loading 1 modules...\n",
    f"{T} INFO crm_test odoo.addons.crm_loyalty.tests.test_tour: Starting TestSmokeTour.test_manager_opens_app ...\n",
    f"{T} INFO crm_test odoo.tests.result: 0 failed, 0 error(s) of 12 tests when loading database 'crm_test'\n",
]


def run(tmp_path, lines):
    log = tmp_path / "odoo.log"
    log.write_text("".join(lines))
    return checklog.main([str(log), "--json", str(tmp_path / "s.json")]), checklog.check(lines)


def test_green_run(tmp_path):
    rc, s = run(tmp_path, GREEN)
    assert rc == 0
    assert (s["passed"], s["failed_total"]) == (12, 0)


def test_failed_test_is_red(tmp_path):
    lines = [
        *GREEN[:2],
        f"{T} ERROR crm_test odoo.addons.crm_loyalty.tests.test_x: FAIL: TestX.test_y\n",
        "Traceback (most recent call last):\n",
        "AssertionError: 1 != 2\n",
        f"{T} ERROR crm_test odoo.tests.result: 1 failed, 0 error(s) of 12 tests when loading database 'crm_test'\n",
    ]
    rc, s = run(tmp_path, lines)
    assert rc == 1
    assert (s["passed"], s["failed_total"], s["stray_errors"]) == (11, 1, 0)


@pytest.mark.parametrize("reason", ["websocket-client module is not installed", "Chrome executable not found"])
def test_skipped_tour_is_red(tmp_path, reason):
    skipped = f"{T} INFO crm_test odoo.addons.crm_loyalty.tests.test_tour: skipped TestSmokeTour.test_tour : {reason}\n"
    rc, s = run(tmp_path, [*GREEN[:2], skipped, GREEN[2]])
    assert rc == 1
    assert s["failed_total"] == 1 and reason in s["skipped"][0]


def test_error_logged_outside_a_test_is_red(tmp_path):
    error = f"{T} ERROR crm_test odoo.addons.crm_support.models.ticket: could not send SMS\n"
    rc, s = run(tmp_path, [*GREEN[:2], error, "Traceback (most recent call last):\n", GREEN[2]])
    assert rc == 1
    assert s["stray_errors"] == 1
    assert "Traceback" in s["log_errors"][0]["text"]


def test_crash_before_result_is_red(tmp_path):
    rc, s = run(tmp_path, GREEN[:2])
    assert rc == 1
    assert not s["result_found"] and s["failed_total"] == 1
