# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools


class ResUsers(models.Model):
    _inherit = "res.users"

    vrm_recipient_id = fields.Many2one(
        comodel_name="vrm.recipient",
        string="Acts for recipient",
        groups="base.group_system",
        help="For users who act for a data recipient (an API client of a partner, a franchise "
        "account): what they see of customers follows what customers share with it.",
    )
    vrm_purpose_id = fields.Many2one(
        comodel_name="vrm.purpose",
        string="Reads customers' data for",
        groups="base.group_system",
        help="The purpose this user's reads of customers' data serve, which the customers' choices "
        "are checked against. Empty: the purpose of the user's groups (Data Sharing > Purposes); "
        "with none, or several, the user reads for no purpose and sees only what is never "
        "restricted.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """New internal users are staff: refresh the partners that are never masked."""
        users = super().create(vals_list)
        # A portal signup (a share user) changes no cached value: the staff partners are internal
        # users' and companies', and the per-user states are keyed by a user id no cache holds yet.
        if not all(users.mapped("share")):
            self.env.registry.clear_cache()
        return users

    def write(self, vals):
        """Refresh the partners that are never masked, and who acts for which recipient."""
        if "groups_id" in vals and not (
            {"share", "partner_id", "active", "vrm_recipient_id", "vrm_purpose_id"} & vals.keys()
        ):
            # a change of groups that leaves every user's standing as it was (mail's notification type, set
            # on each new portal user) changes no cached state
            before = self._vrm_cached_standing()
            res = super().write(vals)
            if self._vrm_cached_standing() != before:
                self.env.registry.clear_cache()
            return res
        res = super().write(vals)
        if {"groups_id", "share", "partner_id", "active", "vrm_recipient_id", "vrm_purpose_id"} & vals.keys():
            self.env.registry.clear_cache()
        return res

    def _vrm_cached_standing(self):
        """What the cached enforcement states read of these users' groups: internal or not, privacy
        officer or not, purpose."""
        officer = self.env.ref("crm_vrm.group_vrm_manager")
        return [(user.share, officer in user.groups_id, user._vrm_purpose_code()) for user in self.sudo()]

    def _vrm_recipient(self):
        """The recipient whose sharing governs what this user is shown (empty: none)."""
        self.ensure_one()
        if self.sudo().vrm_recipient_id:
            return self.sudo().vrm_recipient_id
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

    def _vrm_purpose_code(self):
        """The code of the purpose this user reads customers' data for (False: none). Decided on
        the server from the user's record and groups, never from the request."""
        self.ensure_one()
        user = self.sudo()
        if user.vrm_purpose_id:
            return user.vrm_purpose_id.code
        purposes = self.env["vrm.purpose"].sudo().search([("group_ids", "in", user.groups_id.ids)])
        # one purpose, or none at all: a user of several roles gets the narrowest view
        return purposes.code if len(purposes) == 1 else False

    @api.model
    @tools.ormcache("self.env.uid")
    def _vrm_enforcement_state(self):
        """For the current user: None when nothing is limited (superuser, public user (no access
        to customers but through pages), privacy officers, users without a recipient), else
        (recipient id, recipient type, staff partner ids, own
        partner id, purpose code or False); staff and own partners are never masked. Cached per
        user (cleared with the default cache: groups, users, recipients, purposes and the
        register all clear it on change)."""
        user = self.env.user
        if user._is_superuser() or user._is_public() or user._vrm_is_privacy_officer():
            return None
        recipient = user._vrm_recipient()
        if not recipient:
            return None
        staff = self.env["res.partner"]._vrm_staff_partner_ids()
        purpose = user._vrm_purpose_code()
        return recipient.id, recipient.sudo().recipient_type, staff, user.partner_id.id, purpose
