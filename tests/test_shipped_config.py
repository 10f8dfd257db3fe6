# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shipped configuration is safe by default: a known weak setting in odoo.conf, docker-compose.yml or
`make run` fails here (plain reads of the files, no server)."""

import configparser
import re

import yaml
from conftest import ROOT

# Master passwords that hand the database over to whoever reaches the port (/web/database/backup).
WEAK_PASSWORDS = {"", "admin", "odoo", "password", "changeme", "false", "none"}


def odoo_conf():
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(ROOT / "odoo.conf")
    return conf["options"]


def odoo_service():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["odoo"]


def test_no_master_password_in_odoo_conf():
    """No master password in the file (Odoo's default would be 'admin'): docker-compose adds one."""
    opts = odoo_conf()
    assert "admin_passwd" not in opts or opts["admin_passwd"].strip().lower() not in WEAK_PASSWORDS


def test_no_database_manager_and_no_demo():
    opts = odoo_conf()
    assert opts.get("list_db", "True").strip().lower() in ("false", "0"), "the database manager is off"
    assert opts.get("without_demo", "").strip().lower() == "all", "no demo data unless asked"


def test_proxy_mode_is_documented():
    text = (ROOT / "odoo.conf").read_text()
    assert re.search(r"^;.*proxy_mode.*reverse proxy", text, re.MULTILINE | re.IGNORECASE)
    assert "proxy_mode" in (ROOT / "README.md").read_text()


def test_compose_requires_a_master_password():
    """docker-compose refuses to start without ODOO_MASTER_PASSWORD (${VAR:?...}) and hands it to Odoo."""
    odoo = odoo_service()
    assert re.fullmatch(r"\$\{ODOO_MASTER_PASSWORD:\?.+\}", str(odoo["environment"].get("ODOO_MASTER_PASSWORD")))
    command = " ".join(odoo["command"]) if isinstance(odoo["command"], list) else odoo["command"]
    assert "admin_passwd" in command and "$$ODOO_MASTER_PASSWORD" in command
    config = re.search(r"odoo -c (\S+)", command)
    assert config and config.group(1) in command.split(">")[1], "Odoo reads the file the password was written to"


def test_compose_publishes_on_loopback_only():
    for mapping in map(str, odoo_service().get("ports", [])):
        default = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", mapping)  # the value without the variable set
        assert default.startswith("127.0.0.1:"), f"{mapping} publishes Odoo on every interface"


def test_make_run_binds_loopback_and_says_so():
    run = (ROOT / "scripts" / "run.sh").read_text()
    serve = [line for line in run.splitlines() if re.match(r"\s*odoo -d .*--http-port", line)]
    assert serve and all("--http-interface=127.0.0.1" in line for line in serve)
    assert "127.0.0.1 only" in run
    # the development server keeps its demo data (odoo.conf ships without it)
    assert '"without_demo": "False"' in (ROOT / "scripts" / "setup.sh").read_text()
