# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _get_lang_from_accept_language(self, accept_language):
        """A malformed Accept-Language header means "no preference", not a server error (the
        fastapi addon parses it before any API code runs)."""
        try:
            return super()._get_lang_from_accept_language(accept_language)
        except ValueError:
            return None
