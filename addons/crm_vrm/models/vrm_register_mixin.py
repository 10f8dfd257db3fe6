# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError


class VrmRegisterMixin(models.AbstractModel):
    """A coded entry of the privacy register (purpose, data category), shown to customers."""

    _name = "vrm.register.mixin"
    _description = "Data Sharing Register Entry"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True, help="Plain-language explanation for the customer.")
    active = fields.Boolean(default=True)

    # The masking rules and field maps are ormcached: any change of the register invalidates them
    # (after the change: a value cached between the clear and the change would be the old one).
    @api.model_create_multi
    def create(self, vals_list):
        """Clear the cached sharing rules when the register changes."""
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        """Clear the cached sharing rules when the register changes."""
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        """Clear the cached sharing rules when the register changes."""
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _vrm_get(self, code):
        """Return the entry of that code (archived ones included) or raise a clear error."""
        entry = self.sudo().with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not entry:
            raise UserError(self.env._("Unknown %(entry)s “%(code)s”.", entry=self._description.lower(), code=code))
        return entry
