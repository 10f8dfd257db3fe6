# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from fastapi import Depends, FastAPI
from starlette.routing import Mount

from odoo import fields, models

from ..dependencies import reject_nul
from ..errors import exception_handlers
from ..routers import loyalty, meta, support, vrm, webhooks

APP_CODE = "crm_api"


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(selection_add=[(APP_CODE, "CRM Suite API")], ondelete={APP_CODE: "cascade"})

    def _get_fastapi_routers(self):
        if self.app == APP_CODE:
            return [meta.router, loyalty.router, support.router, vrm.router, webhooks.router]
        return super()._get_fastapi_routers()

    def _prepare_fastapi_app_params(self):
        params = super()._prepare_fastapi_app_params()
        if self.app == APP_CODE:
            params["version"] = "1.0.0"
            params["openapi_tags"] = [
                {"name": "account", "description": "The API key's user."},
                {"name": "loyalty", "description": "Posting, members, statements, vouchers, redemption."},
                {"name": "support", "description": "Service requests: intake, status, queue, actions, scorecard."},
                {"name": "data sharing", "description": "The customer's sharing choices, receipts, exports."},
                {"name": "webhooks", "description": "Signed event notifications (API managers)."},
            ]
        return params

    def _get_fastapi_app_dependencies(self):
        dependencies = super()._get_fastapi_app_dependencies()
        if self.app == APP_CODE:
            dependencies.append(Depends(reject_nul))
        return dependencies

    def _get_app(self):
        app = super()._get_app()
        if self.app == APP_CODE:
            app.state.crm_api = True
        return app

    def _clear_fastapi_exception_handlers(self, app: FastAPI) -> None:
        """Keep our problem+json handlers: the fastapi addon clears every app's handlers so that
        errors reach Odoo; ours answer client errors themselves (their writes are already undone by
        the request savepoint) and let everything else through."""
        res = super()._clear_fastapi_exception_handlers(app)
        for route in app.routes:
            if isinstance(route, Mount) and getattr(route.app.state, "crm_api", False):
                route.app.exception_handlers = exception_handlers()
        return res
