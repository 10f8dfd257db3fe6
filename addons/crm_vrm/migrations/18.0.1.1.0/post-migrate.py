# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receipts move from HMAC (key in ir.config_parameter) to Ed25519 JWS (key in a file).

Every stored receipt and MyTerms record whose HMAC still checks is signed again, unchanged, with the
Ed25519 key, so the portal and the API hand out documents anyone verifies against the JWKS; one
whose HMAC fails is left unsigned (it then verifies nowhere) and logged. HMAC documents customers
downloaded before keep verifying on this server: they must equal the stored receipt and its stored
signature (vrm.consent.event._vrm_verify_legacy), which needs no key. The HMAC keys are deleted: any
Settings user could read them, so they could sign anything."""

import hashlib
import hmac
import json
import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.crm_vrm.tools import receipt_keys

_logger = logging.getLogger(__name__)


def _hmac_ok(keys, kid, payload, value):
    if kid not in keys or not value:
        return False
    return hmac.compare_digest(hmac.new(bytes.fromhex(keys[kid]), payload, hashlib.sha256).hexdigest(), value)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    params = env["ir.config_parameter"]
    keys = json.loads(params.get_param("crm_vrm.receipt_keys") or "{}")
    key = env["vrm.receipt.key"]._vrm_signing_key()
    cr.execute(
        "SELECT id, receipt_json, key_id, signature FROM vrm_consent_event"
        " WHERE jws IS NULL AND receipt_json IS NOT NULL"
    )
    for event_id, receipt_json, kid, value in cr.fetchall():
        if not _hmac_ok(keys, kid, receipt_json.encode(), value):
            _logger.warning("Consent event %s: its HMAC receipt does not check, not signed again", event_id)
            continue
        cr.execute(
            "UPDATE vrm_consent_event SET jws = %s, key_id = %s WHERE id = %s",
            [receipt_keys.sign(key, receipt_json.encode()), key.kid, event_id],
        )
    # MyTerms records kept the HMAC in signature: it becomes the JWS, the hash stays
    cr.execute("SELECT id, record_json, key_id, signature FROM vrm_agreement_record WHERE record_json IS NOT NULL")
    for record_id, record_json, kid, value in cr.fetchall():
        payload = record_json.encode()
        if not _hmac_ok(keys, kid, payload, value):
            _logger.warning("Agreement record %s: its HMAC does not check, not signed again", record_id)
            continue
        cr.execute(
            "UPDATE vrm_agreement_record SET signature = %s, key_id = %s WHERE id = %s",
            [receipt_keys.sign(key, payload), key.kid, record_id],
        )
    params.search([("key", "in", ("crm_vrm.receipt_keys", "crm_vrm.receipt_kid"))]).unlink()
