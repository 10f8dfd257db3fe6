# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_loyalty_card_ids = fields.One2many(
        comodel_name="loyalty.card",
        inverse_name="partner_id",
        string="Loyalty memberships",
        domain=[("program_id.program_type", "=", "loyalty")],
    )
    crm_loyalty_tier_id = fields.Many2one(
        comodel_name="crm.loyalty.tier", string="Loyalty tier", compute="_compute_crm_loyalty_tier"
    )

    def _compute_crm_loyalty_tier(self):
        for partner in self:
            partner.crm_loyalty_tier_id = partner.crm_loyalty_card_ids.sudo().tier_id[:1]

    def action_crm_loyalty_statement(self):
        """Open the loyalty statement of this customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_loyalty.action_crm_loyalty_statement")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_group_card": 1}
        return action

    def _vrm_export_data(self):
        """Add the loyalty memberships, statements and tier history to the rights-request export."""
        data = super()._vrm_export_data()
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "=", self.id), ("program_id.program_type", "=", "loyalty")])
        )
        data["loyalty"] = [
            {
                "programme": card.program_id.name,
                "member_number": card.member_number,
                "tier": card.tier_id.name or False,
                "balance": card.points,
                "statement": [
                    {**row, "date": str(row["date"]), "expiry_date": str(row["expiry_date"] or "")}
                    for row in card._crm_statement(limit=None)
                ],
                "tier_history": [
                    {
                        "date": str(h.date),
                        "from": h.from_tier_id.name or False,
                        "to": h.to_tier_id.name or False,
                        "reason": h.reason,
                    }
                    for h in card.crm_tier_history_ids
                ],
            }
            for card in cards
        ]
        return data

    def _vrm_anonymize(self):
        """Erase what the loyalty statement says about the customer; balances and totals stay."""
        res = super()._vrm_anonymize()
        cards = self.env["loyalty.card"].sudo().with_context(active_test=False).search([("partner_id", "in", self.ids)])
        history = (
            self.env["loyalty.history"].sudo().with_context(crm_ledger=True).search([("card_id", "in", cards.ids)])
        )
        history.write({"description": self.env._("(erased)")})
        cards.crm_tier_history_ids.write({"reason": self.env._("(erased)")})
        return res
