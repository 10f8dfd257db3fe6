# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

RECIPIENT_TYPES = [
    ("company", "The company"),
    ("franchise", "Franchise"),
    ("partner", "Other partner"),
]


class VrmRecipient(models.Model):
    _name = "vrm.recipient"
    _description = "Data Recipient"
    _order = "recipient_type, name, id"

    name = fields.Char(required=True, translate=True)
    recipient_type = fields.Selection(selection=RECIPIENT_TYPES, required=True, default="partner", index=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        ondelete="restrict",
        help="The organisation that receives the data.",
    )
    description = fields.Text(translate=True, help="What this recipient does with the data, in plain language.")
    active = fields.Boolean(default=True)

    def write(self, vals):
        """Who acts for a recipient of which type is cached per user: refresh it."""
        res = super().write(vals)
        if "recipient_type" in vals:
            self.env.registry.clear_cache()
        return res

    @api.model
    def _vrm_name_company_recipient(self):
        """Name the company recipient after the company (called once at install)."""
        recipient = self.env.ref("crm_vrm.recipient_company", raise_if_not_found=False)
        if recipient:
            recipient.name = self.env.ref("base.main_company").name
