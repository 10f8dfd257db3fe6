# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class CrmSupportCategory(models.Model):
    _name = "crm.support.category"
    # the public form's choices are cached (crm.support.ticket._intake_form_choices)
    _inherit = ["crm.support.cached.mixin"]
    _description = "Service Request Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    skill_id = fields.Many2one(
        comodel_name="crm.support.skill",
        help="Staff with this skill are preferred for requests of this category.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_uniq", "unique(code)", "The category code must be unique.")]
