# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed_with_groups(self):
        """The addon is installed and its manager group implies its user group."""
        module = self.env["ir.module.module"].search([("name", "=", "crm_loyalty")])
        self.assertEqual(module.state, "installed")
        manager = self.env.ref("crm_loyalty.group_loyalty_manager")
        self.assertIn(self.env.ref("crm_loyalty.group_loyalty_user"), manager.implied_ids)
