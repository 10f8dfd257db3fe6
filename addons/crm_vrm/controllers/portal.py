# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class VrmPortal(CustomerPortal):
    def _vrm_request_meta(self):
        return {
            "ip": request.httprequest.remote_addr,
            "user_agent": request.httprequest.user_agent.string,
        }

    @http.route("/my/data-sharing", type="http", auth="user", website=True)
    def portal_my_data_sharing(self, **kw):
        """The customer's page: who sees what, for what; switches; history; access log."""
        partner_sudo = request.env.user.partner_id.sudo()
        events_sudo = request.env["vrm.consent.event"].sudo().search([("partner_id", "=", partner_sudo.id)], limit=50)
        logs_sudo = request.env["vrm.access.log"].sudo().search([("partner_id", "=", partner_sudo.id)], limit=50)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "vrm_data_sharing",
                "cards": partner_sudo._vrm_portal_matrix(),
                "events": events_sudo,
                "access_texts": logs_sudo._vrm_portal_text(),
            }
        )
        return request.render("crm_vrm.portal_my_data_sharing", values)

    @http.route("/my/data-sharing/set", type="json", auth="user", website=True)
    def portal_my_data_sharing_set(self, key, purpose, category, allowed, **kw):
        """Apply one switch at once; answer with the card's new summary."""
        partner_sudo = request.env.user.partner_id.sudo()
        try:
            event = partner_sudo._vrm_portal_set(key, purpose, category, allowed, request_meta=self._vrm_request_meta())
        except UserError as error:
            return {"error": str(error)}
        card = next((c for c in partner_sudo._vrm_portal_matrix() if c["key"] == key), None)
        return {
            "event_id": event.id,
            "receipt_url": f"/my/data-sharing/receipt/{event.id}",
            "sees": card["sees"] if card else [],
        }

    @http.route("/my/data-sharing/receipt/<int:event_id>", type="http", auth="user")
    def portal_my_data_sharing_receipt(self, event_id, **kw):
        """Download the signed consent receipt of one of the customer's own events."""
        event_sudo = (
            request.env["vrm.consent.event"]
            .sudo()
            .search([("id", "=", event_id), ("partner_id", "=", request.env.user.partner_id.id)])
        )
        if not event_sudo:
            raise request.not_found()
        body = json.dumps(event_sudo._vrm_receipt_document(), indent=2)
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "application/json"),
                (
                    "Content-Disposition",
                    f'attachment; filename="consent-receipt-{event_sudo.receipt_uuid}.json"',
                ),
            ],
        )
