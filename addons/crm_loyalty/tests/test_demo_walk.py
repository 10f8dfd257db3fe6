# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from odoo.addons.crm_vrm.tests.ui_case import PortalWalkCase


@tagged("post_install", "-at_install")
class TestDemoWalk(PortalWalkCase):
    def test_member_walks_his_loyalty_pages(self):
        """On the demo data, the Gold member opens every page of his loyalty account: card,
        statement, vouchers."""
        seen = self.assert_portal_pages_open("portal", "portal", ("/my/loyalty",), start="/my/loyalty")
        self.assertGreater(len(seen), 1)
