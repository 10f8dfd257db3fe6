# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResourceCalendarLeaves(models.Model):
    # SLA deadlines read working intervals through a cache (resource.calendar._crm_work_intervals):
    # a new, changed or removed holiday clears it, so the next deadline counts it.
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "crm.support.cached.mixin"]
