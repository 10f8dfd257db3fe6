# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_anonymous_callers
from . import test_auth
from . import test_erasure
from . import test_framework
from . import test_loyalty
from . import test_routing_version
from . import test_schemathesis
from . import test_support
from . import test_vrm
from . import test_webhooks
from . import test_menus
