# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, time, timedelta, timezone

from odoo import models, tools

# Working intervals are cached by this many days from a UTC midnight.
INTERVAL_WINDOW_DAYS = 14


class ResourceCalendar(models.Model):
    # SLA deadlines read working intervals through a cache: a change of the calendar (its time zone,
    # its hours) clears it, like a change of its attendances or leaves; only for the calendars SLA
    # deadlines and routing use (a franchise's, a company's), not every employee's.
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "crm.support.cached.mixin"]

    _cache_neutral_fields = frozenset({"name"})

    def _crm_cache_relevant(self):
        """The calendars of franchises (archived ones too) and the companies' working hours."""
        if not self:
            return self
        franchises = self.env["crm.franchise"].sudo().with_context(active_test=False)
        used = franchises.search([("calendar_id", "in", self.ids)]).calendar_id
        used |= self.env["res.company"].sudo().search([("resource_calendar_id", "in", self.ids)]).resource_calendar_id
        return self & used

    @tools.ormcache("self.id", "day")
    def _crm_work_intervals(self, day):
        """Working intervals of the INTERVAL_WINDOW_DAYS days from the UTC midnight of `day`, as
        (start, stop) UTC datetimes: Odoo's attendances less the calendar's leaves (cached per
        calendar and day; every request of a day reads the same fortnight)."""
        self.ensure_one()
        start = datetime.combine(day, time.min, tzinfo=timezone.utc)
        # as superuser: the same holidays count whoever asks first (intake runs as superuser too)
        intervals = self.sudo()._work_intervals_batch(start, start + timedelta(days=INTERVAL_WINDOW_DAYS))[False]
        return tuple((begin.astimezone(timezone.utc), stop.astimezone(timezone.utc)) for begin, stop, __ in intervals)
