# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models


class CrmApiRateLimit(models.Model):
    """One counted request of an address to a rate-limited anonymous operation (receipt checks).

    The public ticket intake counts the tickets themselves (shared with the web form); operations
    that leave no record of their own count here.
    """

    _name = "crm.api.rate.limit"
    _description = "API rate-limit hit"
    _order = "id desc"
    _log_access = False

    bucket = fields.Char(required=True, help="The operation, e.g. vrm.receipt_verify.")
    address = fields.Char(required=True, index=True, help="The caller's IP address.")
    create_date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    # Hits are kept this long (every window is shorter).
    RETENTION = timedelta(days=1)

    @api.model
    def _hit(self, bucket, address, limit, minutes=10):
        """Count a request of ``address`` to ``bucket``; True (and not counted) when the address
        already made ``limit`` in the last ``minutes``."""
        if not address or limit <= 0:
            return False
        since = fields.Datetime.now() - timedelta(minutes=minutes)
        domain = [("bucket", "=", bucket), ("address", "=", address), ("create_date", ">=", since)]
        if self.search_count(domain, limit=limit) >= limit:
            return True
        self.create({"bucket": bucket, "address": address})
        return False

    @api.model
    def _cron_gc(self):
        """Delete hits older than the retention period."""
        self.search([("create_date", "<", fields.Datetime.now() - self.RETENTION)]).unlink()
