# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import new_test_user, tagged

from ..tools.masking import VrmScope
from .common import VrmCommon

MASK = "\u2022"
REPORT = "crm_vrm.action_report_partner_data_sharing"


@tagged("post_install", "-at_install")
class TestReportMasking(VrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_north = new_test_user(cls.env, login="vrm_report_north", groups="base.group_user", name="North Desk")
        cls.user_north.vrm_recipient_id = cls.franchise_north
        cls.user_north.vrm_purpose_id = cls.purpose_service

    def _render(self, user, purpose=None, reference=None):
        """The summary of Alice as printed (PDF route; HTML in tests) by user, reading for
        purpose (set on the user) and for a reference given by server code (VrmScope)."""
        if purpose:
            self.reads_for(user, purpose)
        context = {"vrm_scope": VrmScope(reference=reference)} if reference else {}
        report = self.env["ir.actions.report"].with_user(user).with_context(**context)
        content, _kind = report._render_qweb_pdf(REPORT, self.alice.ids)
        return content.decode()

    def test_franchise_report_masks_what_is_not_shared(self):
        """A franchise printing for service sees contact and address, not the job position; for
        marketing it sees masked phone and e-mail and no address."""
        html = self._render(self.user_north)
        self.assertIn("+44 7911 123412", html)
        self.assertIn("1 High Street", html)
        self.assertNotIn("Engineer", html)
        html = self._render(self.user_north, "marketing")
        self.assertIn("Alice Example", html)
        self.assertIn(f"+44 {MASK * 4} {MASK * 2}12", html)
        self.assertIn(f"a{MASK * 3}@example.com", html)
        for real in ("+44 7911 123412", "+44 7911 123434", "alice@example.com", "1 High Street"):
            self.assertNotIn(real, html)
        # her city, within her block only: the recipients' table may name a franchise after a town
        customer_block = html[html.index('name="customer"') : html.index('name="profile"')]
        self.assertNotIn("Leeds", customer_block)

    def test_franchise_report_is_logged(self):
        """What a franchise's report shows is in the access log, once per category."""
        self._render(self.user_north, reference="SR-REPORT-1")
        logs = self.env["vrm.access.log"].search(
            [("user_id", "=", self.user_north.id), ("partner_id", "=", self.alice.id)]
        )
        self.assertEqual(sorted(logs.mapped("category_id.code")), ["address", "contact"])
        self.assertEqual(set(logs.mapped("reference")), {"SR-REPORT-1"})

    def test_sharing_unmasks_report(self):
        """Once Alice shares her job position with North for service, North's report prints it."""
        self.alice._vrm_set_preference(self.franchise_north, "service", "demographics", True)
        self.assertIn("Engineer", self._render(self.user_north))

    def test_internal_user_and_privacy_officer(self):
        """Company staff outside the privacy officers get the masked report for marketing; the
        privacy officer gets the real values."""
        html = self._render(self.user_internal, "marketing")
        self.assertIn(f"a{MASK * 3}@example.com", html)
        self.assertNotIn("alice@example.com", html)
        self.assertNotIn("Engineer", html)
        html = self._render(self.user_officer, "marketing")
        for real in ("+44 7911 123412", "alice@example.com", "1 High Street", "Engineer"):
            self.assertIn(real, html)
        self.assertNotIn(MASK, html)
