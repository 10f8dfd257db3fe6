# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResourceCalendarLeaves(models.Model):
    # SLA deadlines read working intervals through a cache (resource.calendar._crm_work_intervals):
    # a new, changed or removed holiday of a calendar clears it, so the next deadline counts it. A
    # person's time-off (resource_id set: every time-off of the instance) is not in it (the cache asks
    # for the calendar's own leaves) and routing reads it at each decision: it clears nothing.
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "crm.support.cached.mixin"]

    def _crm_cache_relevant(self):
        """The holidays of calendars (leaves without a resource)."""
        return self.filtered(lambda leave: not leave.sudo().resource_id and leave.sudo().time_type == "leave")
