# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

# Mail and SMS templates render as superuser, so whoever may put any expression in one reads anything
# (`object.env['ir.config_parameter']...`). Loyalty managers are not Mail Template Editors: Odoo's restricted
# mode lets them change the wording and use only the expressions listed here (exact strings, checked when a
# template is saved, mail.render.mixin._check_access_right_dynamic_template). The list holds what the
# loyalty templates use: the member's card, tier and programme. Only dotted paths: a template made of
# allowed expressions is rendered without eval, by Odoo's regex renderer, which reads `object.a.b`. The
# points-expiring notices read values the server passes in the context (ctx.get(...)): they stay dynamic
# templates, for administrators.

from odoo import models

TEMPLATE_PATHS = (
    "object.partner_id.name",
    "object.partner_id.id",
    "object.program_id.name",
    "object.member_number",
    "object.tier_id.name",
    "object.tier_id.earn_multiplier",
    "object.points",
    "object.crm_points_to_next",
    "object.crm_period_end",
)


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    def mail_allowed_qweb_expressions(self):
        """Expressions a loyalty manager may use in the loyalty templates."""
        return (*super().mail_allowed_qweb_expressions(), *TEMPLATE_PATHS)
