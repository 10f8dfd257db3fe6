# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

ADDRESS_FIELDS = ["street", "street2", "zip", "city", "state_id", "country_id"]
# the partner fields behind each line the contact widget can print
WIDGET_FIELDS = {
    "address": ADDRESS_FIELDS,
    "city": ["city", "country_id"],
    "country_id": ["country_id"],
    "phone": ["phone"],
    "mobile": ["mobile"],
    "email": ["email"],
}


class IrQwebFieldContact(models.AbstractModel):
    _inherit = "ir.qweb.field.contact"

    @api.model
    def value_to_html(self, value, options):
        """The contact block of a customer (reports, portal) prints the address, phone and e-mail
        lines masked when the rendering user may not see them; what is shown is logged."""
        if value and value._name == "res.partner" and len(value) == 1 and isinstance(value.id, int):
            lines = options.get("fields") or ["name", "address", "phone", "mobile", "email"]
            fnames = {fname for line in lines for fname in WIDGET_FIELDS.get(line, ())}
            masks = value.with_env(self.env)._vrm_render_masks(fnames)
            if masks:
                # the widget reads the partner in sudo: give it an in-memory copy holding the
                # masked values (the display name's address is computed from them)
                partner = value.sudo()
                value = partner.new(masks, origin=partner)
        return super().value_to_html(value, options)
