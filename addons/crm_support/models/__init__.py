# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import crm_support_cached_mixin
from . import crm_support_skill
from . import crm_support_category
from . import crm_support_stage
from . import crm_franchise
from . import crm_franchise_area
from . import res_users
from . import res_users_availability
from . import crm_support_routing_rule
from . import crm_support_sla_policy
from . import crm_support_escalation
from . import crm_support_ticket
from . import crm_support_ticket_access
from . import crm_support_ticket_templates
from . import res_country
from . import resource_calendar
from . import resource_calendar_attendance
from . import resource_calendar_leaves
from . import res_partner
from . import sms_sms
from . import crm_support_report
from . import ir_cron
from . import ir_default
from . import ir_http
