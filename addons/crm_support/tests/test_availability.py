# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.crm_vrm.tests.ui_case import form_token

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestAvailability(SupportCase):
    """A technician sets herself away or available; routing skips the away like people on leave."""

    def test_away_skipped_like_leave(self):
        """Alice (franchise staff, a portal-type user) goes away: requests go to Bob, with the reason in
        the routing log; back available, she is a candidate again."""
        self.rule_area.strategy = "least_open"
        self.alice.with_user(self.alice)._support_set_away(True)
        self.assertTrue(self.alice.support_away)
        for __ in range(2):
            ticket = self._ticket()
            self.assertEqual(ticket.user_id, self.bob)
            self.assertIn("Alice London: away", ticket.routing_candidates)
        self.alice.with_user(self.alice)._support_set_away(False)
        self.assertEqual(self._ticket().user_id, self.alice, "Bob holds two, Alice none: least open")

    def test_only_oneself(self):
        """Nobody sets another person away, not even the franchise manager; a user without a franchise
        has no availability to set."""
        with self.assertRaises(AccessError):
            self.bob.with_user(self.alice)._support_set_away(True)
        with self.assertRaises(AccessError):
            self.alice.with_user(self.london_mgr)._support_set_away(True)
        with self.assertRaises(AccessError):
            self.support_user.with_user(self.support_user)._support_set_away(True)
        self.assertFalse(self.alice.support_away or self.bob.support_away)


@tagged("post_install", "-at_install")
class TestAvailabilityPage(HttpCase, SupportCase):
    def test_technician_sets_away_from_the_queue_page(self):
        """On her phone's queue page Alice taps Set me away, then I am available."""
        self.authenticate("alice_ldn", "alice_ldn")
        page = self.url_open("/my/franchise/queue")
        self.assertIn("Set me away", page.text)
        response = self.url_open("/my/franchise/availability", data={"csrf_token": form_token(page.text), "away": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("I am available", response.text)
        self.assertTrue(self.alice.support_away)
        self.url_open("/my/franchise/availability", data={"csrf_token": form_token(response.text), "away": "0"})
        self.alice.invalidate_recordset(["support_away"])
        self.assertFalse(self.alice.support_away)
