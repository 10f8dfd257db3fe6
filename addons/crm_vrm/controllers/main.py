# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.http import request


class VrmReceiptVerify(http.Controller):
    @http.route(
        "/vrm/receipt/verify",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def vrm_receipt_verify(self, **kw):
        """Say whether a posted receipt (the JSON document, or the bare compact JWS) is genuine
        and current."""
        body = request.httprequest.get_data(as_text=True) or ""
        try:
            document = json.loads(body or "null")
        except ValueError:
            document = body.strip()
        result = request.env["vrm.consent.event"].sudo()._vrm_verify(document)
        return request.make_json_response(result)
