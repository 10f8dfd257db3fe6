# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CrmLoyaltyAdjust(models.TransientModel):
    _name = "crm.loyalty.adjust"
    _inherit = ["crm.loyalty.card.wizard"]
    _description = "Loyalty Manual Adjustment"

    mode = fields.Selection(
        selection=[("points", "Adjust spendable points"), ("tier", "Set the tier")], required=True, default="points"
    )
    points = fields.Float(help="Positive to credit, negative to debit.")
    tier_id = fields.Many2one(comodel_name="crm.loyalty.tier", domain="[('program_id', '=', program_id)]")
    reason = fields.Char(required=True)

    def action_apply(self):
        """Apply the adjustment and record it on the statement or the tier history."""
        self.ensure_one()
        if not self.env.user.has_group("crm_loyalty.group_loyalty_manager"):
            raise AccessError(self.env._("Only loyalty managers adjust balances and tiers."))
        card = self.card_id
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the adjustment."))
        if self.mode == "tier":
            if not self.tier_id or self.tier_id == card.tier_id:
                raise UserError(self.env._("Choose a tier different from the current one."))
            change = "invitation" if self.tier_id.invitation_only else "manual"
            card._crm_set_tier(self.tier_id, self.reason, change)
            return {"type": "ir.actions.act_window_close"}
        if not self.points:
            raise UserError(self.env._("Enter the points to credit (positive) or debit (negative)."))
        card._crm_lock()
        if card.points + self.points < 0:
            raise UserError(
                self.env._("The balance cannot go below zero (%(balance)s available).", balance=card.points)
            )
        label = self.env._("Adjustment: %(reason)s", reason=self.reason)
        ledger = card._crm_ledger()
        if self.points > 0:
            ledger.create(
                {
                    "card_id": card.id,
                    "description": label,
                    "issued": self.points,
                    "remaining_points": self.points,
                    "crm_kind": "adjustment",
                    "expiry_date": card.program_id._crm_expiry_date(fields.Date.context_today(self)),
                }
            )
        else:
            ledger.create({"card_id": card.id, "description": label, "used": -self.points, "crm_kind": "adjustment"})
            card._crm_consume(-self.points)
        card._crm_set_points(card.points + self.points)
        return {"type": "ir.actions.act_window_close"}
