# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResourceCalendarAttendance(models.Model):
    # Routing reads working hours through a cache (crm.franchise._calendar_schedule): a change of
    # an attendance clears it like a change of a routing rule.
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "crm.support.cached.mixin"]
