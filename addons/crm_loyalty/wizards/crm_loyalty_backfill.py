# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CrmLoyaltyBackfill(models.TransientModel):
    _name = "crm.loyalty.backfill"
    _inherit = ["crm.loyalty.card.wizard"]
    _description = "Loyalty Purchase Backfill"

    channel_id = fields.Many2one(
        comodel_name="crm.loyalty.channel", required=True, domain="[('program_id', '=', program_id)]"
    )
    amount = fields.Float(required=True)
    date = fields.Date(string="Purchase date", required=True)
    external_ref = fields.Char(string="Receipt reference", required=True)
    source = fields.Char(
        required=True,
        default="backfill",
        help="The till's own source name makes its later upload of the same receipt a refused duplicate.",
    )
    reason = fields.Char(required=True, help="Why the purchase is posted late, kept on the statement and the chatter.")

    def action_apply(self):
        """Post the purchase whatever its date, and record who backfilled it and why."""
        self.ensure_one()
        if not self.env.user.has_group("crm_loyalty.group_loyalty_manager"):
            raise AccessError(self.env._("Only loyalty managers backfill purchases."))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the backfill."))
        card = self.card_id
        result = self.env["crm.loyalty.posting"]._crm_post(
            {
                "member": card.member_number or card.code,
                "amount": self.amount,
                "currency": card.program_id.currency_id.name,
                "channel": self.channel_id.code,
                "date": fields.Date.to_string(self.date),
                "external_ref": self.external_ref,
                "source": self.source.strip(),
            },
            backfill=True,
        )
        posting = self.env["crm.loyalty.posting"].sudo().browse(result["posting_id"])
        note = self.env._(
            "Backfilled by %(user)s on %(today)s: %(reason)s",
            user=self.env.user.name,
            today=fields.Date.context_today(self),
            reason=reason,
        )
        if not result["replayed"]:
            row = posting.history_id.with_context(crm_ledger=True)
            row.description = f"{row.description} ({note})"
            text = self.env._(
                "Purchase %(ref)s of %(day)s, %(amount)s: %(note)s",
                ref=posting.external_ref,
                day=posting.date,
                amount=posting.amount,
                note=note,
            )
            card.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
