# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from odoo.addons.crm_vrm.tests.ui_case import PortalWalkCase


@tagged("post_install", "-at_install")
class TestDemoWalk(PortalWalkCase):
    def test_franchise_people_walk_their_pages(self):
        """On the demo data, every page of the London franchise manager and technician opens: queue,
        scorecard, tickets."""
        for login, password in (
            ("priya@london.glassco.example.com", "priya"),
            ("tom@london.glassco.example.com", "tom"),
        ):
            seen = self.assert_portal_pages_open(
                login, password, ("/my/franchise", "/my/support"), start="/my/franchise/queue"
            )
            self.assertTrue(any(path.startswith("/my/franchise/tickets/") for path in seen), sorted(seen))
