# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBackendTour(HttpCase):
    def test_privacy_officer_opens_app(self):
        """A privacy officer opens Data Sharing and sees the customers' choices."""
        new_test_user(
            self.env,
            login="vrm_tour_officer",
            groups="base.group_user,crm_vrm.group_vrm_manager",
        )
        partner = self.env["res.partner"].create({"name": "Tour Customer"})
        partner._vrm_set_preference(self.env.ref("crm_vrm.recipient_company"), "marketing", "contact", True)
        self.start_tour("/odoo", "crm_vrm_backend_tour", login="vrm_tour_officer")
