# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import controllers
from . import models
from . import wizards


def uninstall_hook(env):
    """Remove the tier points counter and its triggers: loyalty_history outlives this module."""
    env.cr.execute(models.loyalty_history.PERIOD_POINTS_DROP_SQL)
    env.cr.execute("ALTER TABLE loyalty_card RESET (fillfactor)")
