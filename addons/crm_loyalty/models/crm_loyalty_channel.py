# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class CrmLoyaltyChannel(models.Model):
    _name = "crm.loyalty.channel"
    _description = "Loyalty Sales Channel"
    _order = "program_id, code"

    program_id = fields.Many2one(comodel_name="loyalty.program", required=True, ondelete="cascade", index=True)
    code = fields.Char(required=True, help="Channel code sent by the till or system posting purchases.")
    name = fields.Char(required=True, translate=True)
    points_per_unit = fields.Float(
        default=1.0, digits=(16, 4), help="Base points per unit of currency spent (fuel: 0.5, one point per 2 units)."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_program_uniq", "UNIQUE(program_id, code)", "A channel code is unique per programme."),
        ("rate_positive", "CHECK(points_per_unit >= 0)", "Points per unit cannot be negative."),
    ]
