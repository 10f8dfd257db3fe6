# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class LoyaltyCardUpdateBalance(models.TransientModel):
    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        """Odoo's balance update is a manual adjustment: no tier points, no multiplier."""
        return super(LoyaltyCardUpdateBalance, self.with_context(crm_manual_adjustment=True)).action_update_card_point()
