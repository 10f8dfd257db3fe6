# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import timezone

from odoo import api, fields, models
from odoo.exceptions import UserError

from .vrm_recipient import RECIPIENT_TYPES

CHANNELS = [
    ("portal", "Portal"),
    ("staff", "Staff"),
    ("api", "API"),
    ("import", "Import"),
    ("myterms", "MyTerms agreement"),
    ("rights", "Rights request"),
]
VALUES = [("unset", "Not set (off by default)"), ("allowed", "Allowed"), ("denied", "Denied")]
KEYS_PARAM = "crm_vrm.receipt_keys"
KID_PARAM = "crm_vrm.receipt_kid"


def canonical(data):
    """The bytes that are signed: sorted keys, no whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class VrmConsentEvent(models.Model):
    """An immutable record of one change of a customer's data-sharing choice, with its signed
    Kantara v1.1 consent receipt. Nobody may change or delete it, the superuser included."""

    _name = "vrm.consent.event"
    _description = "Consent Event"
    _order = "event_date desc, id desc"
    _rec_name = "receipt_uuid"

    event_date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", required=True, index=True, ondelete="restrict", readonly=True
    )
    recipient_type = fields.Selection(selection=RECIPIENT_TYPES, required=True, readonly=True)
    recipient_id = fields.Many2one(comodel_name="vrm.recipient", ondelete="restrict", readonly=True)
    purpose_id = fields.Many2one(comodel_name="vrm.purpose", required=True, ondelete="restrict", readonly=True)
    category_id = fields.Many2one(comodel_name="vrm.data.category", required=True, ondelete="restrict", readonly=True)
    old_value = fields.Selection(selection=VALUES, required=True, readonly=True)
    new_value = fields.Selection(selection=VALUES, required=True, readonly=True)
    channel = fields.Selection(selection=CHANNELS, required=True, readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Changed by", ondelete="restrict", readonly=True)
    terms_version = fields.Char(readonly=True)
    ip_address = fields.Char(string="IP address", readonly=True)
    user_agent = fields.Char(readonly=True)
    receipt_uuid = fields.Char(string="Receipt", readonly=True, index=True)
    receipt_json = fields.Text(readonly=True)
    signature = fields.Char(readonly=True)
    key_id = fields.Char(readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("recipient_id", "recipient_type", "purpose_id", "category_id", "new_value")
    def _compute_summary(self):
        types = dict(RECIPIENT_TYPES)
        values = dict(VALUES)
        for event in self:
            event.summary = self.env._(
                "%(value)s: %(recipient)s may use %(category)s for %(purpose)s",
                value=values.get(event.new_value),
                recipient=event.recipient_id.name
                or self.env._("every %(type)s", type=types.get(event.recipient_type, "").lower()),
                category=(event.category_id.name or "").lower(),
                purpose=(event.purpose_id.name or "").lower(),
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Sign a receipt for every new event."""
        events = super().create(vals_list)
        for event in events:
            receipt = event._vrm_build_receipt()
            kid, signature = self._vrm_sign(receipt)
            # the receipt is sealed at creation, before the guard applies: plain SQL, once
            self.env.cr.execute(
                "UPDATE vrm_consent_event SET receipt_uuid=%s, receipt_json=%s, signature=%s, key_id=%s WHERE id=%s",
                [
                    receipt["consentReceiptID"],
                    canonical(receipt).decode(),
                    signature,
                    kid,
                    event.id,
                ],
            )
        events.invalidate_recordset(["receipt_uuid", "receipt_json", "signature", "key_id"])
        return events

    def write(self, vals):
        """Consent events are immutable."""
        if vals:
            raise UserError(self.env._("Consent events cannot be changed, not even by an administrator."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if self:
            raise UserError(self.env._("Consent events cannot be deleted, not even by an administrator."))

    # receipts --------------------------------------------------------------------------------

    def _vrm_build_receipt(self):
        """The Kantara Consent Receipt v1.1 of this event (a dict)."""
        self.ensure_one()
        company = self.env.company
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        allowed = self.new_value == "allowed"
        purpose = self.purpose_id
        category = self.category_id
        return {
            "version": "KI-CR-v1.1.0",
            "jurisdiction": company.country_id.code or "",
            "consentTimestamp": int(self.event_date.replace(tzinfo=timezone.utc).timestamp()),
            "collectionMethod": dict(CHANNELS).get(self.channel),
            "consentReceiptID": str(uuid.uuid4()),
            "publicKey": None,
            "language": self.env.lang or "en_US",
            # a pseudonym, so that the history survives erasure without identifying the subject
            "piiPrincipalId": self.partner_id.sudo()._vrm_subject_ref(),
            "piiControllers": [
                {
                    "piiController": company.name,
                    "onBehalf": False,
                    "contact": company.name,
                    "address": {
                        "streetAddress": company.street or "",
                        "addressCountry": company.country_id.code or "",
                    },
                    "email": company.email or "",
                    "phone": company.phone or "",
                    "piiControllerUrl": company.website or base_url,
                }
            ],
            "policyUrl": f"{base_url}/my/data-sharing",
            "services": [
                {
                    "service": self.recipient_id.name or dict(RECIPIENT_TYPES).get(self.recipient_type),
                    "purposes": [
                        {
                            "purpose": purpose.name,
                            "purposeCode": purpose.code,
                            "purposeCategory": [purpose.code],
                            "consentType": "EXPLICIT",
                            "legalBasis": purpose.legal_basis,
                            "piiCategory": [category.code],
                            "primaryPurpose": purpose.legal_basis == "contract",
                            "termination": "Until withdrawn on the data sharing page",
                            "thirdPartyDisclosure": self.recipient_type != "company",
                            "thirdPartyName": self.recipient_id.name or "",
                            "consentGiven": allowed,
                            "previousValue": self.old_value,
                        }
                    ],
                }
            ],
            "sensitive": False,
            "spiCat": [],
            "termsVersion": self.terms_version or "",
        }

    @api.model
    def _vrm_keys(self):
        """The receipt signing keys {key id: hex key}, creating the first one when needed."""
        params = self.env["ir.config_parameter"].sudo()
        keys = json.loads(params.get_param(KEYS_PARAM) or "{}")
        if not keys or not params.get_param(KID_PARAM):
            self._vrm_rotate_key()
            keys = json.loads(params.get_param(KEYS_PARAM))
        return keys

    @api.model
    def _vrm_rotate_key(self):
        """Add a new signing key and make it current; old keys still verify their receipts."""
        params = self.env["ir.config_parameter"].sudo()
        keys = json.loads(params.get_param(KEYS_PARAM) or "{}")
        kid = fields.Datetime.now().strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)
        keys[kid] = secrets.token_hex(32)
        params.set_param(KEYS_PARAM, json.dumps(keys))
        params.set_param(KID_PARAM, kid)
        return kid

    @api.model
    def _vrm_sign(self, receipt):
        """Return (key id, hex HMAC-SHA256) of a receipt with the current key."""
        keys = self._vrm_keys()
        kid = self.env["ir.config_parameter"].sudo().get_param(KID_PARAM)
        digest = hmac.new(bytes.fromhex(keys[kid]), canonical(receipt), hashlib.sha256)
        return kid, digest.hexdigest()

    def _vrm_receipt_document(self):
        """The downloadable receipt: the Kantara JSON and its signature."""
        self.ensure_one()
        return {
            "receipt": json.loads(self.receipt_json),
            "signature": {"alg": "HS256", "kid": self.key_id, "value": self.signature},
        }

    @api.model
    def _vrm_verify(self, document):
        """Check a receipt document: {"genuine": bool, "current": bool, "reason": str}."""
        try:
            receipt = document["receipt"]
            kid = document["signature"]["kid"]
            value = document["signature"]["value"]
        except (KeyError, TypeError):
            return {"genuine": False, "current": False, "reason": "malformed"}
        keys = self._vrm_keys()
        if not isinstance(kid, str) or kid not in keys or not isinstance(value, str):
            return {"genuine": False, "current": False, "reason": "unknown key"}
        expected = hmac.new(bytes.fromhex(keys[kid]), canonical(receipt), hashlib.sha256)
        if not hmac.compare_digest(expected.hexdigest(), value):
            return {"genuine": False, "current": False, "reason": "bad signature"}
        event = (
            self.sudo().search([("receipt_uuid", "=", receipt.get("consentReceiptID"))], limit=1)
            if isinstance(receipt, dict)
            else self.browse()
        )
        if not event:
            return {"genuine": False, "current": False, "reason": "unknown receipt"}
        latest = self.sudo().search(
            [
                ("partner_id", "=", event.partner_id.id),
                ("recipient_type", "=", event.recipient_type),
                ("recipient_id", "=", event.recipient_id.id),
                ("purpose_id", "=", event.purpose_id.id),
                ("category_id", "=", event.category_id.id),
            ],
            limit=1,
        )
        current = latest == event
        return {
            "genuine": True,
            "current": current,
            "reason": "current" if current else "superseded by a later choice",
        }
