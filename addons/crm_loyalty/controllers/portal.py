# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

STATEMENT_STEP = 10


class CrmLoyaltyPortal(CustomerPortal):
    def _crm_loyalty_cards_sudo(self, card_id=None):
        """The caller's own tiered memberships (sudo, scoped to the caller's partner)."""
        domain = [
            ("partner_id", "=", request.env.user.partner_id.id),
            ("program_id.program_type", "=", "loyalty"),
        ]
        if card_id is not None:
            domain.append(("id", "=", int(card_id)))
        return request.env["loyalty.card"].sudo().search(domain)

    @route(
        ["/my/loyalty", "/my/loyalty/<int:card_id>", "/my/loyalty/<int:card_id>/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_loyalty(self, card_id=None, page=1, **kw):
        """My loyalty: tier badge, progress to the next tier, balance, expiring points, statement, vouchers."""
        cards_sudo = self._crm_loyalty_cards_sudo()
        card_sudo = cards_sudo.filtered(lambda c: c.id == card_id) if card_id else cards_sudo[:1]
        if card_id and not card_sudo:
            return request.redirect("/my/loyalty")
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "my_loyalty", "cards": cards_sudo, "card": card_sudo})
        if card_sudo:
            total = request.env["loyalty.history"].sudo().search_count([("card_id", "=", card_sudo.id)])
            pager = portal_pager(url=f"/my/loyalty/{card_sudo.id}", total=total, page=int(page), step=STATEMENT_STEP)
            summary = card_sudo._crm_member_summary()
            next_tier = card_sudo.crm_next_tier_id
            progress = 100 if card_sudo.tier_id else 0
            if next_tier and next_tier.qualify_points:
                progress = min(int(summary["tier_points"] * 100 / next_tier.qualify_points), 100)
            vouchers_sudo = (
                request.env["loyalty.card"]
                .sudo()
                .search(
                    [
                        ("crm_source_card_id", "=", card_sudo.id),
                        ("partner_id", "=", request.env.user.partner_id.id),
                        ("points", ">", 0),
                        "|",
                        ("expiration_date", "=", False),
                        ("expiration_date", ">=", fields.Date.today()),
                    ],
                    order="expiration_date, id",
                )
            )
            values.update(
                {
                    "summary": summary,
                    "progress": progress,
                    "statement": card_sudo._crm_statement(offset=pager["offset"], limit=STATEMENT_STEP),
                    "pager": pager,
                    "vouchers": vouchers_sudo,
                }
            )
        return request.render("crm_loyalty.portal_my_loyalty", values)
