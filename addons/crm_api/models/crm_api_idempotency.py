# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json
from datetime import timedelta

from odoo import api, fields, models


class CrmApiIdempotency(models.Model):
    """The stored response of a POST made with an ``Idempotency-Key`` header, per caller."""

    _name = "crm.api.idempotency"
    _description = "API idempotency key"
    _order = "id desc"
    _log_access = False

    user_id = fields.Many2one(comodel_name="res.users", required=True, ondelete="cascade", index=True)
    caller = fields.Char(
        required=True,
        help="Whose key it is: user:<id> for an API key's user, address:<ip> for an anonymous caller "
        "(anonymous callers all act as the public user).",
    )
    key = fields.Char(required=True)
    request_hash = fields.Char(required=True, help="SHA-256 of method, path and canonical body.")
    method = fields.Char(required=True)
    path = fields.Char(required=True)
    status_code = fields.Integer(required=True)
    response_body = fields.Text(required=True)
    create_date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    _sql_constraints = [
        ("caller_key_uniq", "unique(caller, key)", "An idempotency key is used once per caller."),
    ]

    # Keys are kept for this long; a retry after that is a new request.
    RETENTION = timedelta(days=1)

    @api.model
    def _request_hash(self, method, path, body):
        """Return the fingerprint of a request (JSON bodies compared after canonical re-encoding)."""
        try:
            canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            canonical = body or b""
        digest = hashlib.sha256()
        for part in (method.upper().encode(), path.encode(), canonical):
            digest.update(part)
            digest.update(b"\0")
        return digest.hexdigest()

    @api.model
    def _lock(self, caller, key):
        """Serialise concurrent requests of one caller with one key (transaction-level advisory lock)."""
        lock_id = int.from_bytes(hashlib.sha256(f"crm_api:{caller}:{key}".encode()).digest()[:8], "big", signed=True)
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])

    @api.model
    def _cron_gc(self):
        """Delete stored responses older than the retention period."""
        self.search([("create_date", "<", fields.Datetime.now() - self.RETENTION)]).unlink()
