# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools import sql


def migrate(cr, version):
    """Forget the receivers' answers the delivery log kept (now only the status code is stored)."""
    # The excerpts could hold what an internal server answered to a webhook aimed at it.
    if sql.column_exists(cr, "crm_api_webhook_delivery", "response_excerpt"):
        cr.execute("ALTER TABLE crm_api_webhook_delivery DROP COLUMN response_excerpt")
