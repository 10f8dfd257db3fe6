# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class CrmSupportSkill(models.Model):
    _name = "crm.support.skill"
    _description = "Service Skill"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("name_uniq", "unique(name)", "A skill with this name already exists.")]
