# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class IrQwebField(models.AbstractModel):
    _inherit = "ir.qweb.field"

    @api.model
    def record_to_html(self, record, field_name, options):
        """`t-field` of a customer's field hidden from the rendering user shows the masked value
        (or nothing), as read() does; what is shown is logged."""
        if record._name == "res.partner" and len(record) == 1:
            # the rendering user decides, not the record's environment (templates often sudo())
            masks = record.with_env(self.env)._vrm_render_masks([field_name])
            if field_name in masks:
                value = masks[field_name]
                return self.value_to_html(value, options) if value else False
        return super().record_to_html(record, field_name, options)
