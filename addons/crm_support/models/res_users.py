# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

# What a franchise's cached staff roster is made of.
ROSTER_FIELDS = {
    "franchise_id",
    "active",
    "name",
    "partner_id",
    "support_takes_tickets",
    "support_capacity",
    "support_skill_ids",
    "support_resource_id",
}


class ResUsers(models.Model):
    _inherit = "res.users"

    franchise_id = fields.Many2one(
        comodel_name="crm.franchise",
        index="btree_not_null",
        help="Franchise this person works for; franchise staff see only its tickets.",
    )
    support_skill_ids = fields.Many2many(
        comodel_name="crm.support.skill",
        relation="crm_support_skill_res_users_rel",
        string="Service Skills",
    )
    support_capacity = fields.Integer(string="Max Open Tickets", help="0 means the franchise's default capacity.")
    support_takes_tickets = fields.Boolean(
        string="Receives Tickets", default=True, help="Routing may assign tickets to this person."
    )

    support_resource_id = fields.Many2one(
        comodel_name="resource.resource",
        readonly=True,
        copy=False,
        help="Resource holding this person's working time and leaves for routing.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "franchise_id", "support_skill_ids", "support_capacity"]

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if users.filtered("franchise_id"):
            users.filtered("franchise_id")._support_ensure_resource()
            self.env.registry.clear_cache()  # franchise rosters (crm.franchise._staff_rosters)
        return users

    def write(self, vals):
        # franchise staff before (on a cached roster) or after (to be put on one); other users
        # (customers' portal accounts) are on none: a change of theirs clears nothing
        staff_before = ROSTER_FIELDS & set(vals) and self._support_franchise_staff()
        res = super().write(vals)
        if vals.get("franchise_id"):
            self._support_ensure_resource()
        if staff_before or (ROSTER_FIELDS & set(vals) and self._support_franchise_staff()):
            self.env.registry.clear_cache()  # franchise rosters (crm.franchise._staff_rosters)
        return res

    def unlink(self):
        staff = self._support_franchise_staff()
        res = super().unlink()
        if staff:
            self.env.registry.clear_cache()  # franchise rosters (crm.franchise._staff_rosters)
        return res

    def _support_franchise_staff(self):
        """The users of self who work for a franchise (archived ones included)."""
        return self.sudo().with_context(active_test=False).filtered("franchise_id")

    def _vrm_recipient(self):
        """Franchise people see customers as their franchise's recipient."""
        self.ensure_one()
        if self.share and self.franchise_id:
            return self.franchise_id.sudo().vrm_recipient_id
        return super()._vrm_recipient()

    def _support_capacity(self):
        """Maximum number of open tickets this person may hold."""
        self.ensure_one()
        return self.support_capacity or self.franchise_id.default_capacity

    def _support_resource(self):
        """The resource (working time, leaves) of this person."""
        self.ensure_one()
        return self.sudo().resource_ids[:1]

    def _support_ensure_resource(self):
        """Give franchise staff a resource on their franchise's calendar, for leaves and working hours."""
        resources = self.env["resource.resource"].sudo()
        for user in self.sudo():
            resource = user.resource_ids[:1]
            calendar = user.franchise_id.calendar_id
            if not resource:
                resource = resources.create(
                    {
                        "name": user.name,
                        "user_id": user.id,
                        "resource_type": "user",
                        "calendar_id": calendar.id,
                        "company_id": user.franchise_id.company_id.id,
                        "tz": calendar.tz or user.tz or "UTC",
                    }
                )
            elif resource.calendar_id != calendar:
                resource.calendar_id = calendar
            if user.support_resource_id != resource:
                user.support_resource_id = resource
