# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResourceCalendarAttendance(models.Model):
    # Routing reads working hours through a cache (crm.franchise._calendar_schedule): a change of
    # an attendance of a franchise's or company's calendar clears it like a change of a routing rule;
    # the attendances of other calendars (employees' own working hours) are not in it.
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "crm.support.cached.mixin"]

    def _crm_cache_relevant(self):
        """The attendances of the calendars the cache reads."""
        calendars = self.sudo().calendar_id._crm_cache_relevant()
        return self.filtered(lambda attendance: attendance.sudo().calendar_id in calendars)
