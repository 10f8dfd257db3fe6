# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import VrmCommon
from .ui_case import form_token


@tagged("post_install", "-at_install")
class TestMyTerms(VrmCommon):
    def test_no_stalking_accepted_sets_choices(self):
        """#NoStalking is accepted by policy: profiling is off, the record is signed."""
        agreement = self.env.ref("crm_vrm.agreement_no_stalking")
        self.alice._vrm_set_preference(self.company_recipient, "profiling", "purchase", True)
        record = self.alice._vrm_proffer_agreement(agreement)
        self.assertEqual(record.state, "accepted")
        self.assertFalse(self.alice._vrm_allows(self.company_recipient, "profiling", "purchase"))
        self.assertFalse(self.alice._vrm_allows(self.franchise_north, "profiling", "purchase"))
        events = self.env["vrm.consent.event"].search([("partner_id", "=", self.alice.id), ("channel", "=", "myterms")])
        self.assertTrue(events)
        document = record._vrm_portal_document()
        self.assertEqual(document["record"]["agreement"]["id"], "CC-P2B1")
        self.assertEqual(document["record"]["decision"], "accepted")
        self.assertTrue(record._vrm_verify())
        with self.assertRaises(UserError):
            self.alice._vrm_proffer_agreement(agreement)

    def test_review_policy_goes_to_privacy_officer(self):
        """With a review policy, the privacy officer decides; rejection sets nothing."""
        agreement = self.env.ref("crm_vrm.agreement_service_only")
        agreement.policy = "review"
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        record = self.alice._vrm_proffer_agreement(agreement)
        self.assertEqual(record.state, "review")
        with self.assertRaises(UserError):
            record.with_user(self.user_internal).action_accept()
        record.with_user(self.user_officer).action_reject()
        self.assertEqual(record.state, "rejected")
        self.assertTrue(self.alice._vrm_allows(self.company_recipient, "marketing", "contact"))
        self.assertTrue(record._vrm_verify())
        second = self.alice._vrm_proffer_agreement(agreement)
        second.with_user(self.user_officer).action_accept()
        self.assertFalse(self.alice._vrm_allows(self.company_recipient, "marketing", "contact"))
        self.assertEqual(second.decided_by_id, self.user_officer)

    def test_tampered_record_fails_verification(self):
        """Changing the stored record breaks its hash."""
        record = self.alice._vrm_proffer_agreement(self.env.ref("crm_vrm.agreement_no_stalking"))
        data = json.loads(record.record_json)
        data["decision"] = "rejected"
        record.record_json = json.dumps(data)
        self.assertFalse(record._vrm_verify())


@tagged("post_install", "-at_install")
class TestMyTermsPortal(HttpCase):
    def test_proffer_from_portal_and_download_own_record(self):
        """A customer proffers from the portal; only they can download the record."""
        user = new_test_user(self.env, login="vrm_terms_a", groups="base.group_portal")
        new_test_user(self.env, login="vrm_terms_b", groups="base.group_portal")
        agreement = self.env.ref("crm_vrm.agreement_no_stalking")
        self.authenticate("vrm_terms_a", "vrm_terms_a")
        page = self.url_open("/my/data-sharing")
        self.assertIn("#NoStalking", page.text)
        self.url_open(
            "/my/data-sharing/proffer", data={"agreement_id": agreement.id, "csrf_token": form_token(page.text)}
        )
        record = self.env["vrm.agreement.record"].search([("partner_id", "=", user.partner_id.id)])
        self.assertEqual(record.state, "accepted")
        url = f"/my/data-sharing/agreement/{record.id}"
        document = self.url_open(url).json()
        self.assertEqual(document["sha256"], record.record_hash)
        self.authenticate("vrm_terms_b", "vrm_terms_b")
        self.assertEqual(self.url_open(url).status_code, 404)
