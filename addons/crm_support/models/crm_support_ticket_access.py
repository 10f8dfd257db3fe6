# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

# Franchise staff are portal-type (share) users with write access on their tickets, because the pages
# and the API act on tickets in their name. Record rules only say which tickets; they say nothing of the
# fields. Over /web/dataset/call_kw a technician could otherwise set the customer (and then read that
# customer's details on the franchise page), the rating or the SLA deadlines that feed the scorecards.
# So share users write no field of a ticket directly: the actions (accept, decline, stage, message,
# note, photos, close, rating) check who may act (_check_can_act) and then write as superuser, in
# crm_support_ticket.py. This class comes after that file's, so its write() runs first and no context
# key of the caller (crm_support_sla_write) skips the check.

from odoo import models
from odoo.exceptions import AccessError


class CrmSupportTicket(models.Model):
    _inherit = "crm.support.ticket"

    def write(self, vals):
        self._check_share_write(vals)
        return super().write(vals)

    def _check_share_write(self, vals):
        """Refuse a direct write by a portal-type user: they act only through the ticket's actions."""
        if self.env.su or not self.env.user.share or not self:
            return
        raise AccessError(
            self.env._(
                "You cannot change service requests directly (%(fields)s): use the request's page.",
                fields=", ".join(sorted(vals)),
            )
        )
