# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where no PostgreSQL answers, the set-up starts a private cluster and creates Odoo's role in it."""

import os
import shutil
import socket
import subprocess
import tempfile

import pytest
from conftest import ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scratch_var():
    # Not pytest's tmp_path: that lives under a 0700 folder the postgres system user cannot enter.
    path = tempfile.mkdtemp(prefix="crm-private-pg-", dir="/tmp")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_private_cluster_starts_and_serves_the_odoo_role(scratch_var):
    """A machine with no server: a cluster under var/pg, then the role odoo can log in and create a database."""
    port = _free_port()
    script = f"""
        source scripts/setup.sh
        VAR={scratch_var}
        PRIVATE_PGPORT={port}
        start_private_pg
        setup_postgres
        echo "server=$PGHOST:$PGPORT"
        opsql -d postgres -c "create database crm_private_probe" && echo "created"
        opsql -d crm_private_probe -c "select current_user"
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    try:
        proc = subprocess.run(
            ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert f"server=127.0.0.1:{port}" in proc.stdout
        assert "created" in proc.stdout
        assert proc.stdout.strip().endswith("odoo"), "Odoo connects as its own role, not as postgres"
        assert os.path.isfile(os.path.join(scratch_var, "pg", "data", "PG_VERSION"))
    finally:
        pg_ctl = subprocess.run(
            ["bash", "-c", "source scripts/setup.sh && echo $(pg_bindir)/pg_ctl"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        stop = [pg_ctl, "-D", os.path.join(scratch_var, "pg", "data"), "-m", "immediate", "stop"]
        if os.getuid() == 0:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        subprocess.run(stop, capture_output=True, check=False)
