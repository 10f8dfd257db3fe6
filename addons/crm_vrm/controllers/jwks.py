# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.http import request

from ..models.vrm_consent_event import JWKS_PATH


class VrmJwks(http.Controller):
    @http.route(JWKS_PATH, type="http", auth="public", methods=["GET"], save_session=False, readonly=True)
    def vrm_jwks(self, **kw):
        """The public keys that sign consent receipts (JWK Set), retired ones included."""
        jwks = request.env["vrm.receipt.key"].sudo()._vrm_jwks()
        return request.make_response(
            json.dumps(jwks),
            headers=[
                ("Content-Type", "application/jwk-set+json"),
                # keys change only on rotation; verifiers may cache them briefly
                ("Cache-Control", "public, max-age=300"),
                ("Access-Control-Allow-Origin", "*"),
            ],
        )
