# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hmac
import json
import uuid
from datetime import timezone

from joserfc.errors import JoseError

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

from ..tools import receipt_keys
from .vrm_recipient import RECIPIENT_TYPES

CHANNELS = [
    ("portal", "Portal"),
    ("staff", "Staff (recorded legal basis)"),
    ("api", "API"),
    ("import", "Import"),
    ("myterms", "MyTerms agreement"),
    ("rights", "Rights request"),
]
# The customer acts there in person: the acting user must be the customer.
CUSTOMER_CHANNELS = ("portal", "api")
# The server applies what the customer asked for in a record of theirs (an agreement they proffered,
# a rights request they filed), whoever answers it.
REQUEST_CHANNELS = ("myterms", "rights")
VALUES = [("unset", "Not set (off by default)"), ("allowed", "Allowed"), ("denied", "Denied")]
JWKS_PATH = "/vrm/jwks.json"
SERVER_REASON = "Recorded by the server (data loading, migration or shell)"


def canonical(data):
    """The bytes that are signed: sorted keys, no whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _ServerOnly:
    """Proof, in the context, that server code creates the record: a client's context is JSON and
    JSON never makes an instance of this private class, so create() over RPC, copy(), imports and
    XML records are refused, for administrators too."""

    __slots__ = ()
    KEY = "crm_vrm_server_only"

    def context(self):
        """The context entry that lets server code create the guarded records."""
        return {self.KEY: self}

    def __call__(self, records, what):
        if not isinstance(records.env.context.get(self.KEY), _ServerOnly):
            raise UserError(
                records.env._(
                    "%(what)s are recorded by the server when they happen; nobody can create them.",
                    what=what.capitalize(),
                )
            )


server_only = _ServerOnly()


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
    reason = fields.Char(readonly=True, help="Why staff recorded this choice (the legal basis).")
    terms_version = fields.Char(readonly=True)
    ip_address = fields.Char(string="IP address", readonly=True)
    user_agent = fields.Char(readonly=True)
    receipt_uuid = fields.Char(string="Receipt", readonly=True, index=True)
    receipt_json = fields.Text(readonly=True)
    jws = fields.Text(string="Signed receipt (JWS)", readonly=True)
    signature = fields.Char(string="Legacy HMAC signature", readonly=True)
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
        """Only _vrm_record creates events; each gets the server's clock and the acting user, and
        its signed receipt."""
        server_only(self, "consent events")
        now = fields.Datetime.now()
        # whatever the values say, the date and the author are the server's
        vals_list = [dict(vals, event_date=now, user_id=self.env.uid) for vals in vals_list]
        events = super().create(vals_list)
        key = self.env["vrm.receipt.key"]._vrm_signing_key()
        for event in events:
            receipt = event._vrm_build_receipt(key)
            payload = canonical(receipt)
            # the receipt is sealed at creation, before the guard applies: plain SQL, once
            self.env.cr.execute(
                "UPDATE vrm_consent_event SET receipt_uuid=%s, receipt_json=%s, jws=%s, key_id=%s WHERE id=%s",
                [receipt["consentReceiptID"], payload.decode(), receipt_keys.sign(key, payload), key.kid, event.id],
            )
        events.invalidate_recordset(["receipt_uuid", "receipt_json", "jws", "key_id"])
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

    # recording -------------------------------------------------------------------------------

    @api.model
    def _vrm_record(self, partner, values, channel, request_meta=None, reason=None):
        """The event of a choice res.partner._vrm_set_preference is applying: checks that the
        acting user may claim the channel, then creates it (the only way events are made)."""
        partner.ensure_one()
        request_meta = request_meta or {}
        reason = (reason or "").strip()
        self._vrm_check_channel(partner, channel, reason)
        if channel == "staff" and not reason:
            reason = SERVER_REASON
        ip, user_agent = request_meta.get("ip"), request_meta.get("user_agent")
        if request:
            # in a web request the request itself says where the choice came from
            ip, user_agent = request.httprequest.remote_addr, request.httprequest.user_agent.string
        terms_version = request_meta.get("terms_version") or self.env["ir.config_parameter"].sudo().get_param(
            "crm_vrm.terms_version", "1.0"
        )
        vals = dict(
            values,
            partner_id=partner.id,
            channel=channel,
            reason=reason or False,
            terms_version=terms_version,
            ip_address=ip or False,
            user_agent=(user_agent or "")[:512] or False,
        )
        event = self.sudo().with_context(**server_only.context()).create([vals])
        # the caller gets the event without the marker, so nothing it does next creates under it
        return self.sudo().browse(event.ids)

    @api.model
    def _vrm_check_channel(self, partner, channel, reason):
        """Refuse an event whose channel the acting user may not claim (nothing is written)."""
        user = self.env.user
        labels = dict(CHANNELS)
        if channel in CUSTOMER_CHANNELS:
            session_uid = request and request.session.uid
            if user.partner_id.id != partner.id or user._is_public() or (session_uid and session_uid != user.id):
                raise UserError(
                    self.env._(
                        "Only the customer can record a choice through the %(channel)s.",
                        channel=labels[channel],
                    )
                )
        elif channel == "staff":
            if self.env.uid == SUPERUSER_ID:
                return
            if not user.has_group("crm_vrm.group_vrm_manager"):
                raise UserError(self.env._("Only a privacy officer can record a customer's choice for them."))
            if not reason:
                raise UserError(self.env._("Say on what basis you record this choice for the customer."))
        elif channel not in REQUEST_CHANNELS:
            raise UserError(self.env._("Choices cannot be recorded through %(channel)s.", channel=channel))

    @api.model
    def _vrm_demo_record_choice(  # noqa: PLR0917 - positional, as a <function> eval passes them
        self, partner_id, recipient, purpose_code, category_code, allowed, reason=None
    ):
        """Demo data only: the customer's own portal user makes the choice, or, with a reason,
        the server records it as staff."""
        partner = self.env["res.partner"].browse(partner_id)
        user = partner.sudo().user_ids[:1]
        # installed from the web client, the administrator's session cannot act as the customer
        if reason or not user or (request and request.session.uid not in (None, user.id)):
            return partner._vrm_set_preference(
                recipient, purpose_code, category_code, allowed, channel="staff", reason=reason
            )
        return (
            partner.with_user(user)
            .sudo()
            ._vrm_set_preference(recipient, purpose_code, category_code, allowed, channel="portal")
        )

    # receipts --------------------------------------------------------------------------------

    def _vrm_build_receipt(self, key):
        """The Kantara Consent Receipt v1.1 of this event (a dict), naming the signing key."""
        self.ensure_one()
        company = self.env.company
        base_url = self.get_base_url()
        allowed = self.new_value == "allowed"
        purpose = self.purpose_id
        category = self.category_id
        return {
            "version": "KI-CR-v1.1.0",
            "jurisdiction": company.country_id.code or "",
            "consentTimestamp": int(self.event_date.replace(tzinfo=timezone.utc).timestamp()),
            "collectionMethod": dict(CHANNELS).get(self.channel),
            "consentReceiptID": str(uuid.uuid4()),
            # Kantara's field is a string: the PEM of the Ed25519 public key; the JWS header's kid
            # finds the same key in the JWKS
            "publicKey": key.as_pem(private=False).decode(),
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
    def _vrm_rotate_key(self):
        """Sign new receipts with a new Ed25519 key; old receipts still verify. Returns its kid."""
        return self.env["vrm.receipt.key"]._vrm_rotate()

    @api.model
    def _vrm_sign_payload(self, payload):
        """(kid, compact JWS) of bytes with the current key (MyTerms records use it too)."""
        key = self.env["vrm.receipt.key"]._vrm_signing_key()
        return key.kid, receipt_keys.sign(key, payload)

    @api.model
    def _vrm_check_jws(self, token):
        """(payload bytes, kid) of a compact JWS signed by one of our published keys, else
        (None, reason): malformed, unknown key, bad signature."""
        if not isinstance(token, str) or not token or len(token) > 65536:
            return None, "malformed"
        try:
            kid = receipt_keys.header(token).get("kid")
        except (JoseError, ValueError, TypeError):
            return None, "malformed"
        jwk = self.env["vrm.receipt.key"]._vrm_public_jwk(kid)
        if not jwk:
            return None, "unknown key"
        try:
            return receipt_keys.verify(token, jwk), kid
        except (JoseError, ValueError, TypeError):
            return None, "bad signature"

    def _vrm_receipt_document(self):
        """The downloadable receipt: the Kantara JSON, its JWS and where the public keys are."""
        self.ensure_one()
        return {
            "receipt": json.loads(self.receipt_json),
            "jws": self.jws,
            "kid": self.key_id,
            "jwks_uri": self.get_base_url() + JWKS_PATH,
        }

    @api.model
    def _vrm_verify(self, document):
        """Check a receipt document (or a bare compact JWS): {"genuine": bool, "current": bool,
        "reason": str}. Reads only."""
        refused = {"genuine": False, "current": False}
        if isinstance(document, str):
            document = {"jws": document}
        if not isinstance(document, dict):
            return dict(refused, reason="malformed")
        if document.get("jws") is None and isinstance(document.get("signature"), dict):
            return self._vrm_verify_legacy(document)
        return self._vrm_verify_jws(document)

    @api.model
    def _vrm_verify_jws(self, document):
        refused = {"genuine": False, "current": False}
        payload, why = self._vrm_check_jws(document.get("jws"))
        if payload is None:
            return dict(refused, reason=why)
        try:
            receipt = json.loads(payload)
        except ValueError:
            return dict(refused, reason="malformed")
        if "receipt" in document and document["receipt"] != receipt:
            return dict(refused, reason="the receipt differs from what was signed")
        event = self._vrm_event_of(receipt)
        # a signature by our key on a receipt we never issued means the key file was used by hand
        if not event or event.receipt_json.encode() != payload:
            return dict(refused, reason="unknown receipt")
        return self._vrm_verdict(event)

    @api.model
    def _vrm_verify_legacy(self, document):
        """Receipts signed with HMAC before Ed25519 (alg HS256). Their key was readable in
        ir.config_parameter, so the signature alone proves nothing: the document must be the one
        stored with the event, signature included. Only this server can check them."""
        refused = {"genuine": False, "current": False}
        receipt, signature = document.get("receipt"), document["signature"]
        value = signature.get("value")
        if signature.get("alg") != "HS256" or not isinstance(value, str) or not isinstance(receipt, dict):
            return dict(refused, reason="malformed")
        event = self._vrm_event_of(receipt)
        if (
            not event
            or not event.signature
            or not hmac.compare_digest(event.signature, value)
            or event.receipt_json.encode() != canonical(receipt)
        ):
            return dict(refused, reason="bad signature")
        return self._vrm_verdict(event)

    @api.model
    def _vrm_event_of(self, receipt):
        receipt_id = receipt.get("consentReceiptID") if isinstance(receipt, dict) else None
        if not isinstance(receipt_id, str) or not receipt_id:
            return self.browse()
        return self.sudo().search([("receipt_uuid", "=", receipt_id)], limit=1)

    @api.model
    def _vrm_verdict(self, event):
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
