# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from .ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_user_opens_every_menu(self):
        """A data sharing user opens every menu of Data Sharing, in each view and with each filter."""
        self.assert_app_opens("crm_vrm.menu_crm_vrm_root", "crm_vrm.group_vrm_user")

    def test_manager_opens_every_menu(self):
        """A privacy officer opens every menu of Data Sharing, configuration included."""
        self.assert_app_opens("crm_vrm.menu_crm_vrm_root", "crm_vrm.group_vrm_manager")
