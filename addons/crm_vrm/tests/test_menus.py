# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import new_test_user, tagged

from .ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_user_opens_every_menu(self):
        """A data sharing user opens every menu of Data Sharing, in each view and with each filter."""
        new_test_user(self.env, "vrm_user_clicks", groups="base.group_user,crm_vrm.group_vrm_user")
        self.assert_app_opens("crm_vrm.menu_crm_vrm_root", "vrm_user_clicks")

    def test_manager_opens_every_menu(self):
        """A privacy officer opens every menu of Data Sharing, configuration included."""
        new_test_user(self.env, "vrm_manager_clicks", groups="base.group_user,crm_vrm.group_vrm_manager")
        self.assert_app_opens("crm_vrm.menu_crm_vrm_root", "vrm_manager_clicks")
