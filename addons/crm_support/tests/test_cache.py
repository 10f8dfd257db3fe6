# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import sys
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.modules.registry import Registry
from odoo.tests import new_test_user

from .common import SupportCase


class TestCacheInvalidation(SupportCase):
    """The registry's default cache (every worker's) is cleared only when a value it holds changes."""

    @contextmanager
    def assertClears(self, expected):
        """Count the default-cache clears our addons make in the block; expected: whether there must be one.
        (Odoo's own clears are not counted: mail's notification type, set on every new user, writes its
        groups, and base clears on a change of a user's groups.)"""
        calls = []
        clear_cache = Registry.clear_cache

        def counting(registry, *cache_names):
            caller = sys._getframe(1).f_code.co_filename
            if (not cache_names or "default" in cache_names) and "/addons/crm_" in caller:
                calls.append(caller)
            return clear_cache(registry, *cache_names)

        with patch.object(Registry, "clear_cache", counting):
            yield
        if expected:
            self.assertTrue(calls, "the default cache should have been cleared")
        else:
            self.assertFalse(calls, "the default cache was cleared")

    def _leave(self, resource=None, calendar=None, **vals):
        now = datetime.now()
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "resource_id": resource and resource.id,
                "calendar_id": calendar and calendar.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
                **vals,
            }
        )

    def test_portal_signup_keeps_the_cache(self):
        """A customer signing up in the portal, and her account's later changes, clear nothing."""
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        self.env["crm.franchise"]._staff_rosters()
        with self.assertClears(False):
            self.env["res.users"].sudo().signup(
                {"login": "dora@example.com", "name": "Dora Signup", "password": "dora-Secret-42"}
            )
            dora = self.env["res.users"].search([("login", "=", "dora@example.com")])
            self.assertTrue(dora.share)
            # (Odoo itself clears on a change of a user's groups, activity, language or password)
            dora.write({"name": "Dora Signed", "signature": "<p>Dora</p>"})
            dora.partner_id.name = "Dora S."
        with self.assertClears(True):
            new_test_user(self.env, "ivan_ho", groups="base.group_user", name="Ivan Internal")

    def test_personal_leave_keeps_the_cache_and_routing_sees_it(self):
        """A person's time-off clears nothing (routing reads leaves at each decision) and counts at once."""
        other = self.env["resource.resource"].create({"name": "Not franchise staff", "calendar_id": False})
        self._ticket(partner_id=False)  # rosters, schedules and working intervals cached
        with self.assertClears(False):
            self._leave(other).write({"name": "Sick"})
            leave = self._leave(self.alice.resource_ids, self.calendar_24)
            tickets = self._ticket(partner_id=False) | self._ticket(partner_id=False)
        self.assertEqual(tickets.user_id, self.bob, "the person on leave is skipped")
        with self.assertClears(False):
            leave.unlink()
        self.assertIn(self._ticket(partner_id=False).user_id, self.alice | self.bob)

    def test_franchise_calendar_changes_clear_and_count(self):
        """A public holiday and changed hours of a franchise's calendar clear the cache; routing sees them."""
        with self.assertClears(True):
            holiday = self._leave(calendar=self.calendar_24)
        ticket = self._ticket(partner_id=False)
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        with self.assertClears(True):
            holiday.unlink()
        with self.assertClears(True):
            self.calendar_24.attendance_ids.write({"hour_to": 23})
        with self.assertClears(False):
            self.calendar_24.name = "Always open, or nearly"

    def test_franchise_staff_changes_clear_and_routing_sees_them(self):
        """A franchise person's roster fields clear the rosters; routing follows at once."""
        self._ticket(partner_id=False)
        with self.assertClears(False):
            self.alice.signature = "<p>Alice</p>"
        with self.assertClears(True):
            self.alice.support_takes_tickets = False
        tickets = self._ticket(partner_id=False) | self._ticket(partner_id=False)
        self.assertEqual(tickets.user_id, self.bob, "Alice no longer takes tickets")
        with self.assertClears(True):
            self.bob.partner_id.name = "Robert London"
        self.assertIn("Robert London", self._ticket(partner_id=False).routing_candidates)
        with self.assertClears(True):
            self.zoe.franchise_id = False
        self.assertFalse(self.franchise_zurich._staff_rows(self._ticket(partner_id=False), None, datetime.now()))
