# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class CrmLoyaltyCardWizard(models.AbstractModel):
    """What the wizards opened on a member's form share: the card they act on."""

    _name = "crm.loyalty.card.wizard"
    _description = "Wizard on a Loyalty Member"

    card_id = fields.Many2one(comodel_name="loyalty.card", required=True, readonly=True)
    program_id = fields.Many2one(related="card_id.program_id")

    @api.model
    def default_get(self, fields_list):
        """Take the card from the context of the form the wizard opens on."""
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "loyalty.card" and self.env.context.get("active_id"):
            res.setdefault("card_id", self.env.context["active_id"])
        return res
