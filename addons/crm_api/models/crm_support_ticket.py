# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class CrmSupportTicket(models.Model):
    _inherit = "crm.support.ticket"

    def _crm_api_payload(self):
        """What webhook receivers get about a ticket (no contact details: they stay in Odoo)."""
        self.ensure_one()
        ticket = self.sudo()
        return {
            "id": ticket.id,
            "reference": ticket.name,
            "channel": ticket.channel,
            "status": ticket.stage_code,
            "priority": ticket.priority,
            "category": ticket.category_id.code or None,
            "partner_id": ticket.partner_id.id or None,
            "franchise_id": ticket.franchise_id.id or None,
            "user_id": ticket.user_id.id or None,
        }

    def _crm_api_emit(self, event, **extra):
        self.env["crm.api.webhook.delivery"]._enqueue_many(
            event,
            lambda: [{**ticket._crm_api_payload(), **extra} for ticket in self],
            categories={"partner_id": "contact"},
        )

    def _on_tickets_created(self):
        """Queue ticket.created for the new tickets."""
        res = super()._on_tickets_created()
        self._crm_api_emit("ticket.created")
        return res

    def _on_routed(self):
        """Queue ticket.routed after routing."""
        res = super()._on_routed()
        self._crm_api_emit("ticket.routed")
        return res

    def _on_escalated(self, level):
        """Queue ticket.escalated with the level that fired."""
        res = super()._on_escalated(level)
        self._crm_api_emit("ticket.escalated", level=level.name)
        return res
