# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from odoo.addons.crm_vrm.tests.ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_api_manager_opens_every_menu(self):
        """An API manager who is no administrator reaches the webhooks and their delivery log, in each view
        and with each filter."""
        self.assert_app_opens("crm_api.menu_crm_api_root", "crm_api.group_crm_api_manager")
