# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixtures of the repository-level tests (run by `make test` after Odoo's own tests)."""

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through `make test`, which sets it.")
    return value


@pytest.fixture(scope="session")
def test_db():
    """The database `make test` just installed the three addons (with demo data) into."""
    return _env("CRM_TEST_DB")


@pytest.fixture(scope="session")
def odoo_server(test_db):
    """A real Odoo server on a free local port serving the test database; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = ROOT / "var" / "log" / f"{test_db}.pytest-server.log"
    cmd = [
        sys.executable,
        _env("ODOO_BIN"),
        "-c",
        _env("ODOO_CONF"),
        "-d",
        test_db,
        f"--db-filter=^{test_db}$",
        f"--http-port={port}",
        f"--logfile={log}",
        "--max-cron-threads=0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/web/login", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Odoo server did not start: see {log}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
