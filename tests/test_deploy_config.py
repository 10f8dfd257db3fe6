# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The production topology (deploy/): nginx, N prefork HTTP replicas, one cron-only server, one
PostgreSQL, one shared data volume; safe by default like docker-compose.yml (plain reads of the files,
and `docker compose config` where a Docker client with compose is installed)."""

import re
import shutil
import subprocess

import yaml
from conftest import ROOT

DEPLOY = ROOT / "deploy"


def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.prod.yml").read_text())


def command(service):
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def odoo_services(services):
    return {name: s for name, s in services.items() if "odoo" in command(s) and "/entrypoint.sh" in command(s)}


def test_topology_services():
    """Proves the shape: a proxy, >= 2 HTTP replicas with workers and no cron, one cron server without
    HTTP, PostgreSQL, and the addons installed before the servers start."""
    services = compose()["services"]
    assert {"db", "odoo", "cron", "nginx", "init"} <= set(services)
    http = command(services["odoo"])
    assert services["odoo"]["deploy"]["replicas"] >= 2, "two HTTP servers by default"
    assert re.search(r"--workers=\$\{ODOO_WORKERS:-[1-9]", http), "prefork mode"
    assert "--max-cron-threads=0" in http and "--proxy-mode" in http
    assert "ports" not in services["odoo"], "the HTTP replicas are reached through nginx only (--scale)"
    cron = command(services["cron"])
    assert "--no-http" in cron and "--max-cron-threads=" in cron and "--max-cron-threads=0" not in cron
    addons = sorted(p.parent.name for p in (ROOT / "addons").glob("*/__manifest__.py"))
    installed = re.search(r"-i (\S+)", command(services["init"])).group(1).split(",")
    assert sorted(installed) == addons, "the init service installs every addon of addons/"
    for name in ("odoo", "cron"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"


def test_odoo_services_share_data_and_require_a_master_password():
    """Proves the per-host state is shared (filestore, sessions, crm_vrm's receipt key file under
    data_dir) and that no container starts with Odoo's default master password."""
    services = compose()["services"]
    odoos = odoo_services(services)
    assert set(odoos) == {"init", "odoo", "cron"}
    for name, service in odoos.items():
        assert "odoo-data:/var/lib/odoo" in service["volumes"], name
        assert re.fullmatch(r"\$\{ODOO_MASTER_PASSWORD:\?.+\}", service["environment"]["ODOO_MASTER_PASSWORD"])
        cmd = command(service)
        assert "admin_passwd" in cmd and "odoo -c /tmp/odoo.conf" in cmd, name
        assert "--db-filter" in cmd or "--stop-after-init" in cmd, name


def test_only_the_proxy_is_published_on_loopback():
    services = compose()["services"]
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"nginx"}
    for mapping in map(str, services["nginx"]["ports"]):
        default = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", mapping)
        assert default.startswith("127.0.0.1:"), mapping


def test_nginx_routes_websocket_and_forwards_headers():
    conf = (DEPLOY / "nginx.conf").read_text()
    websocket = re.search(r"location /websocket \{(.*?)\}", conf, re.S).group(1)
    assert "proxy_pass http://odoo_websocket" in websocket and "Upgrade $http_upgrade" in websocket
    assert re.search(r"upstream odoo_websocket \{\s*server odoo:8072;", conf)
    assert re.search(r"upstream odoo_http \{\s*(#.*\n\s*)*server odoo:8069;", conf)
    assert "location /longpolling" in conf
    for header in ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"):
        assert f"proxy_set_header {header}" in conf, "proxy_mode needs it"


def test_image_from_official_odoo_with_fastapi():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM odoo:18\.0$", dockerfile, re.M)
    assert "odoo-addon-fastapi>=18.0,<18.1" in dockerfile
    for requirement in ("phonenumbers", "joserfc"):
        assert requirement in dockerfile and requirement in (ROOT / "requirements.txt").read_text()
    assert "COPY --chown=odoo:odoo addons /mnt/extra-addons" in dockerfile
    assert compose()["services"]["odoo"]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_readme_says_how_to_scale():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production / scaling", 1)[1].split("\n## ", 1)[0]
    for word in ("--scale odoo=", "workers", "max_cron_threads", "db_maxconn", "limit_time_", "proxy_mode"):
        assert word in section, word


def test_docker_compose_config_when_available():
    """`docker compose config` validates the file where a Docker client with compose exists (no daemon
    needed); elsewhere the YAML checks above stand alone."""
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode:
        return
    result = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "docker-compose.prod.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"ODOO_MASTER_PASSWORD": "a-long-test-secret-not-used", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
