# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.vrm_rights_request import RECTIFIABLE


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
        requests_sudo = (
            request.env["vrm.rights.request"].sudo().search([("partner_id", "=", partner_sudo.id)], limit=20)
        )
        agreements_sudo = request.env["vrm.agreement"].sudo().search([])
        agreement_records_sudo = (
            request.env["vrm.agreement.record"].sudo().search([("partner_id", "=", partner_sudo.id)], limit=20)
        )
        fields_info = partner_sudo.fields_get(RECTIFIABLE, ["string"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "vrm_data_sharing",
                "partner": partner_sudo,
                "rectifiable": RECTIFIABLE,
                "field_labels": {k: v["string"] for k, v in fields_info.items()},
                "rights_requests": requests_sudo,
                "agreements": agreements_sudo,
                "agreement_records": agreement_records_sudo,
                "rights_error": kw.get("rights_error"),
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

    @http.route("/my/data-sharing/request", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_data_sharing_request(self, request_type=None, **kw):
        """File a rights request for the logged-in customer."""
        partner_sudo = request.env.user.partner_id.sudo()
        try:
            request.env["vrm.rights.request"].sudo()._vrm_submit(partner_sudo, request_type, kw)
        except UserError as error:
            return self.portal_my_data_sharing(rights_error=str(error))
        return request.redirect("/my/data-sharing#vrm-rights")

    @http.route(
        "/my/data-sharing/request/<int:request_id>/file/<int:attachment_id>",
        type="http",
        auth="user",
    )
    def portal_my_data_sharing_file(self, request_id, attachment_id, **kw):
        """Download an export file of one of the customer's own requests."""
        request_sudo = (
            request.env["vrm.rights.request"]
            .sudo()
            .search([("id", "=", request_id), ("partner_id", "=", request.env.user.partner_id.id)])
        )
        attachment_sudo = request_sudo.attachment_ids.filtered(lambda a: a.id == attachment_id)
        if not attachment_sudo:
            raise request.not_found()
        return request.make_response(
            attachment_sudo.raw,
            headers=[
                ("Content-Type", attachment_sudo.mimetype),
                ("Content-Disposition", f'attachment; filename="{attachment_sudo.name}"'),
            ],
        )

    @http.route("/my/data-sharing/proffer", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_data_sharing_proffer(self, agreement_id=None, **kw):
        """The customer proffers a standard agreement."""
        partner_sudo = request.env.user.partner_id.sudo()
        agreement_sudo = (
            request.env["vrm.agreement"]
            .sudo()
            .search([("id", "=", int(agreement_id) if str(agreement_id).isdigit() else 0)])
        )
        if not agreement_sudo:
            raise request.not_found()
        try:
            partner_sudo._vrm_proffer_agreement(agreement_sudo)
        except UserError as error:
            return self.portal_my_data_sharing(rights_error=str(error))
        return request.redirect("/my/data-sharing#vrm-terms")

    @http.route("/my/data-sharing/agreement/<int:record_id>", type="http", auth="user")
    def portal_my_data_sharing_agreement(self, record_id, **kw):
        """Download the signed record of one of the customer's own agreements."""
        record_sudo = (
            request.env["vrm.agreement.record"]
            .sudo()
            .search([("id", "=", record_id), ("partner_id", "=", request.env.user.partner_id.id)])
        )
        if not record_sudo:
            raise request.not_found()
        return request.make_response(
            json.dumps(record_sudo._vrm_portal_document(), indent=2),
            headers=[
                ("Content-Type", "application/json"),
                (
                    "Content-Disposition",
                    f'attachment; filename="agreement-{record_sudo.agreement_id.code}.json"',
                ),
            ],
        )
