# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from odoo.addons.crm_vrm.tests.ui_case import AppMenusCase


@tagged("post_install", "-at_install")
class TestMenus(AppMenusCase):
    def test_user_opens_every_menu(self):
        """A loyalty user opens every menu of Loyalty Tiers, in each view and with each filter."""
        self.assert_app_opens("crm_loyalty.menu_crm_loyalty_root", "crm_loyalty.group_loyalty_user")

    def test_manager_opens_every_menu(self):
        """A loyalty manager opens every menu of Loyalty Tiers, configuration included."""
        self.assert_app_opens("crm_loyalty.menu_crm_loyalty_root", "crm_loyalty.group_loyalty_manager")
