# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The set-up's promises that need no Odoo: clear failure without Odoo, a conventional compose file."""

import configparser
import os
import subprocess

import yaml
from conftest import ROOT


def make_run(env):
    return subprocess.run(
        ["make", "-s", "run"], cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=120
    )


def test_make_run_without_odoo_says_what_to_set():
    """No ODOO_SRC, no Odoo in the default place, no network: one sentence, no traceback."""
    env = {k: v for k, v in os.environ.items() if k != "ODOO_SRC"}
    env.update(ODOO_DEFAULT_SRC="/nonexistent/odoo-18.0", ODOO_ARCHIVE_URL="http://127.0.0.1:9/odoo-18.0.tar.gz")
    proc = make_run(env)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, proc.stderr
    assert "set ODOO_SRC" in errors[0]
    assert not (ROOT / "var" / "odoo-18.0.part").exists(), "a failed download leaves nothing half-written"


def test_make_run_rejects_a_folder_that_is_not_odoo(tmp_path):
    env = dict(os.environ, ODOO_SRC=str(tmp_path))
    proc = make_run(env)
    assert proc.returncode != 0
    assert f"ODOO_SRC={tmp_path} is not an Odoo source tree" in proc.stderr


def test_docker_compose_matches_odoo_conf():
    """docker-compose mounts our addons and odoo.conf, and odoo.conf points at its services."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    odoo, db = compose["services"]["odoo"], compose["services"]["db"]
    assert odoo["image"] == "odoo:18.0"
    assert db["image"].startswith("postgres:")
    assert "./addons:/mnt/extra-addons" in odoo["volumes"]
    assert any(v.startswith("./odoo.conf:/etc/odoo/odoo.conf") for v in odoo["volumes"])
    filestore = [v for v in odoo["volumes"] if v.endswith(":/var/lib/odoo")]
    assert filestore and filestore[0].split(":")[0] in compose["volumes"], "the filestore is a named volume"
    conf = configparser.ConfigParser()
    conf.read(ROOT / "odoo.conf")
    opts = conf["options"]
    assert "/mnt/extra-addons" in opts["addons_path"]
    assert opts["data_dir"] == "/var/lib/odoo"
    assert opts["db_host"] in compose["services"]
    assert (opts["db_user"], opts["db_password"]) == (
        db["environment"]["POSTGRES_USER"],
        db["environment"]["POSTGRES_PASSWORD"],
    )
