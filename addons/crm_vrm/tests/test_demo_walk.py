# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from .ui_case import PortalWalkCase


@tagged("post_install", "-at_install")
class TestDemoWalk(PortalWalkCase):
    def test_customer_walks_her_sharing_pages(self):
        """On the demo data, a customer with mixed sharing choices opens every page of her data sharing:
        choices, history, receipts, requests."""
        seen = self.assert_portal_pages_open(
            "mia.picksome@example.com", "mia", ("/my/data-sharing",), start="/my/data-sharing"
        )
        self.assertGreater(len(seen), 1)
