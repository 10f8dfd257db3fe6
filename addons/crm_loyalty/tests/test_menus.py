# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import new_test_user, tagged

from odoo.addons.crm_vrm.tests.ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_user_opens_every_menu(self):
        """A loyalty user opens every menu of Loyalty Tiers, in each view and with each filter."""
        new_test_user(self.env, "loyalty_user_clicks", groups="base.group_user,crm_loyalty.group_loyalty_user")
        self.assert_app_opens("crm_loyalty.menu_crm_loyalty_root", "loyalty_user_clicks")

    def test_manager_opens_every_menu(self):
        """A loyalty manager opens every menu of Loyalty Tiers, configuration included."""
        new_test_user(self.env, "loyalty_manager_clicks", groups="base.group_user,crm_loyalty.group_loyalty_manager")
        self.assert_app_opens("crm_loyalty.menu_crm_loyalty_root", "loyalty_manager_clicks")
