# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import VrmCommon


@tagged("post_install", "-at_install")
class TestConsentEvents(VrmCommon):
    def test_events_are_immutable_for_everyone(self):
        """Nobody, not even the superuser, can change or delete a consent event."""
        event = self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        for env in (self.env, self.env(su=True), event.with_user(self.user_officer).env):
            with self.assertRaises(UserError):
                event.with_env(env).write({"new_value": "denied"})
            with self.assertRaises(UserError):
                event.with_env(env).unlink()
        self.assertEqual(event.new_value, "allowed")
        with self.assertRaises(AccessError):
            event.with_user(self.user_internal).read(["summary"])

    def test_receipt_shape_and_verification(self):
        """The receipt has the Kantara v1.1 shape and verifies while current."""
        event = self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        document = event._vrm_receipt_document()
        receipt = document["receipt"]
        self.assertEqual(receipt["version"], "KI-CR-v1.1.0")
        for key in (
            "jurisdiction",
            "consentTimestamp",
            "collectionMethod",
            "piiPrincipalId",
            "piiControllers",
            "policyUrl",
            "services",
        ):
            self.assertIn(key, receipt)
        purpose = receipt["services"][0]["purposes"][0]
        self.assertEqual(receipt["services"][0]["service"], "Glass Repair North")
        self.assertEqual(purpose["piiCategory"], ["contact"])
        self.assertTrue(purpose["consentGiven"])
        self.assertNotIn("Alice", json.dumps(receipt))
        Event = self.env["vrm.consent.event"]
        self.assertEqual(Event._vrm_verify(document)["genuine"], True)
        self.assertEqual(Event._vrm_verify(document)["current"], True)
        # tampering breaks the signature
        forged = json.loads(json.dumps(document))
        forged["receipt"]["services"][0]["purposes"][0]["consentGiven"] = False
        self.assertEqual(Event._vrm_verify(forged)["genuine"], False)
        # a later choice supersedes it: still genuine, no longer current
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", False)
        result = Event._vrm_verify(document)
        self.assertEqual((result["genuine"], result["current"]), (True, False))

    def test_key_rotation(self):
        """After rotation new receipts use the new key and old receipts still verify."""
        old = self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        Event = self.env["vrm.consent.event"]
        kid = Event._vrm_rotate_key()
        new = self.bob._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        self.assertEqual(new.key_id, kid)
        self.assertNotEqual(old.key_id, kid)
        self.assertTrue(Event._vrm_verify(old._vrm_receipt_document())["genuine"])
        self.assertTrue(Event._vrm_verify(new._vrm_receipt_document())["genuine"])
