# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_concurrency
from . import test_expiry
from . import test_install
from . import test_messages
from . import test_period_points
from . import test_portal
from . import test_posting
from . import test_posting_guards
from . import test_privacy
from . import test_tiers
from . import test_tour
from . import test_menus
from . import test_demo_walk
