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
        """Add the loyalty memberships (statement, purchases posted, tier history) and the
        customer's other cards (vouchers, gift cards) to the rights-request export."""
        data = super()._vrm_export_data()
        cards_sudo = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "=", self.id)], order="id")
        )
        members_sudo = cards_sudo.filtered(lambda c: c.program_id.program_type == "loyalty")
        postings_sudo = self.env["crm.loyalty.posting"].sudo().search([("card_id", "in", members_sudo.ids)], order="id")
        data["loyalty"] = [
            {
                "programme": card.program_id.name,
                "member_number": card.member_number,
                "tier": card.tier_id.name or False,
                "tier_since": str(card.crm_tier_since or ""),
                "balance": card.points,
                "statement": [
                    {**row, "date": str(row["date"]), "expiry_date": str(row["expiry_date"] or "")}
                    for row in card._crm_statement(limit=None)
                ],
                "postings": [
                    {
                        "date": str(p.date or ""),
                        "kind": p.kind,
                        "external_ref": p.external_ref,
                        "source": p.source,
                        "channel": p.channel_id.name or "",
                        "amount": p.amount,
                        "currency": p.currency_id.name or "",
                        "refunded_amount": p.refunded_amount,
                        "qualifying_points": p.qualifying_points,
                        "spendable_points": p.spendable_points,
                    }
                    for p in postings_sudo.filtered(lambda p, c=card: p.card_id == c)
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
            for card in members_sudo
        ]
        data["loyalty_cards"] = [
            {
                "programme": card.program_id.name,
                "type": card.program_id.program_type,
                "code": card.code,
                "points": card.points,
                "expires": str(card.expiration_date or ""),
            }
            for card in cards_sudo - members_sudo
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
