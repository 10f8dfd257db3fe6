# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_recipient = cls.env.ref("crm_vrm.recipient_company")
        cls.user_anna = new_test_user(cls.env, login="vrm_anna", groups="base.group_portal")
        cls.user_ben = new_test_user(cls.env, login="vrm_ben", groups="base.group_portal")
        cls.user_anna.partner_id.write({"email": "anna@example.com", "phone": "+44 7911 123412"})

    def test_portal_tour_switches_take_effect(self):
        """The customer switches marketing on and off; each change is an event with IP and UA."""
        self.start_tour("/my", "crm_vrm_portal_tour", login="vrm_anna")
        partner = self.user_anna.partner_id
        events = self.env["vrm.consent.event"].search([("partner_id", "=", partner.id)])
        self.assertEqual(events.mapped("new_value"), ["denied", "allowed"])
        self.assertEqual(set(events.mapped("channel")), {"portal"})
        self.assertTrue(all(events.mapped("ip_address")))
        self.assertIn("Chrome", events[0].user_agent)
        self.assertFalse(partner._vrm_allows(self.company_recipient, "marketing", "contact"))

    def test_receipt_download_only_own(self):
        """A customer downloads their own receipt, never another customer's."""
        anna = self.user_anna.partner_id.with_user(self.user_anna).sudo()
        anna_event = anna._vrm_set_preference(self.company_recipient, "marketing", "contact", True, channel="portal")
        self.authenticate("vrm_ben", "vrm_ben")
        response = self.url_open(f"/my/data-sharing/receipt/{anna_event.id}")
        self.assertEqual(response.status_code, 404)
        self.authenticate("vrm_anna", "vrm_anna")
        response = self.url_open(f"/my/data-sharing/receipt/{anna_event.id}")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        self.assertEqual(document["receipt"]["consentReceiptID"], anna_event.receipt_uuid)
        # the public route verifies it, for anyone
        self.authenticate(None, None)
        verdict = self.url_open("/vrm/receipt/verify", data=json.dumps(document)).json()
        self.assertEqual(verdict, {"genuine": True, "current": True, "reason": "current"})
        document["receipt"]["piiPrincipalId"] = "someone-else"
        verdict = self.url_open("/vrm/receipt/verify", data=json.dumps(document)).json()
        self.assertFalse(verdict["genuine"])

    def test_customer_cannot_change_another_customer(self):
        """The switch route only ever changes the logged-in customer's choices."""
        self.authenticate("vrm_ben", "vrm_ben")
        self.make_jsonrpc_request(
            "/my/data-sharing/set",
            {
                "key": f"r:{self.company_recipient.id}",
                "purpose": "marketing",
                "category": "contact",
                "allowed": True,
                "partner_id": self.user_anna.partner_id.id,
            },
        )
        self.assertTrue(self.user_ben.partner_id._vrm_allows(self.company_recipient, "marketing", "contact"))
        self.assertFalse(self.user_anna.partner_id._vrm_allows(self.company_recipient, "marketing", "contact"))
        page = self.url_open("/my/data-sharing")
        self.assertEqual(page.status_code, 200)
        self.assertIn("contact details for marketing", page.text)
        # a portal user cannot read preferences or events through the ORM
        prefs = self.env["vrm.preference"].with_user(self.user_ben)
        self.assertFalse(prefs.has_access("read"))
