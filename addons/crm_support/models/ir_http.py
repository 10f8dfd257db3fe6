# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_public(cls):
        """Anonymous requests run as the public user, taken from its cached XML id.

        Odoo's env.ref() also checks with a query that the user still exists, twice per public page
        (when its URL is matched and when its route is authenticated): the public form is opened and
        posted for every service request. The XML id look-up is cached and goes with the user if it is
        ever deleted. super() still runs, so a website's own public user takes precedence.
        """
        if request.env.uid is None:
            __, user_id = request.env["ir.model.data"]._xmlid_to_res_model_res_id("base.public_user")
            request.update_env(user=user_id)
        return super()._auth_method_public()
