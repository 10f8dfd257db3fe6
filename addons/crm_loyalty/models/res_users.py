# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_loyalty_program_ids = fields.Many2many(
        comodel_name="loyalty.program",
        relation="crm_loyalty_program_res_users_rel",
        column1="user_id",
        column2="program_id",
        string="Loyalty programmes this user may post to",
        domain="[('program_type', '=', 'loyalty')]",
        help="Empty: every programme. Set for a till's or an integration's user: it posts purchases, redeems and "
        "looks up members (and their vouchers) of these programmes only.",
    )

    def write(self, vals):
        """The record rules read the user's programmes and are cached per user: a change applies at once."""
        res = super().write(vals)
        if "crm_loyalty_program_ids" in vals:
            self.env.registry.clear_cache()
        return res
