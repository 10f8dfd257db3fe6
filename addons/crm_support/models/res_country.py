# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResCountry(models.Model):
    # The request forms offer the countries through a cache (crm.support.ticket._intake_form_choices): a
    # country created, renamed or deleted clears it like a category does.
    _name = "res.country"
    _inherit = ["res.country", "crm.support.cached.mixin"]

    # the forms show the name only
    _cache_fields = frozenset({"name"})
