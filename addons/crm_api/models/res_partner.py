# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _vrm_on_consent_changed(self, events):
        """Queue the webhook consent.changed for each change of choices."""
        res = super()._vrm_on_consent_changed(events)
        events_sudo = events.sudo()
        self.env["crm.api.webhook.delivery"]._enqueue_many(
            "consent.changed",
            lambda: [
                {
                    "partner_id": event.partner_id.id,
                    "recipient_type": event.recipient_type,
                    "recipient_id": event.recipient_id.id or None,
                    "purpose": event.purpose_id.code,
                    "category": event.category_id.code,
                    "old_value": event.old_value,
                    "new_value": event.new_value,
                    "channel": event.channel,
                    "receipt_id": event.receipt_uuid,
                    "date": event.event_date,
                }
                for event in events_sudo
            ],
            categories={"partner_id": "contact"},
        )
        return res
