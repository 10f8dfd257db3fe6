# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, time, timedelta, timezone

from odoo import models, tools

# Working intervals are cached by this many days from a UTC midnight.
INTERVAL_WINDOW_DAYS = 14


class ResourceCalendar(models.Model):
    # SLA deadlines read working intervals through a cache: a change of the calendar (its time zone,
    # its hours) clears it, like a change of its attendances or holidays (not its name).
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "crm.support.cached.mixin"]

    _cache_neutral_fields = frozenset({"name"})

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
