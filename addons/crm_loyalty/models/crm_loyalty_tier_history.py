# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class CrmLoyaltyTierHistory(models.Model):
    _name = "crm.loyalty.tier.history"
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    card_id = fields.Many2one(comodel_name="loyalty.card", required=True, ondelete="cascade", index=True)
    # related, not stored: the review batch writes these rows by the hundred thousand
    partner_id = fields.Many2one(related="card_id.partner_id")
    program_id = fields.Many2one(related="card_id.program_id")
    company_id = fields.Many2one(related="card_id.company_id")
    from_tier_id = fields.Many2one(comodel_name="crm.loyalty.tier", ondelete="set null")
    to_tier_id = fields.Many2one(comodel_name="crm.loyalty.tier", ondelete="set null")
    change_type = fields.Selection(
        selection=[
            ("join", "Joined"),
            ("upgrade", "Upgrade"),
            ("downgrade", "Soft landing"),
            ("invitation", "Invitation"),
            ("manual", "Manual change"),
        ],
        required=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    reason = fields.Char(required=True)
    user_id = fields.Many2one(related="create_uid", string="By")
    notice_sent = fields.Boolean(help="The member was told (or the notice was not allowed).")
