# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registry cache: what a portal signup costs the other workers (issue 25, point 1).

Each Odoo worker holds its own ormcache; a transaction that clears the default cache bumps the
database sequence base_cache_signaling_default, and every other worker empties its cache at its next
request. The rows count the clears our addons make over portal signups, that sequence, and time a
franchise-roster look-up on a second registry (another worker's caches) after them. Odoo 18 itself
still clears on every new user (mail sets its notification type, which writes the user's groups, and
base clears on a groups change): the sequence still moves once per signup, whatever our addons do.
"""

import contextlib
import sys
import time
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

SIGNUPS = 20


@contextlib.contextmanager
def _current(registry):
    """Make registry the one Environment picks for its database (as in another worker)."""
    registries = Registry.registries
    previous = registries[registry.db_name]
    registries[registry.db_name] = registry
    try:
        yield
    finally:
        registries[registry.db_name] = previous


def _roster_seconds(registry):
    """(seconds of one franchise-roster look-up on registry, right after its start-of-request check)."""
    with _current(registry), registry.cursor() as cr:
        registry.check_signaling(cr)
        env = api.Environment(cr, SUPERUSER_ID, {})
        t0 = time.perf_counter()
        env["crm.franchise"]._staff_rosters()
        return time.perf_counter() - t0


def run(env, ctx):
    """Default-cache signals per portal signup and a second worker's roster look-up after them."""
    registry = ctx.registry
    env.cr.commit()
    registry.signal_changes()
    # the second worker: a registry of its own on the same database
    with _current(registry):
        second = Registry.new(registry.db_name)
    Registry.registries[registry.db_name] = registry
    _roster_seconds(second)  # warm
    warm = min(_roster_seconds(second) for __ in range(5))
    before = registry.get_sequences(env.cr)[1]["default"]
    Users = env["res.users"].sudo()
    ours = []
    clear_cache = Registry.clear_cache

    def counting(reg, *cache_names):
        caller = sys._getframe(1).f_code.co_filename
        if (not cache_names or "default" in cache_names) and "/addons/crm_" in caller:
            ours.append(caller)
        return clear_cache(reg, *cache_names)

    with patch.object(Registry, "clear_cache", counting):
        for __ in range(SIGNUPS):
            tag = uuid.uuid4().hex[:10]
            Users._create_user_from_template(
                {"login": f"{tag}@example.com", "name": f"Signup {tag}", "password": tag * 2}
            )
            env.cr.commit()
            registry.signal_changes()
    after = registry.get_sequences(env.cr)[1]["default"]
    after_signups = _roster_seconds(second)
    with _current(second):
        second.clear_cache()  # what a signalled clear does to the second worker
    cold = _roster_seconds(second)
    Registry.registries[registry.db_name] = registry
    signals = after - before
    return [
        {
            "name": "default-cache clears by our addons per portal signup",
            "value": round(len(ours) / SIGNUPS, 2),
            "unit": "",
            "goal": "0",
            "met": not ours,
            "note": f"{SIGNUPS} signups; before issue 25 crm_vrm cleared on every user creation",
        },
        {
            "name": "default-cache clears signalled per portal signup (Odoo's own included)",
            "value": round(signals / SIGNUPS, 2),
            "unit": "",
            "goal": "",
            "met": None,
            "note": f"Odoo's mail/base clear on each new user's groups; {SIGNUPS} signups "
            "(res.users._create_user_from_template, each committed): "
            f"base_cache_signaling_default went {before} -> {after}",
        },
        {
            "name": "franchise roster look-up on another worker after the signups",
            "value": round(after_signups * 1000, 3),
            "unit": "ms",
            "goal": "",
            "met": None,
            "note": f"cached {warm * 1000:.3f} ms, after a clear {cold * 1000:.3f} ms (a second registry on the "
            "same database, its check_signaling() run first as at each request)",
        },
    ]
