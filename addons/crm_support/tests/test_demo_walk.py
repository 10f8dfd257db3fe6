# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo.tests import freeze_time, tagged

from odoo.addons.crm_vrm.tests.ui_case import PortalWalkCase, form_token


@tagged("post_install", "-at_install")
class TestDemoWalk(PortalWalkCase):
    def test_franchise_people_walk_their_pages(self):
        """On the demo data, every page of the London franchise manager and technician opens: queue,
        scorecard, tickets."""
        for login, password in (
            ("priya@london.glassco.example.com", "priya"),
            ("tom@london.glassco.example.com", "tom"),
        ):
            seen = self.assert_portal_pages_open(
                login, password, ("/my/franchise", "/my/support"), start="/my/franchise/queue"
            )
            self.assertTrue(any(path.startswith("/my/franchise/tickets/") for path in seen), sorted(seen))

    def test_customer_walks_her_requests_and_rates_the_closed_one(self):
        """On the demo data, Rachel opens every page of her service requests and sees her conversation
        with the London manager; the closed one she has not rated asks for a rating, and hers is kept."""
        seen = self.assert_portal_pages_open(
            "rachel.jones@example.com", "rachel", ("/my/support",), start="/my/support/tickets"
        )
        rachel = self.env.ref("crm_support.demo_customer_jones")
        tickets = self.env["crm.support.ticket"].search([("partner_id", "=", rachel.id)])
        self.assertEqual(
            {f"/my/support/tickets/{ticket.id}" for ticket in tickets},
            {path for path in seen if path.startswith("/my/support/tickets/")},
            "each of her requests is linked from her list, and no one else's",
        )
        shopfront = self.env.ref("crm_support.demo_ticket_t8")
        page = self.url_open(f"/my/support/tickets/{shopfront.id}").text
        self.assertIn('<a href="/my/support/tickets">Service requests</a>', page, "the way back to her list")
        # the page's chatter loads the thread as her browser does
        thread = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "crm.support.ticket", "thread_id": shopfront.id}
        )
        self.assertEqual(
            [(message["author_id"][1], message["body"]) for message in thread["data"]["mail.message"]],
            [
                ("Priya Shah", "<p>Yes: we will board it up at 8:30 and fit the new panel on Thursday.</p>"),
                ("Rachel Jones", "<p>Could you come before 10 tomorrow? The shop opens at 10.</p>"),
            ],
        )

        closed = self.env.ref("crm_support.demo_ticket_t10")
        page = self.url_open(f"/my/support/tickets/{closed.id}").text
        self.assertIn("How did we do?", page)
        self.url_open(
            f"/my/support/tickets/{closed.id}/rate",
            data={"csrf_token": form_token(page), "rating": "4", "comment": "Quick resin fill, no new screen needed."},
        )
        self.assertEqual((closed.rating_value, closed.rating_comment), (4, "Quick resin fill, no new screen needed."))
        self.assertIn("Your rating: <strong>4</strong>/5", self.url_open(f"/my/support/tickets/{closed.id}").text)

    @freeze_time("2026-11-25 10:00:00")  # a Wednesday morning in London
    def test_visitor_reaches_london_from_the_public_form(self):
        """On the demo data, the public form preselects the United Kingdom: a visitor who types a London
        postcode and a mobile number as Britons write them reaches the London franchise."""
        page = self.url_open("/support/request").text
        uk = self.env.ref("base.uk")
        self.assertIn(f'<option value="{uk.id}" selected>United Kingdom</option>', page)
        country = re.search(r'<option value="(\d+)" selected>United Kingdom', page).group(1)
        thanks = self.url_open(
            "/support/request",
            data={
                "csrf_token": form_token(page),
                "subject": "Windscreen cracked by a stone",
                "category_id": str(self.env.ref("crm_support.demo_cat_windscreen").id),
                "contact_name": "Ana Visitor",
                "email": "ana.visitor@example.com",
                "phone": "07911 123456",
                "zip": "sw1a 1aa",
                "country_id": country,  # what the form sends unless the visitor changes it
            },
        )
        ticket = self.env["crm.support.ticket"].search([("email", "=", "ana.visitor@example.com")])
        self.assertEqual(thanks.status_code, 200, re.findall(r"alert-danger[^>]*>([^<]*)", thanks.text))
        self.assertIn(ticket.name, thanks.text)
        self.assertEqual((ticket.zip, ticket.phone), ("SW1A 1AA", "+447911123456"))
        self.assertEqual(ticket.franchise_id, self.env.ref("crm_support.demo_franchise_london"))
        self.assertIn(ticket.user_id, ticket.franchise_id.user_ids, "and a person there")
