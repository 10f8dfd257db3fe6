# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools
from odoo.exceptions import UserError


class VrmDataCategory(models.Model):
    _name = "vrm.data.category"
    _description = "Personal Data Category"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True, help="Plain-language explanation for the customer.")
    field_ids = fields.Many2many(
        comodel_name="ir.model.fields",
        relation="vrm_data_category_field_rel",
        column1="category_id",
        column2="field_id",
        string="Fields",
        help="The actual fields holding data of this category.",
    )
    contract_minimum = fields.Boolean(
        help="Needed to serve the customer: always shared for purposes whose basis is the contract."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A data category code must be unique."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """Clear the field map cache when categories change."""
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        """Clear the field map cache when categories change."""
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        """Clear the field map cache when categories change."""
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _vrm_get(self, code):
        """Return the category of that code or raise a clear error."""
        category = self.sudo().with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not category:
            raise UserError(self.env._("Unknown data category %(code)s.", code=code))
        return category

    @api.model
    @tools.ormcache("model_name")
    def _vrm_field_map(self, model_name):
        """Return {field name: category code} for the mapped fields of one model."""
        self.env.cr.execute(
            """
            SELECT f.name, c.code
              FROM vrm_data_category_field_rel rel
              JOIN vrm_data_category c ON c.id = rel.category_id
              JOIN ir_model_fields f ON f.id = rel.field_id
             WHERE f.model = %s AND c.active
            """,
            [model_name],
        )
        return dict(self.env.cr.fetchall())

    @api.model
    @tools.ormcache("purpose_code", "category_code")
    def _vrm_rule(self, purpose_code, category_code):
        """(purpose id, category id, always allowed?) for a purpose and category code."""
        purpose = self.env["vrm.purpose"]._vrm_get(purpose_code)
        category = self._vrm_get(category_code)
        always = purpose.legal_basis == "contract" and category.contract_minimum
        return purpose.id, category.id, always
