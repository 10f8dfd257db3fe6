# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, JsonRpcException, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_vrm.tests.ui_case import form_token

from .common import SupportCase, sql_statements


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # HttpCase users log in with their login as password.
        for user in (cls.alice, cls.bob, cls.zoe, cls.london_mgr, cls.customer_user):
            user.password = user.login
        cls.other_user = new_test_user(
            cls.env, "otto", groups="base.group_portal", partner_id=cls.other_customer.id, password="otto"
        )

    def test_public_form_creates_only_a_ticket(self):
        """The public form creates a routed ticket and shows its reference; the honeypot creates nothing."""
        self.authenticate(None, None)
        page = self.url_open("/support/request")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("/web/assets/", page.text, "a light page: no website layout nor asset bundles")
        self.assertIn('name="website_url"', page.text, "the honeypot")
        self.assertIn(f'<option value="{self.cat_windscreen.id}">', page.text)
        self.assertIn('<label class="form-label" for="zip">', page.text)
        token = form_token(page.text)
        Ticket = self.env["crm.support.ticket"]
        before = Ticket.search_count([])
        data = {
            "csrf_token": token,
            "subject": "Cracked rear window",
            "email": "web@example.com",
            "phone": "07911 123457",
            "zip": "SW1A 2AA",
            "country_id": self.uk.id,
            "category_id": self.cat_windscreen.id,
            "description": "<script>alert(1)</script>Help",
        }
        response = self.url_open("/support/request", data=data)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        ticket = Ticket.search([("subject", "=", "Cracked rear window")])
        self.assertEqual(len(ticket), 1)
        self.assertIn(ticket.name, response.text)
        self.assertIn("Track my request", response.text)
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        self.assertNotIn("<script", str(ticket.description))
        bot = self.url_open("/support/request", data=dict(data, subject="Bot", website_url="http://spam"))
        self.assertEqual(bot.status_code, 200)
        self.assertFalse(Ticket.search([("subject", "=", "Bot")]))
        bad = self.url_open("/support/request", data=dict(data, subject="Bad", zip="ZZZ"))
        self.assertEqual(bad.status_code, 400)
        self.assertIn("not a valid postcode", bad.text)
        # What the visitor chose stays chosen when the form comes back with the error.
        self.assertIn(f'<option value="{self.uk.id}" selected>', bad.text)
        self.assertIn(f'<option value="{self.cat_windscreen.id}" selected>', bad.text)
        self.assertEqual(Ticket.search_count([]), before + 1)
        no_csrf = self.url_open("/support/request", data=dict(data, csrf_token="x", subject="No token"))
        self.assertEqual(no_csrf.status_code, 400)
        self.assertFalse(Ticket.search([("subject", "=", "No token")]))

    def test_public_pages_run_as_public_user_without_checking_it(self):
        """Visitors are the public user (their request is created by it), found from its cached XML id:
        neither the form nor its submission queries the user's existence."""
        public = self.env.ref("base.public_user")
        checks = f'FROM "res_users" WHERE "res_users"."id" IN ({public.id})'
        self.authenticate(None, None)
        with sql_statements() as statements:
            page = self.url_open("/support/request")
            data = {
                "csrf_token": form_token(page.text),
                "subject": "Misted double glazing",
                "email": "mist@example.com",
                "phone": "07911 123458",
                "zip": "SW1A 2AA",
                "country_id": self.uk.id,
            }
            response = self.url_open("/support/request", data=data)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        ticket = self.env["crm.support.ticket"].search([("subject", "=", "Misted double glazing")])
        self.assertEqual(ticket.create_uid, public)
        self.assertTrue(statements)
        self.assertFalse([s for s in statements if s.startswith("SELECT") and checks in s])

    def test_visitor_typing_customers_details_gets_own_contact(self):
        """A visitor typing a customer's e-mail and mobile gets a new, unverified contact: the acknowledgement
        greets the name they typed, the request is not in the customer's portal, her record is untouched."""
        carla = self.customer
        fields_read = ["name", "email", "mobile", "street", "category_id", "comment", "write_date"]
        before = carla.read(fields_read)
        self.authenticate(None, None)
        page = self.url_open("/support/request")
        data = {
            "csrf_token": form_token(page.text),
            "subject": "Someone else's window",
            "contact_name": "Mallory Visitor",
            "email": "Carla@Example.com",
            "phone": "07911 123400",
            "zip": "SW1A 2AA",
            "country_id": self.uk.id,
        }
        response = self.url_open("/support/request", data=data)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        ticket = self.env["crm.support.ticket"].search([("subject", "=", "Someone else's window")])
        self.assertEqual(len(ticket), 1)
        self.assertNotEqual(ticket.partner_id, carla)
        self.assertEqual(
            (ticket.partner_id.name, ticket.partner_id.email, ticket.partner_id.mobile),
            ("Mallory Visitor", "carla@example.com", "+447911123400"),
        )
        self.assertIn(self.env.ref("crm_support.partner_category_unverified"), ticket.partner_id.category_id)
        self.env["crm.support.ticket"]._cron_intake_followup()
        tracking = self.url_open(f"/my/support/tickets/{ticket.id}?access_token={ticket.access_token}")
        self.assertEqual(tracking.status_code, 200)
        ack = ticket.message_ids.filtered(lambda m: "received" in (m.subject or ""))
        self.assertIn("Hello Mallory Visitor", str(ack.body))
        self.assertNotIn(carla.name, str(ack.body) + tracking.text)
        self.authenticate("carla", "carla")
        listing = self.url_open("/my/support/tickets")
        self.assertEqual(listing.status_code, 200)
        self.assertNotIn(ticket.name, listing.text)
        refused = self.url_open(f"/my/support/tickets/{ticket.id}", allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        self.assertEqual(carla.read(fields_read), before)

    def test_customer_sees_only_own_tickets(self):
        """A customer lists and opens their requests; another customer's is refused, token links work."""
        mine = self._ticket()
        theirs = self._ticket(partner_id=self.other_customer.id)
        self.authenticate("carla", "carla")
        listing = self.url_open("/my/support/tickets")
        self.assertIn(mine.name, listing.text)
        self.assertNotIn(theirs.name, listing.text)
        self.assertIn(mine.subject, self.url_open(f"/my/support/tickets/{mine.id}").text)
        refused = self.url_open(f"/my/support/tickets/{theirs.id}", allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        guessed = self.url_open(f"/my/support/tickets/{theirs.id}?access_token=guess", allow_redirects=False)
        self.assertEqual(guessed.status_code, 303)
        self.authenticate(None, None)
        token_page = self.url_open(f"/my/support/tickets/{theirs.id}?access_token={theirs.access_token}")
        self.assertIn(theirs.name, token_page.text)
        self.assertNotIn('href="/my/support/tickets"', token_page.text, "no list to go back to without a login")

    def test_customer_answers_in_the_thread(self):
        """The customer answers in their request's thread, logged in or from the tracking link: the message
        is theirs, and a request waiting on them is back in progress; a wrong token posts nothing."""
        ticket = self._ticket()

        def answer(body, **access):
            post = {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}
            self.make_jsonrpc_request(
                "/mail/message/post",
                {"thread_model": "crm.support.ticket", "thread_id": ticket.id, "post_data": post, **access},
            )

        def said(text):
            return ticket.message_ids.filtered(lambda message: text in str(message.body))

        ticket.with_user(ticket.user_id).action_set_stage("waiting")
        self.authenticate("carla", "carla")
        answer("The crack is on the driver's side.")
        self.assertEqual((said("driver's side").author_id, ticket.stage_code), (self.customer, "in_progress"))

        ticket.with_user(ticket.user_id).action_set_stage("waiting")
        self.authenticate(None, None)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            answer("Spam", token="guess")
        self.assertEqual(ticket.stage_code, "waiting")
        answer("Photo of the crack tomorrow.", token=ticket.access_token)
        self.assertEqual((said("Photo of the crack").author_id, ticket.stage_code), (self.customer, "in_progress"))
        self.assertFalse(said("Spam"))

    def test_customer_rates_closed_ticket(self):
        """Once done, the customer rates 1-5 with a comment; the rating shows on the page."""
        ticket = self._ticket()
        ticket.with_user(ticket.user_id).action_close("New windscreen fitted")
        self.authenticate("carla", "carla")
        page = self.url_open(f"/my/support/tickets/{ticket.id}")
        self.assertIn("How did we do?", page.text)
        token = form_token(page.text)
        self.url_open(
            f"/my/support/tickets/{ticket.id}/rate",
            data={"csrf_token": token, "rating": "5", "comment": "Quick and tidy"},
        )
        self.assertEqual(ticket.rating_value, 5)
        self.assertEqual(ticket.rating_comment, "Quick and tidy")
        self.assertEqual(ticket.franchise_id._scorecard()["avg_rating"], 5)

    def test_only_the_customer_rates(self):
        """The technician who may read the request cannot rate it in the customer's place (the
        rating feeds his scorecard); the customer's tracking link still can."""
        ticket = self._ticket()
        staff = ticket.user_id
        staff_sudo = staff.sudo()
        self.authenticate(staff_sudo.login, staff_sudo.login)
        token = form_token(self.url_open(f"/my/franchise/tickets/{ticket.id}").text)
        ticket.with_user(staff).action_close("New windscreen fitted")
        self.url_open(f"/my/support/tickets/{ticket.id}/rate", data={"csrf_token": token, "rating": "5"})
        self.assertFalse(ticket.rating_value)
        self.authenticate(None, None)
        page = self.url_open(f"/my/support/tickets/{ticket.id}?access_token={ticket.access_token}")
        self.url_open(
            f"/my/support/tickets/{ticket.id}/rate",
            data={"csrf_token": form_token(page.text), "rating": "4", "access_token": ticket.access_token},
        )
        self.assertEqual(ticket.rating_value, 4)

    def test_franchise_pages_isolated(self):
        """Staff open their tickets; another franchise's ticket page and actions answer 404."""
        london = self._ticket(partner_id=False)
        zurich = self._ticket(zip="8050", country_id=self.ch.id, partner_id=False)
        staff = london.user_id
        self.authenticate(staff.login, staff.login)
        self.assertIn(london.name, self.url_open("/my/franchise/queue").text)
        self.assertEqual(self.url_open(f"/my/franchise/tickets/{london.id}").status_code, 200)
        self.assertEqual(self.url_open(f"/my/franchise/tickets/{zurich.id}").status_code, 404)
        page = self.url_open(f"/my/franchise/tickets/{london.id}")
        token = form_token(page.text)
        response = self.url_open(f"/my/franchise/tickets/{zurich.id}/accept", data={"csrf_token": token})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(zurich.stage_code, "assigned")
        self.url_open(f"/my/franchise/tickets/{london.id}/accept", data={"csrf_token": token})
        self.assertEqual(london.stage_code, "in_progress")
        # JSON-RPC: the other franchise's ticket cannot be read either.
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/crm.support.ticket/search_read",
            {
                "model": "crm.support.ticket",
                "method": "search_read",
                "args": [[("id", "=", zurich.id)], ["name"]],
                "kwargs": {},
            },
        )
        self.assertEqual(result, [])
        # The manager sees the whole franchise queue, not Zurich's.
        self.authenticate("mgr_ldn", "mgr_ldn")
        queue = self.url_open("/my/franchise/queue?scope=franchise").text
        self.assertIn(london.name, queue)
        self.assertNotIn(zurich.name, queue)
        self.assertIn("o_crm_support_scorecard", queue)

    def test_manager_scorecard_shows_sla_compliance(self):
        """The manager's queue shows the share of closed requests that met their SLA."""
        self.env["crm.support.sla.policy"].create(
            {"name": "Scorecard policy", "response_hours": 1, "resolution_hours": 4}
        )
        with freeze_time("2026-11-25 09:00:00"):
            fast, slow = self._ticket(partner_id=False), self._ticket(partner_id=False)
        with freeze_time("2026-11-25 09:30:00"):
            fast.with_user(fast.user_id).action_close("Done in half an hour")
        with freeze_time("2026-11-25 20:00:00"):
            slow.with_user(slow.user_id).action_close("Done late")
        self.authenticate("mgr_ldn", "mgr_ldn")
        response = self.url_open("/my/franchise/queue?scope=franchise")
        self.assertEqual(response.status_code, 200)
        # one of the two closed requests met its SLA: 50.0%, shown before its label
        scorecard = response.text[response.text.index("o_crm_support_scorecard") :]
        self.assertIn("50.0%", scorecard[: scorecard.index("SLA met")])


@tagged("post_install", "-at_install")
class TestFranchiseMobileTour(HttpCase):
    browser_size = "390x844"

    def test_staff_accept_update_close_on_phone(self):
        """On a phone-sized screen, staff accept a job, message the customer, set a stage and close it."""
        env = self.env
        calendar = env["resource.calendar"].create(
            {
                "name": "24/7",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"d{d}", "dayofweek": str(d), "hour_from": 0, "hour_to": 24}) for d in range(7)
                ],
            }
        )
        franchise = env["crm.franchise"].create(
            {
                "name": "Tour Glass",
                "partner_id": env["res.partner"].create({"name": "Tour Glass Ltd"}).id,
                "calendar_id": calendar.id,
                "area_ids": [(0, 0, {"country_id": env.ref("base.uk").id, "zip_patterns": "TR1*"})],
            }
        )
        env["crm.support.routing.rule"].search([]).active = False
        env["crm.support.routing.rule"].create({"name": "Area", "target": "area"})
        new_test_user(env, "tour_staff", groups="crm_support.group_franchise_staff", franchise_id=franchise.id)
        customer = env["res.partner"].create({"name": "Tess Tour", "email": "tess@example.com"})
        ticket = env["crm.support.ticket"].create(
            {
                "subject": "Tour windscreen",
                "partner_id": customer.id,
                "zip": "TR1 1AA",
                "country_id": env.ref("base.uk").id,
            }
        )
        self.assertEqual(ticket.user_id.login, "tour_staff")
        self.start_tour("/my/franchise/queue", "crm_support_franchise_mobile", login="tour_staff")
        self.assertEqual(ticket.stage_code, "done")
        self.assertEqual(ticket.resolution, "Windscreen replaced on site")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "On my way" in (m.body or "")))
