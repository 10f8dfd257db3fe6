# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmApiWebhookEvent(models.Model):
    """An event type a webhook subscription can listen to (ticket.created, tier.changed, ...)."""

    _name = "crm.api.webhook.event"
    # subscriptions are cached by event code (crm.api.webhook.delivery._subscribed_webhook_ids)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Webhook event type"
    _cache_neutral_fields = frozenset({"name"})
    _order = "code"
    _rec_name = "code"

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)

    _sql_constraints = [("code_uniq", "unique(code)", "Event codes are unique.")]
