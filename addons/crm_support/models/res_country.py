# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResCountry(models.Model):
    _inherit = "res.country"

    def write(self, vals):
        res = super().write(vals)
        if "name" in vals:
            self.env.registry.clear_cache()  # country choices of the request forms (_intake_form_choices)
        return res
