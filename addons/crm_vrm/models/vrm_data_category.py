# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools


class VrmDataCategory(models.Model):
    _name = "vrm.data.category"
    _inherit = ["vrm.register.mixin"]
    _description = "Personal Data Category"

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

    _sql_constraints = [
        ("code_unique", "unique(code)", "A data category code must be unique."),
    ]

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

    @api.model
    @tools.ormcache("model_name", "purpose_code")
    def _vrm_plan(self, model_name, purpose_code):
        """(purpose id, {field name: (category code, category id, always shared?)}) for the
        mapped fields of one model: what an enforced read needs, in one cached look-up."""
        field_map = self._vrm_field_map(model_name)
        rules = {code: self._vrm_rule(purpose_code, code) for code in set(field_map.values())}
        purpose_id = next(iter(rules.values()))[0] if rules else self.env["vrm.purpose"]._vrm_get(purpose_code).id
        return purpose_id, {fname: (code, rules[code][1], rules[code][2]) for fname, code in field_map.items()}
