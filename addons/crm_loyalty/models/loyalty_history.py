# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    crm_kind = fields.Selection(
        selection=[
            ("order", "Order"),
            ("award", "Purchase"),
            ("refund", "Refund"),
            ("redeem", "Redemption"),
            ("voucher", "Voucher"),
            ("clawback", "Voucher claw-back"),
            ("expiry", "Expiry"),
            ("adjustment", "Adjustment"),
        ],
        string="Type",
    )
    qualifying_points = fields.Float(string="Tier points", help="Points counting towards tiers (not spendable).")
    remaining_points = fields.Float(string="Unspent", help="Part of this award not yet spent or expired.")
    earned_date = fields.Date(
        string="Date", default=fields.Date.context_today, index=True, help="Day the points were earned or used."
    )
    expiry_date = fields.Date(string="Expires on", index="btree_not_null")
    crm_bonus_points = fields.Float(string="Tier bonus", help="Spendable points added by the tier multiplier.")
    crm_expiry_notified = fields.Boolean(string="Expiry notice sent")
    posting_id = fields.Many2one(comodel_name="crm.loyalty.posting", index="btree_not_null", ondelete="set null")
    voucher_card_id = fields.Many2one(comodel_name="loyalty.card", string="Voucher", ondelete="set null")
    # related, not stored: statements reach ten million rows, every stored column costs on insert
    partner_id = fields.Many2one(related="card_id.partner_id", string="Member")
    program_id = fields.Many2one(related="card_id.program_id")
    user_id = fields.Many2one(related="create_uid", string="By")

    def init(self):
        """Index the per-card, per-date sums of the tier review; the per-card FIFO scans use it too.

        Every statement row pays for every index on insert, and at ten million rows each per-card
        index costs a random page per purchase: the FIFO scan reads a card's few rows through this
        one, and no search filters on the kind, so those two indexes are not kept.
        """
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS loyalty_history_card_earned_idx
                   ON loyalty_history (card_id, earned_date) INCLUDE (qualifying_points)"""
        )
        self.env.cr.execute("DROP INDEX IF EXISTS loyalty_history_unspent_idx")
        self.env.cr.execute("DROP INDEX IF EXISTS loyalty_history__crm_kind_index")

    @api.model_create_multi
    def create(self, vals_list):
        """Rows written by Odoo's own flows (sales, POS, eCommerce, balance wizard) join the tier ledger.

        Awards get the tier multiplier and count as tier points; points used consume the
        soonest-expiring awards first.
        """
        if self.env.context.get("crm_ledger"):
            return super().create(vals_list)
        manual = self.env.context.get("crm_manual_adjustment")
        cards = self.env["loyalty.card"].browse({vals["card_id"] for vals in vals_list if vals.get("card_id")})
        loyalty_cards = cards.filtered(lambda c: c.program_id.program_type == "loyalty")
        loyalty_cards._crm_lock()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            card = loyalty_cards.browse(vals.get("card_id"))
            if card not in loyalty_cards or vals.get("crm_kind"):
                continue
            issued = vals.get("issued") or 0.0
            vals.setdefault("earned_date", today)
            if manual:
                vals.update(crm_kind="adjustment", remaining_points=issued)
                continue
            tier = card.tier_id or card.program_id._crm_entry_tier()
            multiplier = tier.earn_multiplier if tier else 1.0
            spendable = round(issued * multiplier, 2)
            vals.update(
                crm_kind="order",
                issued=spendable,
                qualifying_points=issued,
                remaining_points=spendable,
                crm_bonus_points=spendable - issued,
                expiry_date=card.program_id._crm_expiry_date(vals["earned_date"]),
            )
        rows = super().create(vals_list)
        for row in rows.filtered(lambda r: r.crm_kind in ("order", "adjustment")):
            card = row.card_id
            if row.crm_bonus_points:
                card._crm_set_points(card.points + row.crm_bonus_points)
            if row.used:
                card._crm_consume(row.used)
        rows.filtered(lambda r: r.crm_kind == "order" and r.qualifying_points).card_id._crm_check_upgrade()
        return rows

    def write(self, vals):
        """Points Odoo adds to ``used`` on an existing row (a reward added to a confirmed order) are spent FIFO too."""
        track = "used" in vals and not self.env.context.get("crm_ledger")
        before = {row.id: row.used for row in self} if track else {}
        res = super().write(vals)
        if track:
            for row in self.filtered(lambda r: r.crm_kind in ("order", "adjustment")):
                spent = row.used - before[row.id]
                if spent > 0:
                    row.card_id._crm_consume(spent)
        return res

    def unlink(self):
        """A cancelled order takes back the tier bonus its history row had added."""
        if not self.env.context.get("crm_ledger"):
            for row in self.filtered(lambda r: r.crm_kind == "order" and r.crm_bonus_points):
                row.card_id._crm_set_points(row.card_id.points - row.crm_bonus_points)
        return super().unlink()
