# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What `make run` promises, checked against a real server: the login page and the addons."""

import urllib.request
import xmlrpc.client

ADDONS = ["crm_loyalty", "crm_support", "crm_vrm"]


def test_login_page_served(odoo_server):
    with urllib.request.urlopen(f"{odoo_server}/web/login", timeout=10) as r:
        body = r.read().decode()
    assert r.status == 200
    assert 'name="login"' in body and 'name="password"' in body


def test_addons_installed_with_demo_data(odoo_server, test_db):
    common = xmlrpc.client.ServerProxy(f"{odoo_server}/xmlrpc/2/common")
    uid = common.authenticate(test_db, "admin", "admin", {})
    assert uid, "admin / admin must log in, as the README says"
    models = xmlrpc.client.ServerProxy(f"{odoo_server}/xmlrpc/2/object")
    modules = models.execute_kw(
        test_db,
        uid,
        "admin",
        "ir.module.module",
        "search_read",
        [[("name", "in", ADDONS)]],
        {"fields": ["name", "state", "demo"]},
    )
    assert sorted(m["name"] for m in modules) == ADDONS
    assert all(m["state"] == "installed" for m in modules), modules
    assert all(m["demo"] for m in modules), "the demo data of each addon is loaded"


def test_wrong_password_refused(odoo_server, test_db):
    common = xmlrpc.client.ServerProxy(f"{odoo_server}/xmlrpc/2/common")
    assert not common.authenticate(test_db, "admin", "not-the-password", {})
