# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestReport(SupportCase):
    def test_measures_per_franchise_and_employee(self):
        """The SQL view gives volume, working-hour times, SLA %, rating per franchise and per person."""
        policy = self.env["crm.support.sla.policy"].create(
            {"name": "Report policy", "response_hours": 1, "resolution_hours": 4}
        )
        with freeze_time("2026-11-25 09:00:00"):
            fast = self._ticket(partner_id=False)
            slow = self._ticket(partner_id=False)
        self.assertEqual(fast.sla_policy_id, policy)
        with freeze_time("2026-11-25 09:30:00"):
            fast.with_user(fast.user_id).action_close("Done in half an hour")
        with freeze_time("2026-11-25 20:00:00"):
            slow.with_user(slow.user_id).action_close("Done late")
        fast._rate(4, "Good")
        self.assertAlmostEqual(fast.response_work_hours, 0.5, places=2)
        self.assertAlmostEqual(slow.resolution_work_hours, 11.0, places=2)
        self.env.flush_all()
        Report = self.env["crm.support.report"]
        rows = Report._read_group(
            [("franchise_id", "=", self.franchise_london.id), ("ticket_id", "in", (fast | slow).ids)],
            ["franchise_id"],
            ["volume:sum", "sla_met:sum", "sla_measured:sum", "sla_compliance:avg", "rating:avg"],
        )
        self.assertEqual(rows, [(self.franchise_london, 2, 1, 2, 50.0, 4.0)])
        per_user = dict(Report._read_group([("ticket_id", "in", (fast | slow).ids)], ["user_id"], ["volume:sum"]))
        self.assertEqual(sum(per_user.values()), 2)
        card = self.franchise_london._scorecard()
        self.assertEqual(card["sla_compliance_pct"], 50.0)
        self.assertEqual(card["avg_rating"], 4.0)
        # The manager's scorecard tells the same story as the report: times in working hours.
        self.assertEqual((card["volume"], card["open"], card["done"]), (2, 0, 2))
        self.assertEqual(
            card["avg_resolution_hours"], round((fast.resolution_work_hours + slow.resolution_work_hours) / 2, 2)
        )

    def test_rating_rules(self):
        """Only a done ticket can be rated, 1 to 5."""
        ticket = self._ticket(partner_id=False)
        with self.assertRaises(UserError):
            ticket._rate(5)
        ticket.with_user(ticket.user_id).action_close("Fixed")
        with self.assertRaises(UserError):
            ticket._rate(9)
        ticket._rate("3", "ok")
        self.assertEqual(ticket.rating_value, 3)

    def test_staff_note_and_photo(self):
        """The assignee adds an internal note and a photo; a colleague of another franchise cannot."""
        ticket = self._ticket(partner_id=False)
        user = ticket.user_id
        ticket.with_user(user).action_accept()
        note = ticket.with_user(user)._post_internal_note("Glass ordered")
        self.assertTrue(note.subtype_id.internal)
        photos = ticket.with_user(user)._add_photos([("site.jpg", b"\xff\xd8\xff\xe00000", "image/jpeg")])
        self.assertEqual(photos.res_id, ticket.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.zoe)._post_internal_note("not mine")
        with self.assertRaises(AccessError):
            ticket.with_user(self.zoe)._add_photos([("x.jpg", b"0", "image/jpeg")])
