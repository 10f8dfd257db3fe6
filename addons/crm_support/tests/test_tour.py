# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSmokeTour(HttpCase):
    def test_manager_opens_app(self):
        """A support manager opens the app from the home menu and sees the requests kanban."""
        new_test_user(self.env, login="support_mgr", groups="crm_support.group_support_manager")
        self.env["crm.support.ticket"].create({"subject": "Smoke windscreen", "channel": "backend"})
        self.start_tour("/odoo", "crm_support_smoke", login="support_mgr")
