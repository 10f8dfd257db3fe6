# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError

LEGAL_BASES = [
    ("contract", "Contract (needed to serve the customer)"),
    ("consent", "Consent"),
    ("legitimate_interest", "Legitimate interest"),
]


class VrmPurpose(models.Model):
    _name = "vrm.purpose"
    _description = "Data Processing Purpose"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True, help="Plain-language explanation for the customer.")
    legal_basis = fields.Selection(selection=LEGAL_BASES, required=True, default="consent")
    always_on = fields.Boolean(
        compute="_compute_always_on",
        store=True,
        help="Purposes based on the contract are always on for the categories needed to serve.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A purpose code must be unique."),
    ]

    @api.depends("legal_basis")
    def _compute_always_on(self):
        for purpose in self:
            purpose.always_on = purpose.legal_basis == "contract"

    @api.model_create_multi
    def create(self, vals_list):
        """Clear the rule cache when purposes change."""
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        """Clear the rule cache when purposes change."""
        self.env.registry.clear_cache()
        return super().write(vals)

    @api.model
    def _vrm_get(self, code):
        """Return the purpose of that code or raise a clear error."""
        purpose = self.sudo().with_context(active_test=False).search([("code", "=", code)], limit=1)
        if not purpose:
            raise UserError(self.env._("Unknown data purpose %(code)s.", code=code))
        return purpose
