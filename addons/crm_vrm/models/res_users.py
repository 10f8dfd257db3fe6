# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _vrm_recipient(self):
        """The recipient whose sharing governs what this user is shown (empty: none)."""
        self.ensure_one()
        if not self.share:
            return (
                self.env.ref("crm_vrm.recipient_company", raise_if_not_found=False)
                or self.env["vrm.recipient"].browse()
            )
        return self.env["vrm.recipient"].browse()

    def _vrm_is_privacy_officer(self):
        """Privacy officers see every value unmasked."""
        self.ensure_one()
        return self.has_group("crm_vrm.group_vrm_manager")
