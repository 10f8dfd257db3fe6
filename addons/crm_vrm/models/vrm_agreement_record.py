# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import json

from odoo import fields, models
from odoo.exceptions import UserError

from .vrm_consent_event import JWKS_PATH, canonical


class VrmAgreementRecord(models.Model):
    """The signed record of a customer proffering a standard agreement and the company's answer;
    the customer downloads the same record (same hash and signature) from the portal."""

    _name = "vrm.agreement.record"
    _description = "Agreement Record (MyTerms)"
    _order = "proffer_date desc, id desc"
    _rec_name = "agreement_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner", required=True, index=True, ondelete="restrict", readonly=True
    )
    agreement_id = fields.Many2one(comodel_name="vrm.agreement", required=True, ondelete="restrict", readonly=True)
    agreement_version = fields.Char(required=True, readonly=True)
    state = fields.Selection(
        selection=[
            ("review", "Waiting for the privacy officer"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="review",
        readonly=True,
    )
    proffer_date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    decision_date = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one(comodel_name="res.users", readonly=True)
    record_json = fields.Text(readonly=True)
    record_hash = fields.Char(string="SHA-256", readonly=True)
    signature = fields.Char(string="Signature (JWS)", readonly=True)
    key_id = fields.Char(readonly=True)

    def _vrm_document(self):
        """The record both parties keep: parties, agreement id and version, times, decision."""
        self.ensure_one()
        company = self.env.company
        return {
            "agreement": {
                "id": self.agreement_id.code,
                "version": self.agreement_version,
                "name": self.agreement_id.name,
                "url": self.agreement_id.url or "",
            },
            "parties": {
                "first_party": self.partner_id.sudo()._vrm_subject_ref(),
                "second_party": company.name,
            },
            "proffered": fields.Datetime.to_string(self.proffer_date),
            "decision": self.state,
            "decided": fields.Datetime.to_string(self.decision_date) if self.decision_date else None,
        }

    def _vrm_seal(self):
        """Hash and sign the record as it stands now."""
        Event = self.env["vrm.consent.event"]
        for record in self:
            payload = canonical(record._vrm_document())
            kid, token = Event._vrm_sign_payload(payload)
            record.write(
                {
                    "record_json": payload.decode(),
                    "record_hash": hashlib.sha256(payload).hexdigest(),
                    "signature": token,
                    "key_id": kid,
                }
            )

    def _vrm_decide(self, accept):
        """Accept (setting the agreement's choices) or reject, then seal the record."""
        for record in self:
            record.write(
                {
                    "state": "accepted" if accept else "rejected",
                    "decision_date": fields.Datetime.now(),
                    "decided_by_id": self.env.uid,
                }
            )
            if accept:
                record._vrm_apply_terms()
        self._vrm_seal()

    def _vrm_apply_terms(self):
        """Record the agreement's choices as consent events (channel MyTerms)."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        company = self.env.ref("crm_vrm.recipient_company")
        all_categories = self.env["vrm.data.category"].sudo().search([])
        for term in self.agreement_id.term_ids:
            target = company if term.recipient_type == "company" else term.recipient_type
            categories = term.category_id or all_categories
            for category in categories:
                rule = self.env["vrm.data.category"]._vrm_rule(term.purpose_id.code, category.code)
                if rule[2]:
                    continue  # the contract minimum stays on
                partner._vrm_set_preference(
                    target, term.purpose_id.code, category.code, term.allowed, channel="myterms"
                )

    def action_accept(self):
        """Privacy officer accepts a proffered agreement."""
        self._vrm_check_officer()
        self.sudo()._vrm_decide(True)
        return True

    def action_reject(self):
        """Privacy officer rejects a proffered agreement."""
        self._vrm_check_officer()
        self.sudo()._vrm_decide(False)
        return True

    def _vrm_check_officer(self):
        if not self.env.user.has_group("crm_vrm.group_vrm_manager"):
            raise UserError(self.env._("Only a privacy officer can answer an agreement."))
        if any(record.state != "review" for record in self):
            raise UserError(self.env._("This agreement has already been answered."))

    def _vrm_verify(self):
        """Whether the stored record still matches its hash and signature."""
        self.ensure_one()
        payload = (self.record_json or "").encode()
        signed, _kid = self.env["vrm.consent.event"]._vrm_check_jws(self.signature)
        return signed == payload and hashlib.sha256(payload).hexdigest() == self.record_hash

    def _vrm_portal_document(self):
        """What the customer downloads: the record, its hash and signature."""
        self.ensure_one()
        return {
            "record": json.loads(self.record_json or "{}"),
            "sha256": self.record_hash,
            "jws": self.signature,
            "kid": self.key_id,
            "jwks_uri": self.get_base_url() + JWKS_PATH,
        }
