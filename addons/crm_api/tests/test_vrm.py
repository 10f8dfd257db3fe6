# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.jwk import KeySet, OKPKey

from odoo.tests import tagged

from ..tools.webhook_client import verify
from .common import API, ApiCase
from .receiver import Receiver


@tagged("post_install", "-at_install")
class TestVrmApi(ApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user.partner_id.write({"email": "carla@example.com", "phone": "+44 7700 900123"})
        cls.other_customer = cls.env["res.users"].create(
            {"name": "Olga Other", "login": "api_other", "groups_id": [(6, 0, cls.portal_user.groups_id.ids)]}
        )
        cls.other_key = cls._make_key(cls.other_customer)

    def _allow_marketing(self, allowed=True, key=None, idem=None):
        payload = {"recipient_type": "company", "purpose": "marketing", "category": "contact", "allowed": allowed}
        return self.api("POST", "/vrm/preferences", key=key or self.portal_key, json=payload, idem=idem)

    def _effective(self, body, purpose, category):
        return next(e["allowed"] for e in body["effective"] if (e["purpose"], e["category"]) == (purpose, category))

    def test_register(self):
        """The customer reads the purposes and categories they can decide on."""
        body = self.api("GET", "/vrm/register", key=self.portal_key).json()
        self.assertIn("marketing", [p["code"] for p in body["purposes"]])
        self.assertIn("contact", [c["code"] for c in body["categories"]])
        self.assertIn("company", [r["type"] for r in body["recipients"]])

    def test_customer_changes_a_preference(self):
        """Privacy by default, then the customer allows marketing e-mail: an api-channel event with a receipt."""
        before = self.api("GET", "/vrm/preferences", key=self.portal_key).json()
        self.assertFalse(self._effective(before, "marketing", "contact"))
        self.assertTrue(self._effective(before, "service", "contact"), "serving the customer is always on")
        response = self._allow_marketing()
        self.assertEqual(response.status_code, 200, response.text)
        event = response.json()
        self.assertEqual((event["old_value"], event["new_value"], event["channel"]), ("unset", "allowed", "api"))
        self.assertTrue(event["receipt_id"])
        after = self.api("GET", "/vrm/preferences", key=self.portal_key).json()
        self.assertTrue(self._effective(after, "marketing", "contact"))
        self.assertEqual(after["choices"][0]["purpose"], "marketing")
        company = self.env.ref("crm_vrm.recipient_company")
        self.assertTrue(self.portal_user.partner_id._vrm_allows(company, "marketing", "contact"))
        # The other customer's choices are untouched.
        other = self.api("GET", "/vrm/preferences", key=self.other_key).json()
        self.assertFalse(self._effective(other, "marketing", "contact"))
        self.assertFalse(other["choices"])

    def test_preference_replay_records_one_event(self):
        """A repeated POST with the same Idempotency-Key records the choice once."""
        first = self._allow_marketing(idem="pref-1").json()
        again = self._allow_marketing(idem="pref-1")
        self.assertEqual(again.headers["Idempotency-Replayed"], "true")
        self.assertEqual(again.json(), first)
        events = self.env["vrm.consent.event"].search([("partner_id", "=", self.portal_user.partner_id.id)])
        self.assertEqual(len(events), 1)

    def test_contract_choice_cannot_be_switched_off(self):
        """Denying contact data for the service is refused with the addon's message, nothing recorded."""
        payload = {"recipient_type": "company", "purpose": "service", "category": "contact", "allowed": False}
        response = self.api("POST", "/vrm/preferences", key=self.portal_key, json=payload)
        self.assertProblem(response, 422, "always on")
        self.assertFalse(self.env["vrm.consent.event"].search([("partner_id", "=", self.portal_user.partner_id.id)]))

    def test_unknown_codes_and_bad_target(self):
        """Unknown purpose codes and a body naming no recipient are 422 problems."""
        payload = {"recipient_type": "company", "purpose": "nope", "category": "contact", "allowed": True}
        self.assertProblem(self.api("POST", "/vrm/preferences", key=self.portal_key, json=payload), 422, "Unknown")
        payload = {"purpose": "marketing", "category": "contact", "allowed": True}
        self.assertProblem(self.api("POST", "/vrm/preferences", key=self.portal_key, json=payload), 422)

    def test_history_receipt_and_verification(self):
        """History lists the change; the receipt downloads and verifies; a tampered one does not."""
        self._allow_marketing()
        self._allow_marketing(allowed=False)
        history = self.api("GET", "/vrm/history?limit=1", key=self.portal_key).json()
        self.assertEqual(history["total"], 2)
        self.assertEqual(history["items"][0]["new_value"], "denied")
        receipt_id = history["items"][0]["receipt_id"]
        document = self.api("GET", f"/vrm/receipts/{receipt_id}", key=self.portal_key).json()
        self.assertEqual(document["receipt"]["consentReceiptID"], receipt_id)
        verdict = self.api("POST", "/vrm/receipts/verify", json=document).json()  # anonymous
        self.assertEqual(verdict, {"genuine": True, "current": True, "reason": "current"})
        older = self.api("GET", "/vrm/history?offset=1", key=self.portal_key).json()["items"][0]
        older_doc = self.api("GET", f"/vrm/receipts/{older['receipt_id']}", key=self.portal_key).json()
        verdict = self.api("POST", "/vrm/receipts/verify", json=older_doc).json()
        self.assertEqual((verdict["genuine"], verdict["current"]), (True, False))
        tampered = json.loads(json.dumps(document))
        tampered["receipt"]["jurisdiction"] = "XX"
        verdict = self.api("POST", "/vrm/receipts/verify", json=tampered).json()
        self.assertFalse(verdict["genuine"])

    def test_receipt_verifies_offline_and_forgeries_do_not(self):
        """The receipt is an Ed25519 JWS that verifies with a JOSE library against the published
        JWKS; a tampered payload, a copy re-signed with another key under the same kid, an unknown
        kid and malformed input are refused with a reason."""
        receipt_id = self._allow_marketing().json()["receipt_id"]
        document = self.api("GET", f"/vrm/receipts/{receipt_id}", key=self.portal_key).json()
        jwks = self.opener.get(self.base_url() + urlsplit(document["jwks_uri"]).path).json()
        token = jws.deserialize_compact(document["jws"], KeySet.import_key_set(jwks), algorithms=["EdDSA"])
        self.assertEqual(json.loads(token.payload), document["receipt"])
        self.assertEqual(token.headers()["kid"], document["kid"])
        verdict = self.api("POST", "/vrm/receipts/verify", json={"jws": document["jws"]}).json()
        self.assertEqual(verdict, {"genuine": True, "current": True, "reason": "current"})
        forged = json.loads(json.dumps(document["receipt"]))
        forged["services"][0]["purposes"][0]["consentGiven"] = False
        head, _payload, signature = document["jws"].split(".")
        impostor = OKPKey.generate_key("Ed25519", parameters={"kid": document["kid"]})
        stranger = OKPKey.generate_key("Ed25519", parameters={"kid": "someone-else"})
        forged_jws = jws.serialize_compact({"alg": "EdDSA"}, json.dumps(forged), stranger, algorithms=["EdDSA"])
        cases = [
            (f"{head}.{forged_jws.split('.')[1]}.{signature}", "bad signature"),
            (
                jws.serialize_compact(dict(token.headers()), json.dumps(forged), impostor, algorithms=["EdDSA"]),
                "bad signature",
            ),
            (
                jws.serialize_compact(
                    {"alg": "EdDSA", "kid": "someone-else"}, json.dumps(forged), stranger, algorithms=["EdDSA"]
                ),
                "unknown key",
            ),
            ("not.a.jws", "malformed"),
        ]
        for token_text, reason in cases:
            verdict = self.api("POST", "/vrm/receipts/verify", json={"jws": token_text}).json()
            self.assertEqual(verdict, {"genuine": False, "current": False, "reason": reason}, token_text)
        self.assertProblem(self.api("POST", "/vrm/receipts/verify", json={"receipt": forged}), 422)
        self.assertProblem(self.api("POST", "/vrm/receipts/verify", json={"jws": 42}), 422)
        history = self.api("GET", "/vrm/history", key=self.portal_key).json()
        self.assertEqual(history["total"], 1)

    def test_receipts_of_others_are_not_visible(self):
        """Another customer's key cannot fetch my receipt, nor see my history."""
        receipt_id = self._allow_marketing().json()["receipt_id"]
        self.assertProblem(self.api("GET", f"/vrm/receipts/{receipt_id}", key=self.other_key), 404)
        self.assertEqual(self.api("GET", "/vrm/history", key=self.other_key).json()["total"], 0)

    def test_export(self):
        """The rights-request export returns the key owner's own data and choices."""
        self._allow_marketing()
        export = self.api("GET", "/vrm/export", key=self.portal_key).json()
        self.assertEqual(export["partner"]["email"], "carla@example.com")
        self.assertEqual(export["preferences"][0]["purpose"], "marketing")
        self.assertEqual(self.api("GET", "/vrm/export", key=self.other_key).json()["partner"]["name"], "Olga Other")

    def test_staff_read_is_masked_until_shared(self):
        """Staff reading a customer for marketing get masked contact data until the customer allows it."""
        path = f"/vrm/customers/{self.portal_user.partner_id.id}?purpose=marketing"
        masked = self.api("GET", path, key=self.internal_key).json()
        self.assertEqual(masked["email"], "c\u2022\u2022\u2022@example.com")
        self.assertTrue(masked["phone"].endswith("23"))
        self.assertNotIn("7700", masked["phone"])
        self._allow_marketing()
        shown = self.api("GET", path, key=self.internal_key).json()
        self.assertEqual(shown["email"], "carla@example.com")
        logs = self.env["vrm.access.log"].search([("partner_id", "=", self.portal_user.partner_id.id)])
        self.assertEqual(logs.mapped("reference"), ["API"])

    def test_customer_cannot_read_other_customers(self):
        """A customer's key does not open other customers' records."""
        response = self.api("GET", f"/vrm/customers/{self.other_customer.partner_id.id}", key=self.portal_key)
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn("Olga", response.text)

    def test_consent_change_emits_webhook(self):
        """A subscription to consent.changed gets a queued delivery with the change."""
        self.env["crm.api.webhook"].create(
            {
                "name": "CDP",
                "url": "http://127.0.0.1:9/cdp",
                "event_ids": [(6, 0, self.env.ref("crm_api.webhook_event_consent_changed").ids)],
            }
        )
        receipt_id = self._allow_marketing().json()["receipt_id"]
        delivery = self.env["crm.api.webhook.delivery"].search([("event", "=", "consent.changed")])
        self.assertEqual(len(delivery), 1)
        data = json.loads(delivery.payload)["data"]
        self.assertEqual((data["purpose"], data["new_value"], data["receipt_id"]), ("marketing", "allowed", receipt_id))

    def test_rights_requests(self):
        """A customer corrects their e-mail (done at once) and asks for erasure (waits for approval)."""
        payload = {"type": "rectification", "values": {"email": "carla.new@example.com"}}
        response = self.api("POST", "/vrm/rights-requests", key=self.portal_key, json=payload)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["state"], "done")
        self.assertEqual(self.portal_user.partner_id.email, "carla.new@example.com")
        erasure = self.api("POST", "/vrm/rights-requests", key=self.portal_key, json={"type": "erasure"}).json()
        self.assertEqual(erasure["state"], "to_approve")
        self.assertProblem(
            self.api("POST", "/vrm/rights-requests", key=self.portal_key, json={"type": "erasure"}), 422, "already"
        )
        mine = self.api("GET", "/vrm/rights-requests", key=self.portal_key).json()
        self.assertEqual(mine["total"], 2)
        self.assertEqual(self.api("GET", "/vrm/rights-requests", key=self.other_key).json()["total"], 0)

    def test_consent_webhook_delivered_signed(self):
        """End to end: a preference changed over the API reaches a real receiver, signed, via the cron."""
        with Receiver() as receiver:
            webhook = self.env["crm.api.webhook"].create(
                {
                    "name": "CDP",
                    "url": receiver.url,
                    "event_ids": [(6, 0, self.env.ref("crm_api.webhook_event_consent_changed").ids)],
                }
            )
            receipt_id = self._allow_marketing().json()["receipt_id"]
            self.assertFalse(receiver.requests, "nothing is sent before the cron runs")
            self.env["crm.api.webhook.delivery"]._cron_deliver()
        (req,) = receiver.requests
        headers = req["headers"]
        self.assertTrue(verify(webhook.secret, headers["X-CRM-Timestamp"], req["body"], headers["X-CRM-Signature"]))
        self.assertEqual(json.loads(req["body"])["data"]["receipt_id"], receipt_id)

    def test_myterms_proffer(self):
        """A customer proffers an agreement the company accepts automatically: its terms become choices."""
        self.env["vrm.agreement"].create(
            {
                "code": "api-test-no-stalking",
                "name": "Marketing by e-mail only",
                "policy": "accept",
                "term_ids": [
                    (
                        0,
                        0,
                        {
                            "recipient_type": "company",
                            "purpose_id": self.env.ref("crm_vrm.purpose_marketing").id,
                            "category_id": self.env.ref("crm_vrm.category_contact").id,
                            "allowed": True,
                        },
                    )
                ],
            }
        )
        listed = self.api("GET", "/vrm/agreements", key=self.portal_key).json()
        self.assertIn("api-test-no-stalking", [a["code"] for a in listed])
        response = self.api("POST", "/vrm/agreements/api-test-no-stalking/proffer", key=self.portal_key)
        self.assertEqual(response.status_code, 201, response.text)
        record = response.json()
        self.assertEqual(record["state"], "accepted")
        self.assertEqual(record["document"]["record"]["decision"], "accepted")
        company = self.env.ref("crm_vrm.recipient_company")
        self.assertTrue(self.portal_user.partner_id._vrm_allows(company, "marketing", "contact"))
        again = self.api("POST", "/vrm/agreements/api-test-no-stalking/proffer", key=self.portal_key)
        self.assertProblem(again, 422, "already")
        self.assertEqual(self.api("GET", "/vrm/agreement-records", key=self.portal_key).json()["total"], 1)
        self.assertEqual(self.api("GET", "/vrm/agreement-records", key=self.other_key).json()["total"], 0)
        self.assertProblem(self.api("POST", "/vrm/agreements/nope/proffer", key=self.portal_key), 404)

    def test_openapi_lists_vrm(self):
        """The data-sharing operations are in the served OpenAPI document."""
        doc = self.opener.get(self.base_url() + API + "/openapi.json", timeout=60).json()
        self.assertIn("/vrm/preferences", doc["paths"])
        self.assertEqual(doc["paths"]["/vrm/receipts/verify"]["post"]["security"], [])
