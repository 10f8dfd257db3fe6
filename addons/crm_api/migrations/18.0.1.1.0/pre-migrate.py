# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools import sql


def migrate(cr, version):
    """Idempotency keys are scoped per caller, no longer per user: fill the caller of stored keys."""
    if not sql.table_exists(cr, "crm_api_idempotency"):
        return
    if not sql.column_exists(cr, "crm_api_idempotency", "caller"):
        sql.create_column(cr, "crm_api_idempotency", "caller", "varchar")
    # Anonymous callers' old keys (all stored under the public user) stay under that user's scope,
    # which no anonymous caller matches any more: they are never replayed, and expire within a day.
    cr.execute("UPDATE crm_api_idempotency SET caller = 'user:' || user_id WHERE caller IS NULL")
    sql.drop_constraint(cr, "crm_api_idempotency", "crm_api_idempotency_user_key_uniq")
