# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

LEGAL_BASES = [
    ("contract", "Contract (needed to serve the customer)"),
    ("consent", "Consent"),
    ("legitimate_interest", "Legitimate interest"),
]


class VrmPurpose(models.Model):
    _name = "vrm.purpose"
    _inherit = ["vrm.register.mixin"]
    _description = "Data Processing Purpose"

    legal_basis = fields.Selection(selection=LEGAL_BASES, required=True, default="consent")
    always_on = fields.Boolean(
        compute="_compute_always_on",
        store=True,
        help="Purposes based on the contract are always on for the categories needed to serve.",
    )
    group_ids = fields.Many2many(
        comodel_name="res.groups",
        relation="vrm_purpose_group_rel",
        column1="purpose_id",
        column2="group_id",
        string="Staff groups",
        help="Staff of these groups read customers' data for this purpose (a user's own purpose, "
        "set on the user, comes first). A user of no group here, or of groups of several purposes, "
        "reads for none: only what is never restricted shows.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A purpose code must be unique."),
    ]

    def write(self, vals):
        """Which purpose each user reads for is cached per user: refresh it."""
        res = super().write(vals)
        if "group_ids" in vals:
            self.env.registry.clear_cache()
        return res

    @api.depends("legal_basis")
    def _compute_always_on(self):
        for purpose in self:
            purpose.always_on = purpose.legal_basis == "contract"
