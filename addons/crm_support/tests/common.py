# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from contextlib import contextmanager
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import TransactionCase, new_test_user


@contextmanager
def sql_statements():
    """The SQL statements run inside the block, parameters filled in (requests served by the test
    server included: they share its process)."""
    statements = []
    execute = Cursor.execute

    def recording_execute(cr, query, params=None, *args, **kwargs):
        statements.append(cr.mogrify(query, params).decode())
        return execute(cr, query, params, *args, **kwargs)

    with patch.object(Cursor, "execute", recording_execute):
        yield statements


class SupportCase(TransactionCase):
    """Two franchises (London SW1*, Zurich 8001-8099) with staff, one customer each, and rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True, tracking_disable=True))
        env = cls.env
        cls.uk = env.ref("base.uk")
        cls.ch = env.ref("base.ch")
        # A calendar open every day around the clock, so tests do not depend on the wall clock.
        cls.calendar_24 = env["resource.calendar"].create(
            {
                "name": "Always open",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"day {d}", "dayofweek": str(d), "hour_from": 0, "hour_to": 24}) for d in range(7)
                ],
            }
        )
        # Demo franchises, rules and policies must not take part in these tests.
        env["crm.franchise"].search([]).active = False
        cls.skill_glass = env["crm.support.skill"].create({"name": "Test windscreen fitting"})
        cls.cat_windscreen = env["crm.support.category"].create(
            {"name": "Test windscreen", "code": "t_windscreen", "skill_id": cls.skill_glass.id}
        )
        cls.cat_window = env["crm.support.category"].create({"name": "Test home window", "code": "t_window"})
        cls.franchise_london = env["crm.franchise"].create(
            {
                "name": "Clearview London",
                "partner_id": env["res.partner"].create({"name": "Clearview London Ltd", "is_company": True}).id,
                "calendar_id": cls.calendar_24.id,
                "default_capacity": 3,
                "area_ids": [(0, 0, {"country_id": cls.uk.id, "zip_patterns": "SW1*, EC1A 1BB"})],
            }
        )
        cls.franchise_zurich = env["crm.franchise"].create(
            {
                "name": "Klarglas Zurich",
                "partner_id": env["res.partner"].create({"name": "Klarglas AG", "is_company": True}).id,
                "calendar_id": cls.calendar_24.id,
                "area_ids": [(0, 0, {"country_id": cls.ch.id, "zip_patterns": "8001-8099"})],
            }
        )
        staff = "crm_support.group_franchise_staff"
        manager = "crm_support.group_franchise_manager"
        cls.alice = new_test_user(
            env, "alice_ldn", groups=staff, name="Alice London", franchise_id=cls.franchise_london.id
        )
        cls.bob = new_test_user(env, "bob_ldn", groups=staff, name="Bob London", franchise_id=cls.franchise_london.id)
        cls.london_mgr = new_test_user(
            env, "mgr_ldn", groups=manager, name="Manager London", franchise_id=cls.franchise_london.id
        )
        cls.zoe = new_test_user(env, "zoe_zrh", groups=staff, name="Zoe Zurich", franchise_id=cls.franchise_zurich.id)
        cls.zurich_mgr = new_test_user(
            env, "mgr_zrh", groups=manager, name="Manager Zurich", franchise_id=cls.franchise_zurich.id
        )
        # Managers do not take tickets in these tests unless a test says so.
        (cls.london_mgr | cls.zurich_mgr).support_takes_tickets = False
        cls.triage = new_test_user(
            env, "triage_ho", groups="crm_support.group_support_triage", name="Head Office Triage"
        )
        cls.support_user = new_test_user(env, "support_ho", groups="crm_support.group_support_user")
        cls.support_manager = new_test_user(env, "support_mgr_ho", groups="crm_support.group_support_manager")
        cls.customer = env["res.partner"].create(
            {
                "name": "Carla Customer",
                "email": "carla@example.com",
                "mobile": "+44 7911 123400",
                "zip": "SW1A 1AA",
                "country_id": cls.uk.id,
            }
        )
        cls.customer_user = new_test_user(env, "carla", groups="base.group_portal", partner_id=cls.customer.id)
        cls.other_customer = env["res.partner"].create({"name": "Otto Other", "email": "otto@example.com"})
        env["crm.support.routing.rule"].search([]).active = False
        env["crm.support.sla.policy"].search([]).active = False
        cls.rule_area = env["crm.support.routing.rule"].create(
            {"name": "By service area", "sequence": 100, "target": "area", "strategy": "chain"}
        )

    @classmethod
    def _ticket(cls, **vals):
        values = {
            "subject": "Cracked windscreen",
            "partner_id": cls.customer.id,
            "zip": "SW1A 1AA",
            "country_id": cls.uk.id,
            "category_id": cls.cat_windscreen.id,
        }
        values.update(vals)
        return cls.env["crm.support.ticket"].create(values)
