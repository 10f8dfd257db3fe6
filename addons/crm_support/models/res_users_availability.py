# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.exceptions import AccessError


class ResUsers(models.Model):
    """Availability that franchise staff set themselves (away: routing skips them like people on leave).

    Read by routing at each decision (crm.franchise._staff_rows), not cached with the roster: it changes
    many times a day.
    """

    _inherit = "res.users"

    support_away = fields.Boolean(
        string="Away",
        copy=False,
        help="Set by the person from the franchise phone pages or the API: routing skips them like people "
        "on leave until they are available again.",
    )

    def _support_set_away(self, away):
        """The current user sets themselves away or available (franchise staff only, nobody else)."""
        self.ensure_one()
        if self != self.env.user or not self.franchise_id:
            raise AccessError(self.env._("Only franchise staff set their own availability."))
        # franchise staff may not write their user record: this one field, for themselves only
        self.sudo().support_away = bool(away)
        return True
