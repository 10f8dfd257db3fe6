# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re
from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestRouting(SupportCase):
    def test_reference_number(self):
        """Every ticket gets a reference SR-YYYY-NNNNNN, increasing."""
        first = self._ticket()
        second = self._ticket()
        year = datetime.now().year
        self.assertRegex(first.name, rf"^SR-{year}-\d{{6}}$")
        self.assertGreater(second.name, first.name)

    def test_reference_from_the_company_sequence(self):
        """A request takes its number from its company's own sequence, whichever company the user works
        in; others keep the shared one."""
        branch = self.env["res.company"].create({"name": "Glass Ireland"})
        self.env["ir.sequence"].create(
            {
                "name": "Requests IE",
                "code": "crm.support.ticket",
                "prefix": "IE-",
                "padding": 4,
                "company_id": branch.id,
            }
        )
        self.env.user.company_ids |= branch
        irish = self._ticket(partner_id=False, company_id=branch.id)
        in_branch = self.env["crm.support.ticket"].with_company(branch)
        second = in_branch.create({"subject": "Chipped glass"})
        self.assertEqual((second.company_id, irish.name, second.name), (branch, "IE-0001", "IE-0002"))
        self.assertRegex(self._ticket().name, r"^SR-\d{4}-\d{6}$")

    def test_area_routes_to_franchise_by_postcode(self):
        """A London postcode goes to London staff, a Zurich range postcode to Zurich, others to triage."""
        london = self._ticket()
        self.assertEqual(london.franchise_id, self.franchise_london)
        self.assertIn(london.user_id, self.alice | self.bob)
        self.assertEqual(london.stage_code, "assigned")
        self.assertEqual(london.routing_rule_id, self.rule_area)
        zurich = self._ticket(zip="8050", country_id=self.ch.id)
        self.assertEqual((zurich.franchise_id, zurich.user_id), (self.franchise_zurich, self.zoe))
        outside = self._ticket(zip="8100", country_id=self.ch.id)
        self.assertFalse(outside.franchise_id)
        self.assertTrue(outside.is_triage)
        self.assertEqual(outside.stage_code, "new")

    def test_no_match_goes_to_triage_and_alerts_team(self):
        """With no matching rule the ticket waits in triage and the triage team is notified."""
        self.rule_area.category_ids = self.cat_window
        ticket = self._ticket()
        self.assertTrue(ticket.is_triage)
        self.assertFalse(ticket.user_id)
        self.assertIn("No routing rule matched", ticket.routing_reason)
        alert = self.env["mail.message"].search(
            [("model", "=", ticket._name), ("res_id", "=", ticket.id), ("partner_ids", "in", self.triage.partner_id.id)]
        )
        self.assertTrue(alert, "the triage team must be alerted")

    def test_skill_match_preferred(self):
        """The person with the category's skill gets the ticket."""
        self.bob.support_skill_ids = self.skill_glass
        ticket = self._ticket()
        self.assertEqual(ticket.user_id, self.bob)
        self.assertIn("skill", ticket.routing_reason)

    def test_previous_servicer_first(self):
        """The customer's previous servicer wins over skill."""
        self.alice.support_skill_ids = self.skill_glass
        old = self._ticket()
        old.user_id = self.bob
        old.action_close("Replaced")
        ticket = self._ticket()
        self.assertEqual(ticket.user_id, self.bob)
        self.assertIn("previous servicer", ticket.routing_reason)

    def test_least_open_then_round_robin(self):
        """Without skill or history the person with fewer open tickets wins; ties go round robin."""
        self._ticket(partner_id=self.other_customer.id).user_id = self.alice
        ticket = self._ticket()
        self.assertEqual(ticket.user_id, self.bob)
        self.rule_area.strategy = "round_robin"
        firsts = [self._ticket(partner_id=False).user_id for __ in range(4)]
        self.assertEqual(len(set(firsts[:2])), 2, "two consecutive tickets go to two people")
        self.assertEqual(firsts[0], firsts[2])

    def test_closed_tickets_do_not_load(self):
        """Only open tickets count: a person whose tickets are all closed is the least loaded, and under capacity."""
        for __ in range(3):
            done = self._ticket(partner_id=False)
            done.user_id = self.alice
            done.action_close("Fitted")
        self._ticket(partner_id=False).user_id = self.bob
        self.alice.support_capacity = 1
        ticket = self._ticket(partner_id=False)
        self.assertEqual(ticket.user_id, self.alice)
        self.assertIn("least open", ticket.routing_reason)

    def test_capacity_respected(self):
        """People at capacity are skipped; when all are full the ticket goes to triage."""
        for __ in range(3):
            self._ticket(partner_id=False).user_id = self.alice
        ticket = self._ticket(partner_id=False)
        self.assertEqual(ticket.user_id, self.bob)
        self.assertIn("at capacity", ticket.routing_candidates)
        self.bob.support_capacity = 1
        full = self._ticket(partner_id=False)
        self.assertTrue(full.is_triage)
        self.assertEqual(full.franchise_id, self.franchise_london)
        self.assertIn("nobody there is available", full.routing_reason)

    def test_leave_skipped(self):
        """A person on leave is not chosen."""
        now = datetime.now()
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "resource_id": self.alice.resource_ids.id,
                "calendar_id": self.calendar_24.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
            }
        )
        tickets = self._ticket(partner_id=False) | self._ticket(partner_id=False)
        self.assertEqual(tickets.user_id, self.bob)
        self.assertIn("Alice London: on leave", tickets[0].routing_candidates)

    def test_support_manager_records_leave_and_hours(self):
        """A support manager (not an administrator) records a technician's leave and working hours as the web
        client and RPC do, under Odoo's access rules; routing then skips the person; other people's
        resources stay out of reach."""
        manager_env = self.env(user=self.support_manager)
        now = datetime.now()
        leave = manager_env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "resource_id": self.alice.resource_ids.id,
                "calendar_id": self.calendar_24.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
            }
        )
        self.assertEqual(leave.read(["name"])[0]["name"], "Holiday")
        leave.write({"name": "Annual leave"})
        office = manager_env["resource.calendar"].create(
            {
                "name": "Alice part time",
                "tz": "Europe/London",
                "attendance_ids": [(0, 0, {"name": "Mon", "dayofweek": "0", "hour_from": 8, "hour_to": 12})],
            }
        )
        manager_env["resource.resource"].browse(self.alice.resource_ids.id).write({"calendar_id": office.id})
        self.assertEqual(self.alice.resource_ids.calendar_id, office)
        manager_env["resource.calendar.attendance"].browse(self.calendar_24.attendance_ids[:1].id).write(
            {"hour_from": 1}
        )
        tickets = self._ticket(partner_id=False) | self._ticket(partner_id=False)
        self.assertEqual(tickets.user_id, self.bob, "the person on leave is skipped")
        manager_env["resource.calendar.leaves"].browse(leave.id).unlink()
        # Someone who is not franchise staff: their resource and leaves stay the administrators'.
        outsider = self.env["resource.resource"].create({"name": "Outsider", "user_id": self.support_user.id})
        with self.assertRaises(AccessError):
            manager_env["resource.calendar.leaves"].create(
                {
                    "name": "Not mine",
                    "resource_id": outsider.id,
                    "date_from": now,
                    "date_to": now + timedelta(hours=2),
                }
            )
        with self.assertRaises(AccessError):
            manager_env["resource.resource"].browse(outsider.id).write({"calendar_id": office.id})

    def _london_office_hours(self):
        """Give the London franchise office hours: Monday to Friday, 8:00 to 18:00 London time."""
        office = self.env["resource.calendar"].create(
            {
                "name": "Office",
                "tz": "Europe/London",
                "attendance_ids": [
                    (0, 0, {"name": f"d{d}", "dayofweek": str(d), "hour_from": 8, "hour_to": 18}) for d in range(5)
                ],
            }
        )
        self.franchise_london.calendar_id = office
        return office

    def test_working_hours(self):
        """Outside the franchise's hours nobody is on duty, unless the rule allows it."""
        self._london_office_hours()
        with freeze_time("2026-11-25 22:00:00"):  # Wednesday night
            night = self._ticket(partner_id=False)
            self.assertTrue(night.is_triage)
            self.rule_area.require_on_duty = False
            night.action_reroute()
            self.assertIn(night.user_id, self.alice | self.bob)
        self.rule_area.require_on_duty = True
        with freeze_time("2026-11-25 10:00:00"):
            day = self._ticket(partner_id=False)
            self.assertIn(day.user_id, self.alice | self.bob)

    def test_changed_working_hours_count_at_once(self):
        """Routing reads working hours from a cache: moving a franchise's opening hours, or its time zone,
        counts from the next request."""
        office = self._london_office_hours()
        with freeze_time("2026-11-25 10:00:00"):  # Wednesday morning
            self.assertIn(self._ticket(partner_id=False).user_id, self.alice | self.bob)
            office.attendance_ids.write({"hour_from": 12})
            self.assertTrue(self._ticket(partner_id=False).is_triage, "the franchise now opens at noon")
            office.attendance_ids.filtered(lambda a: a.dayofweek == "2").hour_from = 9
            self.assertIn(self._ticket(partner_id=False).user_id, self.alice | self.bob)
            office.tz = "Pacific/Auckland"
            self.assertTrue(self._ticket(partner_id=False).is_triage, "10:00 in London is 23:00 in Auckland")

    def test_two_week_calendar(self):
        """A two-week calendar counts only this week's hours: off on Wednesdays of one week, on duty the next."""
        wednesday, next_wednesday = date(2026, 11, 25), date(2026, 12, 2)
        off_week = str(self.env["resource.calendar.attendance"].get_week_type(wednesday))
        office = self.env["resource.calendar"].create({"name": "Fortnight", "tz": "UTC", "attendance_ids": []})
        office.switch_calendar_type()  # two weeks, each Monday to Friday 8-12 and 13-17
        office.attendance_ids.filtered(lambda a: a.week_type == off_week and a.dayofweek == "2").unlink()
        self.franchise_london.calendar_id = office
        with freeze_time(f"{wednesday} 10:00:00"):
            off = self._ticket(partner_id=False)
        self.assertTrue(off.is_triage, "nobody works this Wednesday")
        with freeze_time(f"{next_wednesday} 10:00:00"):
            on = self._ticket(partner_id=False)
        self.assertIn(on.user_id, self.alice | self.bob)

    def test_first_matching_rule_wins(self):
        """Rules are tried in sequence; the first that matches decides, later ones are ignored."""
        Rule = self.env["crm.support.routing.rule"]
        Rule.create(
            {
                "name": "Urgent to Zurich",
                "sequence": 5,
                "min_priority": "3",
                "target": "franchise",
                "franchise_id": self.franchise_zurich.id,
            }
        )
        Rule.create(
            {
                "name": "Windows to Zurich",
                "sequence": 6,
                "category_ids": [(6, 0, self.cat_window.ids)],
                "target": "franchise",
                "franchise_id": self.franchise_zurich.id,
            }
        )
        Rule.create({"name": "API to triage", "sequence": 7, "channel": "api", "target": "triage"})
        self.assertEqual(self._ticket(priority="3").franchise_id, self.franchise_zurich)
        self.assertEqual(self._ticket(category_id=self.cat_window.id).franchise_id, self.franchise_zurich)
        self.assertTrue(self._ticket(channel="api").is_triage)
        normal = self._ticket()
        self.assertEqual(normal.franchise_id, self.franchise_london)
        self.assertIn("Urgent to Zurich' skipped", normal.routing_candidates)

    def test_customer_domain_and_time_of_day(self):
        """A rule can filter on any customer field and on the time of day."""
        Rule = self.env["crm.support.routing.rule"]
        Rule.create(
            {
                "name": "VIP",
                "sequence": 1,
                "partner_domain": "[('name', 'ilike', 'carla')]",
                "target": "franchise",
                "franchise_id": self.franchise_zurich.id,
            }
        )
        Rule.create({"name": "Night", "sequence": 2, "hour_from": 20, "hour_to": 6, "tz": "UTC", "target": "triage"})
        self.assertEqual(self._ticket().franchise_id, self.franchise_zurich)
        with freeze_time("2026-11-25 23:30:00"):
            self.assertTrue(self._ticket(partner_id=self.other_customer.id).is_triage)
        with freeze_time("2026-11-25 12:00:00"):
            self.assertEqual(self._ticket(partner_id=self.other_customer.id).franchise_id, self.franchise_london)

    def test_rule_validation(self):
        """Invalid postcode patterns, domains and missing target franchises are refused."""
        Rule = self.env["crm.support.routing.rule"]
        with self.assertRaises(ValidationError):
            Rule.create({"name": "bad", "zip_patterns": "9000-8000"})
        with self.assertRaises(ValidationError):
            Rule.create({"name": "bad", "partner_domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaises(ValidationError):
            Rule.create({"name": "bad", "target": "franchise"})
        with self.assertRaises(ValidationError):
            self.env["crm.franchise.area"].create({"franchise_id": self.franchise_london.id})

    def test_test_this_rule_preview(self):
        """The preview explains the choice without changing the sample ticket."""
        ticket = self._ticket(partner_id=False)
        user_before = ticket.user_id
        rule = self.env["crm.support.routing.rule"].create(
            {
                "name": "Zurich only",
                "target": "franchise",
                "franchise_id": self.franchise_zurich.id,
                "sample_ticket_id": ticket.id,
            }
        )
        rule.action_test_rule()
        self.assertIn("Klarglas Zurich", rule.test_result)
        self.assertIn("Zoe Zurich", rule.test_result)
        self.assertEqual(ticket.user_id, user_before)
        self.assertEqual(ticket.franchise_id, self.franchise_london)

    def test_reroute_and_decline(self):
        """Declining passes to the next candidate; the last decline sends to triage."""
        ticket = self._ticket(partner_id=False)
        first = ticket.user_id
        second = (self.alice | self.bob) - first
        ticket.with_user(first).action_decline("Van broken down")
        self.assertEqual(ticket.user_id, second)
        with self.assertRaises(AccessError):
            ticket.with_user(first).action_decline()
        ticket.with_user(second).action_decline()
        self.assertTrue(ticket.is_triage)
        self.assertFalse(ticket.user_id)
        ticket.with_user(self.support_user).action_reroute()
        self.assertIn(ticket.user_id, self.alice | self.bob)

    def test_acceptance_timeout(self):
        """Not accepted in time: the next candidate gets it and the franchise manager is alerted."""
        self.rule_area.accept_minutes = 10
        with freeze_time("2026-11-25 10:00:00"):
            ticket = self._ticket(partner_id=False)
            first = ticket.user_id
        with freeze_time("2026-11-25 10:05:00"):
            self.env["crm.support.ticket"]._cron_acceptance_timeout()
            self.assertEqual(ticket.user_id, first, "still within the acceptance time")
        with freeze_time("2026-11-25 10:11:00"):
            self.env["crm.support.ticket"]._cron_acceptance_timeout()
        self.assertNotEqual(ticket.user_id, first)
        alert = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("partner_ids", "in", self.london_mgr.partner_id.id),
            ]
        )
        self.assertTrue(alert)
        self.assertIn("not accepted in time", alert[0].subject)

    def test_accept_update_close(self):
        """The assignee accepts, waits on the customer, closes with a resolution."""
        ticket = self._ticket(partner_id=False)
        user = ticket.user_id
        ticket.with_user(user).action_accept()
        self.assertEqual(ticket.stage_code, "in_progress")
        self.assertTrue(ticket.first_response_at)
        ticket.with_user(user).action_set_stage("waiting")
        self.assertEqual(ticket.stage_code, "waiting")
        with self.assertRaises(UserError):
            ticket.with_user(user).action_close("  ")
        ticket.with_user(user).action_close("Windscreen replaced")
        self.assertEqual(ticket.stage_code, "done")
        self.assertTrue(ticket.closed_at)
        with self.assertRaises(UserError):
            ticket.with_user(user).action_set_stage("in_progress")

    def test_franchise_isolation(self):
        """Staff of one franchise can neither read nor act on another franchise's tickets."""
        zurich = self._ticket(zip="8050", country_id=self.ch.id, partner_id=False)
        london = self._ticket(partner_id=False)
        Ticket = self.env["crm.support.ticket"]
        self.assertFalse(Ticket.with_user(self.alice).search([("id", "=", zurich.id)]))
        self.assertFalse(Ticket.with_user(self.london_mgr).search([("id", "=", zurich.id)]))
        self.assertEqual(Ticket.with_user(self.london_mgr).search([("id", "=", london.id)]), london)
        with self.assertRaises(AccessError):
            zurich.with_user(self.alice).read(["subject"])
        with self.assertRaises(AccessError):
            zurich.with_user(self.london_mgr).action_accept()
        with self.assertRaises(AccessError):
            zurich.with_user(self.alice).write({"subject": "hacked"})
        # The London manager may act for his staff.
        london.with_user(self.london_mgr).action_accept()
        self.assertEqual(london.stage_code, "in_progress")


@tagged("post_install", "-at_install")
class TestServiceAreas(SupportCase):
    def test_patterns(self):
        """Prefixes, ranges and exact postcodes are matched after normalisation."""
        find = self.env["crm.franchise"]._find_for_location
        self.assertEqual(find(self.uk, None, "sw1a 1aa"), self.franchise_london)
        self.assertEqual(find(self.uk, None, "EC1A1BB"), self.franchise_london)
        self.assertFalse(find(self.uk, None, "EC1A 1BC"))
        self.assertFalse(find(self.uk, None, "N1 9GU"))
        self.assertEqual(find(self.ch, None, "8001"), self.franchise_zurich)
        self.assertEqual(find(self.ch, None, "8099"), self.franchise_zurich)
        self.assertFalse(find(self.ch, None, "8000"))
        self.assertFalse(find(self.ch, None, "80500"))
        # The same postcode in another country is not covered.
        self.assertFalse(find(self.env.ref("base.de"), None, "8050"))

    def test_category_served(self):
        """A franchise that lists its categories is not chosen for others."""
        self.franchise_london.category_ids = self.cat_window
        find = self.env["crm.franchise"]._find_for_location
        self.assertFalse(find(self.uk, None, "SW1A 1AA", self.cat_windscreen))
        self.assertEqual(find(self.uk, None, "SW1A 1AA", self.cat_window), self.franchise_london)
        self.assertTrue(re.match(r"^Clearview", self.franchise_london.name))
