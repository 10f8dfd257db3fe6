# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    def _on_tier_changed(self, history_rows):
        """Queue the webhook tier.changed for each tier change."""
        res = super()._on_tier_changed(history_rows)
        rows_sudo = history_rows.sudo()
        self.env["crm.api.webhook.delivery"]._enqueue_many(
            "tier.changed",
            lambda: [
                {
                    "card_id": row.card_id.id,
                    "member_number": row.card_id.member_number,
                    "partner_id": row.partner_id.id,
                    "program": row.program_id.name,
                    "from_tier": row.from_tier_id.name or None,
                    "to_tier": row.to_tier_id.name or None,
                    "change_type": row.change_type,
                    "reason": row.reason,
                    "date": row.date,
                }
                for row in rows_sudo
            ],
            categories={
                "card_id": "contact",
                "member_number": "contact",
                "partner_id": "contact",
                "program": "purchase",
                "from_tier": "purchase",
                "to_tier": "purchase",
                "change_type": "purchase",
                "reason": "purchase",
            },
        )
        return res
