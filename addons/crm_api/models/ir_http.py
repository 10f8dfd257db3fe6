# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def _endpoint_route_last_version(self):
        """The version of the endpoint routes (endpoint_route_handler, which the API's fastapi brings),
        read once per HTTP request.

        Every routing_map() call asks for it with a query, and a website page matches its URL twice
        (with and without the language): the second query would only repeat the first answer.
        """
        if not request:
            return super()._endpoint_route_last_version()
        version = getattr(request, "_crm_endpoint_route_version", None)
        if version is None:
            version = request._crm_endpoint_route_version = super()._endpoint_route_last_version()
        return version
