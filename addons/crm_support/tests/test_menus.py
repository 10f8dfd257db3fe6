# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from odoo.addons.crm_vrm.tests.ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_user_opens_every_menu(self):
        """A support user opens every menu of Service Requests, in each view and with each filter."""
        self.assert_app_opens("crm_support.menu_crm_support_root", "crm_support.group_support_user")

    def test_manager_opens_every_menu(self):
        """A support manager opens every menu of Service Requests, configuration included."""
        self.assert_app_opens("crm_support.menu_crm_support_root", "crm_support.group_support_manager")
