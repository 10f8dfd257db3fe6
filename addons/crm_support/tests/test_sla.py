# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import SupportCase

FRIDAY_3PM = "2026-11-27 15:00:00"

# The customer answers the franchise's question from their mailbox (a reply to its e-mail).
REPLY = """Return-Path: <%(email)s>
To: service@example.com
From: Carla Customer <%(email)s>
Subject: Re: Which side?
Message-ID: <carla-reply-1@example.com>
In-Reply-To: %(parent)s
Date: Mon, 30 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Driver's side, low down.
"""


@tagged("post_install", "-at_install")
class TestSla(SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.env["resource.calendar"].create(
            {
                "name": "Office 9-17",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"d{d}", "dayofweek": str(d), "hour_from": 9, "hour_to": 17}) for d in range(5)
                ],
            }
        )
        # Demo tickets stay out of these sweeps.
        cls.env["crm.support.ticket"].search([]).with_context(crm_support_sla_write=True).write(
            {"next_escalation_at": False}
        )
        cls.franchise_london.calendar_id = cls.office
        cls.alice.partner_id.mobile = "+44 7911 000001"
        cls.bob.partner_id.mobile = "+44 7911 000002"
        cls.london_mgr.partner_id.mobile = "+44 7911 000009"
        cls.triage.partner_id.mobile = "+44 7911 000099"
        cls.policy = cls.env["crm.support.sla.policy"].create(
            {
                "name": "Glass standard",
                "response_hours": 2,
                "resolution_hours": 8,
                "at_risk_minutes": 30,
                "level_ids": [
                    (0, 0, {"name": "Reminder", "offset_minutes": -30, "notify": "assignee", "by_email": False}),
                    (0, 0, {"name": "Breach", "offset_minutes": 0, "notify": "manager"}),
                    (0, 0, {"name": "Head office", "offset_minutes": 60, "notify": "head_office"}),
                ],
            }
        )

    def _sms_to(self, number):
        return self.env["sms.sms"].search([("number", "=", number), ("body", "ilike", "Escalation")])

    def test_deadlines_follow_working_hours_and_holidays(self):
        """Targets count only the franchise's working hours; a bank holiday moves the deadline."""
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
        self.assertEqual(ticket.sla_policy_id, self.policy)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 11, 27, 17, 0))
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 30, 15, 0))
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Bank holiday",
                "calendar_id": self.office.id,
                "date_from": datetime(2026, 11, 30, 0, 0),
                "date_to": datetime(2026, 11, 30, 23, 59),
            }
        )
        with freeze_time(FRIDAY_3PM):
            later = self._ticket(partner_id=False)
        self.assertEqual(later.sla_resolution_deadline, datetime(2026, 12, 1, 15, 0))

    def test_support_manager_keeps_franchise_hours(self):
        """Support managers set a franchise's working hours and holidays; support users only read them."""
        Calendar = self.env["resource.calendar"].with_user(self.support_manager)
        hours = Calendar.create(
            {
                "name": "Zurich opening hours",
                "tz": "Europe/Zurich",
                "attendance_ids": [
                    (0, 0, {"name": f"day {d}", "dayofweek": str(d), "hour_from": 8, "hour_to": 17}) for d in range(5)
                ],
            }
        )
        self.franchise_zurich.with_user(self.support_manager).calendar_id = hours
        hours.attendance_ids[0].hour_to = 12
        self.env["resource.calendar.leaves"].with_user(self.support_manager).create(
            {
                "name": "Christmas",
                "calendar_id": hours.id,
                "date_from": datetime(2026, 12, 25, 0, 0),
                "date_to": datetime(2026, 12, 25, 23, 59),
            }
        )
        self.assertEqual(
            self.franchise_zurich.calendar_id.attendance_ids.mapped("hour_to"), [12.0, 17.0, 17.0, 17.0, 17.0]
        )
        self.assertEqual(hours.leave_ids.name, "Christmas")
        with self.assertRaises(AccessError):
            hours.attendance_ids[1].with_user(self.support_user).hour_to = 18

    def test_deadlines_match_odoo_plan_hours_across_fortnights(self):
        """Deadlines from the cached working intervals are Odoo's plan_hours ones: a London calendar over
        the clock change, a holiday, targets far beyond the first cached fortnight; a change of the
        calendar's time zone or hours counts for the next ticket at once."""
        Ticket = self.env["crm.support.ticket"]
        london = self.env["resource.calendar"].create(
            {
                "name": "London 8:30-17:30",
                "tz": "Europe/London",
                "attendance_ids": [
                    (0, 0, {"name": f"d{d}", "dayofweek": str(d), "hour_from": 8.5, "hour_to": 17.5}) for d in range(5)
                ],
            }
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Easter Monday",
                "calendar_id": london.id,
                "date_from": datetime(2027, 3, 29, 0, 0),
                "date_to": datetime(2027, 3, 29, 23, 0),
            }
        )
        # Thursday 25 March 2027, 16:47 UTC; the clocks go forward on Sunday 28 March.
        start = datetime(2027, 3, 25, 16, 47)
        hours = [0.5, 1, 9, 30.25, 120, 400]
        expected = [london.plan_hours(h, start, compute_leaves=True) for h in hours]
        self.assertEqual(Ticket._sla_plan_hours(london, start, hours), expected)
        # 43 minutes on Thursday, the rest on Friday, still GMT
        self.assertEqual(expected[2], datetime(2027, 3, 26, 16, 47))
        # Easter Monday skipped; 11:02 in BST from Sunday
        self.assertEqual(expected[3], datetime(2027, 4, 1, 10, 2))

        london.tz = "Europe/Paris"
        self.assertEqual(
            Ticket._sla_plan_hours(london, start, [9])[0], datetime(2027, 3, 26, 16, 30), "Thursday over in Paris"
        )
        london.attendance_ids.filtered(lambda a: a.dayofweek == "4").hour_to = 12
        self.assertEqual(Ticket._sla_plan_hours(london, start, [9]), [london.plan_hours(9, start, compute_leaves=True)])

    def test_public_request_deadlines_set_in_the_request(self):
        """A public request gets its deadlines and first escalation time with its routing, in working hours."""
        values = {
            "subject": "Shattered side window",
            "email": "walkin@example.com",
            "phone": "07911 123459",
            "zip": "SW1A 1AA",
            "country_id": self.uk.id,
            "category_id": self.cat_windscreen.id,
        }
        with freeze_time(FRIDAY_3PM):
            ticket = self.env["crm.support.ticket"]._intake(values, "public")
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        self.assertEqual(ticket.sla_policy_id, self.policy)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 11, 27, 17, 0))
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 30, 15, 0))
        self.assertEqual(ticket.next_escalation_at, datetime(2026, 11, 30, 14, 30), "the reminder, 30 min before")
        self.assertEqual(ticket.stage_code, "assigned")
        self.assertFalse(ticket.is_closed)

    def test_policy_by_priority_and_category(self):
        """The first matching policy applies; changing the priority re-computes the deadlines."""
        urgent = self.env["crm.support.sla.policy"].create(
            {"name": "Urgent", "sequence": 1, "priority": "3", "response_hours": 1, "resolution_hours": 2}
        )
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
            self.assertEqual(ticket.sla_policy_id, self.policy)
            ticket.priority = "3"
        self.assertEqual(ticket.sla_policy_id, urgent)
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 27, 17, 0))

    def test_waiting_customer_pauses_clock(self):
        """Time in Waiting customer does not count: deadlines move by the working time paused."""
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
            ticket.with_user(ticket.user_id).action_accept()
        with freeze_time("2026-11-27 16:00:00"):
            ticket.with_user(ticket.user_id).action_set_stage("waiting")
            self.assertEqual(ticket.sla_status, "paused")
            self.assertFalse(ticket.next_escalation_at, "no escalation while paused")
        with freeze_time("2026-11-30 10:00:00"):
            ticket.with_user(ticket.user_id).action_set_stage("in_progress")
        # Paused Fri 16-17 and Mon 9-10: two working hours.
        self.assertAlmostEqual(ticket.sla_paused_hours, 2.0, places=2)
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 30, 17, 0))

    def test_customer_answer_resumes_clock(self):
        """A request waiting on the customer goes back in progress when they answer by e-mail, and the clock
        runs again from then; the franchise's own question to them keeps it waiting."""
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket()
            ticket.with_user(ticket.user_id).action_accept()
        with freeze_time("2026-11-27 16:00:00"):
            ticket.with_user(ticket.user_id).action_set_stage("waiting")
            question = ticket.with_user(ticket.user_id)._post_customer_message("Which side is the crack on?")
            self.assertEqual(ticket.stage_code, "waiting")
        with freeze_time("2026-11-30 10:00:00"):
            reply = REPLY % {"email": self.customer.email, "parent": question.message_id}
            self.env["mail.thread"].message_process("crm.support.ticket", reply)
        self.assertIn("Driver's side", ticket.message_ids[:1].body)
        self.assertEqual(ticket.stage_code, "in_progress")
        # Paused Fri 16-17 and Mon 9-10, as when the franchise moves it back itself.
        self.assertAlmostEqual(ticket.sla_paused_hours, 2.0, places=2)
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 11, 30, 17, 0))

    def test_answer_from_the_request_address_resumes(self):
        """A request filed without a customer record goes back in progress when its e-mail address answers,
        however the address is written and though a contact has it; a stranger's answer leaves it waiting."""
        ticket = self._ticket(partner_id=False, email="walk.in@example.com")
        # the address became a contact since: the reply then comes with that contact as its author
        self.env["res.partner"].create({"name": "Walk In", "email": "walk.in@example.com"})
        ticket.with_user(ticket.user_id).action_set_stage("waiting")
        question = ticket.with_user(ticket.user_id)._post_customer_message("Which side is the crack on?")
        stranger = REPLY % {"email": "someone.else@example.com", "parent": question.message_id}
        self.env["mail.thread"].message_process("crm.support.ticket", stranger)
        self.assertEqual(ticket.stage_code, "waiting")
        reply = REPLY % {"email": "Walk.In@Example.com", "parent": question.message_id}
        self.env["mail.thread"].message_process("crm.support.ticket", reply.replace("carla-reply-1", "walk-in-1"))
        self.assertEqual(ticket.stage_code, "in_progress")

    def test_status_on_track_at_risk_breached(self):
        """The status follows the clock: on track, at risk 30 minutes before, breached after, met when done."""
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
            ticket.with_user(ticket.user_id).action_accept()
        with freeze_time("2026-11-30 12:00:00"):
            ticket.invalidate_recordset(["sla_status"])
            self.assertEqual(ticket.sla_status, "on_track")
        with freeze_time("2026-11-30 14:40:00"):
            ticket.invalidate_recordset(["sla_status"])
            self.assertEqual(ticket.sla_status, "at_risk")
        with freeze_time("2026-11-30 15:01:00"):
            ticket.invalidate_recordset(["sla_status"])
            self.assertEqual(ticket.sla_status, "breached")
        other = self._ticket(partner_id=False)
        other.with_user(other.user_id).action_close("Fixed at once")
        self.assertEqual(other.sla_status, "met")

    def test_escalation_ladder_each_level_once(self):
        """30 min before: assignee by SMS; at breach: manager by SMS and e-mail; +60: head office. Once each."""
        Ticket = self.env["crm.support.ticket"]
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
        assignee_number = "+447911000001" if ticket.user_id == self.alice else "+447911000002"
        self.assertEqual(ticket.next_escalation_at, datetime(2026, 11, 30, 14, 30))
        with freeze_time("2026-11-30 14:00:00"):
            self.assertEqual(Ticket._cron_escalate(), 0)
        with freeze_time("2026-11-30 14:31:00"):
            self.assertEqual(Ticket._cron_escalate(), 1)
            self.assertEqual(Ticket._cron_escalate(), 0, "a second run fires nothing again")
        self.assertEqual(len(self._sms_to(assignee_number)), 1)
        self.assertFalse(self._sms_to("+447911000009"))
        self.assertEqual(ticket.next_escalation_at, datetime(2026, 11, 30, 15, 0))
        with freeze_time("2026-11-30 16:30:00"):
            # Late cron: both remaining levels fire in one run, each once.
            self.assertEqual(Ticket._cron_escalate(), 2)
            self.assertEqual(Ticket._cron_escalate(), 0)
        self.assertEqual(len(self._sms_to("+447911000009")), 1)
        self.assertEqual(len(self._sms_to("+447911000099")), 1)
        self.assertEqual(len(self._sms_to(assignee_number)), 1)
        self.assertEqual(ticket.escalation_log_ids.level_id, self.policy.level_ids)
        self.assertFalse(ticket.next_escalation_at)
        notes = ticket.message_ids.filtered(lambda m: m.message_type != "sms" and "Escalation" in (m.body or ""))
        self.assertEqual(len(notes), 3)
        mail = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("partner_ids", "in", self.london_mgr.partner_id.id),
                ("subject", "ilike", "Breach"),
            ]
        )
        self.assertEqual(len(mail), 1, "the manager is also told by e-mail")

    def test_level_claimed_by_other_server_not_repeated(self):
        """When another server already logged a level, this run does not alert again."""
        Ticket = self.env["crm.support.ticket"]
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
        reminder = self.policy.level_ids.filtered(lambda lvl: lvl.offset_minutes == -30)
        # The other server's committed row, as it would be seen after its commit.
        self.env.cr.execute(
            "INSERT INTO crm_support_escalation_log (ticket_id, level_id, date) VALUES (%s, %s, now())",
            (ticket.id, reminder.id),
        )
        with freeze_time("2026-11-30 14:31:00"):
            self.assertEqual(Ticket._cron_escalate(), 0)
        self.assertFalse(self.env["sms.sms"].search([("body", "ilike", "Escalation")]))
        self.assertEqual(ticket.next_escalation_at, datetime(2026, 11, 30, 15, 0))

    def test_closed_ticket_not_escalated(self):
        """A closed ticket leaves the sweep."""
        with freeze_time(FRIDAY_3PM):
            ticket = self._ticket(partner_id=False)
            ticket.with_user(ticket.user_id).action_close("Done")
        self.assertFalse(ticket.next_escalation_at)
        with freeze_time("2026-12-10 12:00:00"):
            self.assertEqual(self.env["crm.support.ticket"]._cron_escalate(), 0)

    def test_first_response_escalation(self):
        """A support manager adds a first-response level: a request nobody answered by its first-response
        target (Friday 17:00) alerts the franchise manager 30 minutes later, once; an accepted one does not."""
        self.policy.with_user(self.support_manager).write(
            {
                "level_ids": [
                    (
                        0,
                        0,
                        {"name": "No answer", "trigger": "response", "offset_minutes": 30, "notify": "manager"},
                    )
                ]
            }
        )
        Ticket = self.env["crm.support.ticket"]
        with freeze_time(FRIDAY_3PM):
            silent = self._ticket(partner_id=False, subject="Nobody answered")
            answered = self._ticket(partner_id=False, subject="Answered")
            answered.with_user(answered.user_id).action_accept()
        self.assertEqual(silent.sla_response_deadline, datetime(2026, 11, 27, 17, 0))
        self.assertEqual(silent.next_escalation_at, datetime(2026, 11, 27, 17, 30))
        with freeze_time("2026-11-27 17:20:00"):
            self.assertEqual(Ticket._cron_escalate(), 0)
        with freeze_time("2026-11-27 17:31:00"):
            self.assertEqual(Ticket._cron_escalate(), 1)
            self.assertEqual(Ticket._cron_escalate(), 0, "once")
        sms = self._sms_to("+447911000009")
        self.assertEqual(len(sms), 1)
        self.assertIn(silent.name, sms.body)
        self.assertIn("first response", sms.body)
        self.assertEqual(silent.escalation_log_ids.level_id.name, "No answer")
        self.assertFalse(answered.escalation_log_ids)
        # the resolution ladder goes on as before
        self.assertEqual(silent.next_escalation_at, datetime(2026, 11, 30, 14, 30))
