# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed_with_groups(self):
        """The addon is installed and its manager group implies its user group."""
        module = self.env["ir.module.module"].search([("name", "=", "crm_support")])
        self.assertEqual(module.state, "installed")
        manager = self.env.ref("crm_support.group_support_manager")
        self.assertIn(self.env.ref("crm_support.group_support_user"), manager.implied_ids)

    def test_demo_tickets_carry_service_times(self):
        """Demo tickets that were answered or closed show first-response and resolution times in the report."""
        done = self.env.ref("crm_support.demo_ticket_t5")  # the test databases hold the demo data
        self.assertGreater(done.response_work_hours, 0)
        self.assertGreater(done.resolution_work_hours, 0)
        working = self.env.ref("crm_support.demo_ticket_t3")
        self.assertGreater(working.response_work_hours, 0)
        self.assertFalse(working.resolution_work_hours)
