# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, OKPKey

from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestReceiptsOverHttp(HttpCase):
    """What a customer, an auditor and an administrator can do over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_recipient = cls.env.ref("crm_vrm.recipient_company")
        cls.user_cleo = new_test_user(cls.env, login="vrm_cleo", groups="base.group_portal", name="Cleo Customer")
        cls.Event = cls.env["vrm.consent.event"]

    def _events(self):
        return self.Event.search([("partner_id", "=", self.user_cleo.partner_id.id)])

    def test_admin_cannot_forge_an_event_over_rpc(self):
        """The administrator's create, copy or import of an event claiming the customer's portal
        and a 2020 date is refused; the customer has no receipt to download."""
        self.authenticate("admin", "admin")
        vals = {
            "partner_id": self.user_cleo.partner_id.id,
            "recipient_type": "company",
            "recipient_id": self.company_recipient.id,
            "purpose_id": self.env.ref("crm_vrm.purpose_marketing").id,
            "category_id": self.env.ref("crm_vrm.category_contact").id,
            "old_value": "unset",
            "new_value": "allowed",
            "channel": "portal",
            "user_id": self.user_cleo.id,
            "event_date": "2020-03-01 09:00:00",
            "ip_address": "203.0.113.50",
        }
        calls = [
            ("create", [vals], {}),
            ("create", [vals], {"context": {"crm_vrm_server_only": True}}),
            ("web_save", [[], vals], {"specification": {}}),
        ]
        for method, args, kwargs in calls:
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": "vrm.consent.event", "method": method, "args": args, "kwargs": kwargs},
                )
        # an import reports its errors instead of raising them
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "vrm.consent.event",
                "method": "load",
                "args": [["channel", "event_date", "ip_address"], [["portal", "2020-03-01 09:00:00", "203.0.113.50"]]],
                "kwargs": {},
            },
        )
        self.assertFalse(result["ids"])
        self.assertFalse(self._events())

    def test_portal_change_gives_a_receipt_verified_offline(self):
        """A change in the portal signs a receipt; anyone verifies it with a JOSE library against
        the JWKS fetched from its URL, and the public verify route agrees; a tampered or re-signed
        copy fails both."""
        self.authenticate("vrm_cleo", "vrm_cleo")
        answer = self.make_jsonrpc_request(
            "/my/data-sharing/set",
            {"key": f"r:{self.company_recipient.id}", "purpose": "marketing", "category": "contact", "allowed": True},
        )
        event = self._events()
        self.assertEqual((event.channel, event.user_id), ("portal", self.user_cleo))
        self.assertEqual(event.ip_address, "127.0.0.1")
        document = self.url_open(answer["receipt_url"]).json()
        self.authenticate(None, None)
        response = self.url_open(document["jwks_uri"].replace(self.base_url(), ""))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/jwk-set+json")
        jwks = response.json()
        self.assertTrue(all("d" not in key for key in jwks["keys"]))
        token = jws.deserialize_compact(document["jws"], KeySet.import_key_set(jwks), algorithms=["EdDSA"])
        self.assertEqual(token.headers()["kid"], document["kid"])
        self.assertEqual(json.loads(token.payload), document["receipt"])

        def verdict(body):
            return self.url_open("/vrm/receipt/verify", data=body).json()

        self.assertEqual(verdict(json.dumps(document)), {"genuine": True, "current": True, "reason": "current"})
        self.assertTrue(verdict(document["jws"])["genuine"])  # the bare compact JWS
        receipt = json.loads(json.dumps(document["receipt"]))
        receipt["services"][0]["purposes"][0]["consentGiven"] = False
        impostor = OKPKey.generate_key("Ed25519", parameters={"kid": document["kid"]})
        resigned = jws.serialize_compact(
            {"alg": "EdDSA", "kid": document["kid"]}, json.dumps(receipt), impostor, algorithms=["EdDSA"]
        )
        with self.assertRaises(BadSignatureError):
            jws.deserialize_compact(resigned, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
        self.assertEqual(verdict(json.dumps({"receipt": receipt, "jws": resigned}))["reason"], "bad signature")
        self.assertFalse(verdict(json.dumps(dict(document, receipt=receipt)))["genuine"])
        self.assertEqual(verdict("{not json")["reason"], "malformed")
        self.assertEqual(len(self._events()), 1)
