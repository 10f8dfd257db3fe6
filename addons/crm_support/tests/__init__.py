# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_access
from . import test_cache
from . import test_escalation_concurrency
from . import test_install
from . import test_intake
from . import test_portal
from . import test_privacy
from . import test_report
from . import test_routing
from . import test_sla
from . import test_sms_gateway
from . import test_tour
from . import test_menus
from . import test_demo_walk
from . import test_area_overlap
from . import test_availability
