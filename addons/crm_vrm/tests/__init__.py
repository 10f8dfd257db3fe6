# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_install
from . import test_preferences
from . import test_consent_events
from . import test_receipts
from . import test_tour
from . import test_portal
from . import test_enforcement
from . import test_enforcement_paths
from . import test_rights
from . import test_myterms
from . import test_reports
from . import test_marketing
from . import test_menus
from . import test_demo_walk
