# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import common
from . import loyalty
from . import meta
from . import support
from . import vrm
from . import webhooks
