# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import receipt_keys
from .vrm_consent_event import server_only


class VrmReceiptKey(models.Model):
    """The public half of a key that signs consent receipts, published as a JWKS. The private half
    never enters the database (tools/receipt_keys.py). Rows are added by the server only: a key
    an administrator could add would let them sign receipts that verify."""

    _name = "vrm.receipt.key"
    _description = "Receipt Signing Key (public)"
    _order = "id desc"
    _rec_name = "kid"

    kid = fields.Char(string="Key id", required=True, readonly=True)
    public_jwk = fields.Text(string="Public key (JWK)", required=True, readonly=True)

    _sql_constraints = [("kid_unique", "unique(kid)", "A receipt key is published once.")]

    @api.model_create_multi
    def create(self, vals_list):
        """Published by the server only (see vrm.consent.event create)."""
        server_only(self, "receipt keys")
        return super().create(vals_list)

    def write(self, vals):
        """Published keys are immutable."""
        if vals:
            raise UserError(self.env._("Receipt keys cannot be changed, not even by an administrator."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        # an unpublished key would make every receipt it signed unverifiable
        if self:
            raise UserError(self.env._("Receipt keys cannot be deleted: old receipts verify with them."))

    @api.model
    def _vrm_signing_key(self):
        """The current private key from the key file, its public half published first."""
        key = receipt_keys.current_key(self.env.cr.dbname)
        self._vrm_publish(key)
        return key

    @api.model
    def _vrm_rotate(self):
        """Sign new receipts with a new key; returns its kid. Old receipts keep verifying."""
        key = receipt_keys.rotate(self.env.cr.dbname)
        self._vrm_publish(key)
        return key.kid

    @api.model
    def _vrm_publish(self, key):
        keys_sudo = self.sudo()
        if keys_sudo.search_count([("kid", "=", key.kid)]):
            return
        try:
            # another worker may publish the same new key at the same moment
            with self.env.cr.savepoint():
                keys_sudo.with_context(**server_only.context()).create(
                    {"kid": key.kid, "public_jwk": json.dumps(receipt_keys.public_jwk(key), sort_keys=True)}
                )
        except psycopg2.errors.UniqueViolation:
            pass

    @api.model
    def _vrm_public_jwk(self, kid):
        """The published public JWK (a dict) of a kid, or None."""
        key_sudo = self.sudo().search([("kid", "=", kid)], limit=1) if isinstance(kid, str) else None
        return json.loads(key_sudo.public_jwk) if key_sudo else None

    @api.model
    def _vrm_jwks(self):
        """Every published public key, newest first, as a JWK Set (RFC 7517)."""
        return {"keys": [json.loads(k.public_jwk) for k in self.sudo().search([])]}
