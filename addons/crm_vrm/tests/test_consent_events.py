# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import os
import tempfile
from datetime import timedelta
from unittest.mock import patch

from joserfc import jws
from joserfc.jwk import KeySet, OKPKey

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, config

from ..tools import receipt_keys
from .common import VrmCommon


class KeyFileCase(VrmCommon):
    """Each test signs with a key file of its own, so rotating keys leaves the server's alone."""

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.key_file = os.path.join(folder.name, "receipt-key.json")
        patcher = patch.dict(config.options, {receipt_keys.CONFIG_KEY: self.key_file})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.Event = self.env["vrm.consent.event"]

    def _forged_vals(self, **extra):
        return dict(
            {
                "partner_id": self.alice.id,
                "recipient_type": "company",
                "recipient_id": self.company_recipient.id,
                "purpose_id": self.purpose_marketing.id,
                "category_id": self.env.ref("crm_vrm.category_contact").id,
                "old_value": "unset",
                "new_value": "allowed",
                "channel": "portal",
                "event_date": "2020-01-15 10:00:00",
                "ip_address": "198.51.100.1",
            },
            **extra,
        )


@tagged("post_install", "-at_install")
class TestConsentEvents(KeyFileCase):
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

    def test_nobody_creates_an_event(self):
        """create() is refused to the administrator, the officer and even sudo, with a 2020 date
        and the portal channel or not; copy() and a context key from a client do not help."""
        admin = self.env.ref("base.user_admin")
        user_customer = self.user_portal
        vals = self._forged_vals(partner_id=user_customer.partner_id.id, user_id=user_customer.id)
        for env in (self.Event.with_user(admin).env, self.Event.with_user(self.user_officer).env, self.env(su=True)):
            with self.assertRaises(UserError):
                self.Event.with_env(env).create(vals)
            with self.assertRaises(UserError):
                self.Event.with_env(env).create(self._forged_vals(channel="staff"))
        # what a client can put in a context is JSON: a string or true is not the server's marker
        for value in (True, "1", {"x": 1}):
            with self.assertRaises(UserError):
                self.Event.sudo().with_context(crm_vrm_server_only=value).create(vals)
        event = self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        with self.assertRaises(UserError):
            event.sudo().copy()
        with self.assertRaises(UserError):
            self.env["vrm.receipt.key"].sudo().create({"kid": "mine", "public_jwk": "{}"})
        self.assertEqual(self.Event.search_count([("partner_id", "=", user_customer.partner_id.id)]), 0)

    def test_date_author_and_channel_come_from_the_server(self):
        """The event's date is the server's clock and its author the acting user."""
        before = fields.Datetime.now() - timedelta(seconds=1)
        event = self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        self.assertGreaterEqual(event.event_date, before)
        self.assertEqual(event.user_id.id, self.env.uid)
        self.assertEqual(event.channel, "staff")

    def test_only_the_customer_claims_the_portal_or_the_api(self):
        """Server code, an officer or another customer cannot record a portal or API choice for a
        customer; nothing is written when refused. The customer's own user can."""
        for user, channel in (
            (self.env.user, "portal"),
            (self.user_officer, "api"),
            (self.user_portal, "portal"),  # Paul for Alice
        ):
            with self.assertRaises(UserError):
                self.alice.with_user(user).sudo()._vrm_set_preference(
                    self.company_recipient, "marketing", "contact", True, channel=channel
                )
        self.assertFalse(self.env["vrm.preference"].search([("partner_id", "=", self.alice.id)]))
        self.assertFalse(self.Event.search([("partner_id", "=", self.alice.id)]))
        paul = self.user_portal.partner_id.with_user(self.user_portal).sudo()
        event = paul._vrm_set_preference(self.company_recipient, "marketing", "contact", True, channel="portal")
        self.assertEqual((event.channel, event.user_id), ("portal", self.user_portal))
        with self.assertRaises(UserError):
            paul._vrm_set_preference(self.company_recipient, "marketing", "contact", True, channel="import")

    def test_staff_record_a_legal_basis_with_a_reason(self):
        """Only a privacy officer records a choice for a customer, with a reason, marked Staff."""
        with self.assertRaises(UserError):
            self.alice.with_user(self.user_internal)._vrm_set_preference(
                self.company_recipient, "marketing", "contact", False, reason="Phoned"
            )
        officer_alice = self.alice.with_user(self.user_officer)
        with self.assertRaises(UserError):
            officer_alice._vrm_set_preference(self.company_recipient, "marketing", "contact", False)
        event = officer_alice._vrm_set_preference(
            self.company_recipient, "marketing", "contact", False, reason="Signed form F-12 at the branch"
        )
        self.assertEqual(
            (event.channel, event.user_id, event.reason),
            ("staff", self.user_officer, "Signed form F-12 at the branch"),
        )
        self.assertTrue(self.Event._vrm_verify(event._vrm_receipt_document())["genuine"])


@tagged("post_install", "-at_install")
class TestReceipts(KeyFileCase):
    def test_receipt_shape_and_verification(self):
        """The receipt has the Kantara v1.1 shape, is an Ed25519 JWS naming its key, and verifies
        while current."""
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
        header = receipt_keys.header(document["jws"])
        self.assertEqual(header, {"alg": "EdDSA", "kid": event.key_id})
        self.assertEqual(document["kid"], event.key_id)
        self.assertTrue(document["jwks_uri"].endswith("/vrm/jwks.json"))
        self.assertIn("BEGIN PUBLIC KEY", receipt["publicKey"])
        # offline: the JOSE library alone, against the published JWKS
        jwks = KeySet.import_key_set(self.env["vrm.receipt.key"]._vrm_jwks())
        payload = jws.deserialize_compact(document["jws"], jwks, algorithms=["EdDSA"]).payload
        self.assertEqual(json.loads(payload), receipt)
        self.assertEqual(self.Event._vrm_verify(document), {"genuine": True, "current": True, "reason": "current"})
        self.assertTrue(self.Event._vrm_verify(document["jws"])["genuine"])  # the bare JWS too
        # a later choice supersedes it: still genuine, no longer current
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", False)
        result = self.Event._vrm_verify(document)
        self.assertEqual((result["genuine"], result["current"]), (True, False))

    def test_forgeries_are_refused_and_write_nothing(self):
        """A tampered payload, a receipt re-signed with another key (same or new kid), a receipt
        beside a JWS of another one, and malformed input are refused with a reason."""
        event = self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        document = event._vrm_receipt_document()
        head, payload, signature = document["jws"].split(".")
        forged = json.loads(json.dumps(document["receipt"]))
        forged["services"][0]["purposes"][0]["consentGiven"] = False
        forged_payload = jws.serialize_compact(
            {"alg": "EdDSA"}, json.dumps(forged), OKPKey.generate_key("Ed25519"), algorithms=["EdDSA"]
        )
        fresh = OKPKey.generate_key("Ed25519", parameters={"kid": event.key_id})
        stranger = OKPKey.generate_key("Ed25519", parameters={"kid": "stranger"})
        signed = json.dumps(document["receipt"]).encode()
        cases = {
            "bad signature": [
                f"{head}.{forged_payload.split('.')[1]}.{signature}",  # tampered payload, our signature
                jws.serialize_compact({"alg": "EdDSA", "kid": event.key_id}, signed, fresh, algorithms=["EdDSA"]),
            ],
            "unknown key": [
                jws.serialize_compact({"alg": "EdDSA", "kid": "stranger"}, signed, stranger, algorithms=["EdDSA"]),
                forged_payload,  # no kid at all
            ],
            "malformed": ["", "not a jws", "a.b.c", f"{head}.{payload}", 42, None, ["x"]],
        }
        self.env.flush_all()
        counts = self._row_counts()
        for reason, tokens in cases.items():
            for token in tokens:
                verdict = self.Event._vrm_verify({"jws": token})
                self.assertEqual(verdict, {"genuine": False, "current": False, "reason": reason}, token)
        # an honest JWS with another receipt beside it
        other = dict(document, receipt=forged)
        self.assertEqual(self.Event._vrm_verify(other)["reason"], "the receipt differs from what was signed")
        for junk in (None, 7, [], {"receipt": {}}, {"signature": {"alg": "none"}, "receipt": {}}):
            self.assertFalse(self.Event._vrm_verify(junk)["genuine"])
        self.env.flush_all()
        self.assertEqual(self._row_counts(), counts)

    def _row_counts(self):
        counts = {}
        for table in ("vrm_consent_event", "vrm_receipt_key", "vrm_preference", "ir_config_parameter"):
            self.env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def test_key_rotation(self):
        """After rotation new receipts use the new key, the JWKS keeps the old one, and old and new
        receipts verify; the key file holds only the new private key."""
        old = self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        kid = self.Event._vrm_rotate_key()
        new = self.bob._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        self.assertEqual(new.key_id, kid)
        self.assertNotEqual(old.key_id, kid)
        published = [k["kid"] for k in self.env["vrm.receipt.key"]._vrm_jwks()["keys"]]
        self.assertIn(old.key_id, published)
        self.assertIn(kid, published)
        jwks = KeySet.import_key_set(self.env["vrm.receipt.key"]._vrm_jwks())
        for event in (old, new):
            self.assertTrue(self.Event._vrm_verify(event._vrm_receipt_document())["genuine"])
            jws.deserialize_compact(event.jws, jwks, algorithms=["EdDSA"])
        with open(self.key_file, encoding="utf-8") as handle:
            self.assertEqual(json.load(handle)["kid"], kid)

    def test_private_key_stays_out_of_the_database(self):
        """The private key is in a 0600 file; no table the ORM serves holds it."""
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        self.assertEqual(os.stat(self.key_file).st_mode & 0o777, 0o600)
        key = receipt_keys.current_key(self.env.cr.dbname)
        private = key.as_dict(private=True)
        needles = [private["d"], key.as_pem(private=True).decode().splitlines()[1]]
        self.env.flush_all()
        for needle in needles:
            self.env.cr.execute("SELECT key FROM ir_config_parameter WHERE value LIKE %s", [f"%{needle}%"])
            self.assertEqual(self.env.cr.fetchall(), [])
            self.env.cr.execute("SELECT id FROM vrm_receipt_key WHERE public_jwk LIKE %s", [f"%{needle}%"])
            self.assertEqual(self.env.cr.fetchall(), [])
            self.env.cr.execute("SELECT id FROM vrm_consent_event WHERE receipt_json LIKE %s", [f"%{needle}%"])
            self.assertEqual(self.env.cr.fetchall(), [])
        self.assertNotIn('"d"', self.env["vrm.receipt.key"].search([]).mapped("public_jwk")[0])

    def test_hmac_receipts_issued_before_ed25519(self):
        """An HMAC receipt downloaded before the move verifies while it is the stored one; the
        same with a changed receipt does not (its key was readable, so it proves nothing alone)."""
        event = self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        self.env.cr.execute("UPDATE vrm_consent_event SET signature = %s WHERE id = %s", ["ab" * 32, event.id])
        event.invalidate_recordset(["signature"])
        legacy = {
            "receipt": json.loads(event.receipt_json),
            "signature": {"alg": "HS256", "kid": "20260101000000-abcd", "value": "ab" * 32},
        }
        self.assertTrue(self.Event._vrm_verify(legacy)["genuine"])
        changed = json.loads(json.dumps(legacy))
        changed["receipt"]["services"][0]["purposes"][0]["consentGiven"] = False
        self.assertEqual(self.Event._vrm_verify(changed)["reason"], "bad signature")
        changed = dict(legacy, signature=dict(legacy["signature"], value="cd" * 32))
        self.assertEqual(self.Event._vrm_verify(changed)["reason"], "bad signature")
