# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSmokeTour(HttpCase):
    def test_manager_opens_app(self):
        """A loyalty manager opens the app, the programmes list, then members as a list and a pivot per tier."""
        new_test_user(self.env, login="loyalty_mgr", groups="base.group_user,crm_loyalty.group_loyalty_manager")
        program = self.env["loyalty.program"].create(
            {"name": "Smoke Club", "program_type": "loyalty", "crm_tier_ids": [(0, 0, {"name": "Smoke Blue"})]}
        )
        partner = self.env["res.partner"].create({"name": "Smoke Member"})
        self.env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
        self.start_tour("/odoo", "crm_loyalty_smoke", login="loyalty_mgr")
