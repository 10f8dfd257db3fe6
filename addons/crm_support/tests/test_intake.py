# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
import select

import psycopg2

from odoo import sql_db
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..models import ir_cron
from .common import SupportCase

RAW_EMAIL = """Return-Path: <dora@example.com>
To: service@example.com
From: Dora Driver <dora@example.com>
Subject: Chipped windscreen on my van
Message-ID: <intake-test-1@example.com>
Date: Wed, 25 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello, a stone chipped my windscreen this morning.
"""


@tagged("post_install", "-at_install")
class TestIntake(SupportCase):
    def _public(self, **vals):
        values = {
            "subject": "Broken window",
            "contact_name": "Pat Public",
            "email": "Pat@Example.com",
            "phone": "07911 123456",
            "zip": "sw1a 2aa",
            "country_id": "GB",
            "category_id": "t_windscreen",
            "description": "Window <b>broken</b>",
            "intake_ip": "203.0.113.7",
        }
        channel = vals.pop("intake_channel", "public")
        values.update(vals)
        return self.env["crm.support.ticket"]._intake(values, channel)

    def test_public_form_normalises_and_routes(self):
        """A public request is validated, gets a reference, a customer, E.164 phone, and is routed."""
        ticket = self._public()
        self.assertRegex(ticket.name, r"^SR-\d{4}-\d{6}$")
        self.assertEqual(ticket.channel, "public")
        self.assertEqual(ticket.phone, "+447911123456")
        self.assertEqual(ticket.email, "pat@example.com")
        self.assertEqual(ticket.zip, "SW1A 2AA")
        self.assertEqual(ticket.partner_id.email, "pat@example.com")
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        self.assertIn(ticket.user_id, self.alice | self.bob)
        # The same e-mail again gets a contact of its own: nothing proves the visitor owns the address.
        self.assertNotEqual(self._public(subject="Again").partner_id, ticket.partner_id)

    def test_public_request_never_attaches_to_existing_customer(self):
        """A visitor typing a customer's e-mail or mobile gets a new contact, marked unverified, with what
        they typed; the customer's record is untouched and the request is not theirs."""
        dora = self.env["res.partner"].create(
            {"name": "Dora Driver", "email": "Dora@Example.com", "mobile": "+44 7911 123400", "country_id": self.uk.id}
        )
        before = dora.read(["name", "email", "mobile", "category_id", "comment", "write_date"])
        unverified = self.env.ref("crm_support.partner_category_unverified")
        for email, phone in (("DORA@example.com", ""), ("", "07911 123400"), ("dora@example.com", "07911123400")):
            ticket = self._public(contact_name="Mallory", email=email, phone=phone)
            self.assertNotEqual(ticket.partner_id, dora)
            self.assertNotEqual(ticket.commercial_partner_id, dora)
            self.assertEqual(ticket.partner_id.name, "Mallory")
            self.assertEqual(ticket.partner_id.email, email.lower() or False)
            self.assertEqual(ticket.partner_id.mobile, "+447911123400" if phone else False)
            self.assertIn(unverified, ticket.partner_id.category_id)
            self.assertIn("not verified", str(ticket.partner_id.comment))
            self.assertEqual(ticket.contact_name, "Mallory")
        self.assertEqual(dora.read(["name", "email", "mobile", "category_id", "comment", "write_date"]), before)
        self.assertFalse(self.env["crm.support.ticket"].search([("commercial_partner_id", "=", dora.id)]))

    def test_staff_intake_finds_customer_by_email_or_mobile(self):
        """Support staff filing for a caller through the API find the customer by e-mail whatever its case,
        or by mobile however it was typed (staff vouch for who called, a visitor does not)."""
        dora = self.env["res.partner"].create(
            {"name": "Dora Driver", "email": "Dora@Example.com", "mobile": "+44 7911 123400", "country_id": self.uk.id}
        )

        def staff(**vals):
            return self._public(**vals, intake_channel="api")

        self.assertEqual(staff(email="DORA@example.com", phone="").partner_id, dora)
        # Her mobile is stored as "+44 7911 123400"; the form gives it in another format.
        self.assertEqual(staff(email="", phone="07911 123400").partner_id, dora)
        self.assertEqual(staff(email="new.address@example.com", phone="07911123400").partner_id, dora)
        # A contact with only a phone number (no mobile) is found by it too.
        eve = self.env["res.partner"].create(
            {"name": "Eve Estate", "phone": "(07911) 123-401", "country_id": self.uk.id}
        )
        self.assertEqual(staff(email="eve.new@example.com", phone="+44 7911 123401").partner_id, eve)
        stranger = staff(email="someone.new@example.com", phone="07911 123458").partner_id
        self.assertNotEqual(stranger, dora)
        self.assertEqual(stranger.email, "someone.new@example.com")
        self.assertNotIn(self.env.ref("crm_support.partner_category_unverified"), stranger.category_id)

    def test_public_form_rejects_bad_input(self):
        """Invalid phone, postcode, e-mail, missing contact or oversize text are refused with a message."""
        with self.assertRaisesRegex(ValidationError, "phone number"):
            self._public(phone="12")
        with self.assertRaisesRegex(ValidationError, "postcode"):
            self._public(zip="12345")
        with self.assertRaisesRegex(ValidationError, "e-mail"):
            self._public(email="not-an-email")
        with self.assertRaisesRegex(ValidationError, "reach you"):
            self._public(email="", phone="")
        with self.assertRaisesRegex(ValidationError, "too long"):
            self._public(description="x" * 10001)
        with self.assertRaisesRegex(ValidationError, "too long"):
            self._public(subject="x" * 201)
        with self.assertRaises(ValidationError):
            self._public(category_id="no-such-category")

    def test_public_form_cannot_pick_customer_or_fields(self):
        """A public visitor cannot attach the ticket to another customer nor set internal fields."""
        ticket = self._public(
            partner_id=self.customer.id,
            priority="3",
            user_id=self.alice.id,
            is_triage=True,
            franchise_id=self.franchise_zurich.id,
            email="eve@example.com",
        )
        self.assertNotEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.franchise_id, self.franchise_london)

    def test_script_neutralised(self):
        """Script in a description never reaches the stored HTML."""
        ticket = self._public(description='<script>alert("x")</script><img src=x onerror=alert(1)>Hello')
        self.assertNotIn("<script", str(ticket.description))
        self.assertNotIn("onerror", str(ticket.description))
        self.assertIn("Hello", str(ticket.description))
        backend = self._ticket(description='<p>ok</p><script>alert("x")</script>')
        self.assertNotIn("<script", str(backend.description))

    def test_attachments_limits(self):
        """Photos are attached; too big, too many or wrong type files are refused."""
        photo = ("crack.jpg", base64.b64encode(b"\xff\xd8\xff\xe0" + b"0" * 100).decode(), "image/jpeg")
        ticket = self._public(attachments=[photo])
        attachment = self.env["ir.attachment"].search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])
        self.assertEqual(attachment.name, "crack.jpg")
        with self.assertRaisesRegex(ValidationError, "5 MB"):
            self._public(attachments=[("big.jpg", b"0" * (5 * 1024 * 1024 + 1), "image/jpeg")])
        with self.assertRaisesRegex(ValidationError, "At most"):
            self._public(attachments=[photo] * 6)
        with self.assertRaisesRegex(ValidationError, "photos"):
            self._public(attachments=[("evil.html", b"<script>", "text/html")])

    def test_attachments_checked_by_content(self):
        """A file's type is read from its content, not taken from the browser: a page sent as a photo is
        refused (and no request is created), a photo sent without a type is kept as the photo it is."""
        Ticket = self.env["crm.support.ticket"]
        before = Ticket.search_count([])
        for disguised in (
            ("crack.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
            ("crack.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ):
            with self.assertRaisesRegex(ValidationError, "photos"):
                self._public(attachments=[disguised])
        self.assertEqual(Ticket.search_count([]), before, "a refused upload leaves no request behind")
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        ticket = self._public(attachments=[("crack", png, "application/octet-stream")])
        attachment = self.env["ir.attachment"].search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])
        self.assertEqual(attachment.mimetype, "image/png")

    def test_rate_limit_per_ip(self):
        """After five requests from one IP in ten minutes, the form is throttled for that IP only."""
        Ticket = self.env["crm.support.ticket"]
        for i in range(5):
            self.assertFalse(Ticket._intake_rate_limited("203.0.113.9"))
            self._public(subject=f"Request {i}", intake_ip="203.0.113.9")
        self.assertTrue(Ticket._intake_rate_limited("203.0.113.9"))
        self.assertFalse(Ticket._intake_rate_limited("203.0.113.10"))

    def test_rate_limit_raised_for_one_address(self):
        """An integrator raises the limit for a kiosk's address only (system parameter per address); the
        other addresses keep the default, and 0 lifts the limit for a trusted front end."""
        Ticket = self.env["crm.support.ticket"]
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("crm_support.intake_rate_limit.198.51.100.7", "8")
        params.set_param("crm_support.intake_rate_limit.198.51.100.8", "0")
        for i in range(7):
            self._public(subject=f"Kiosk {i}", intake_ip="198.51.100.7")
            self._public(subject=f"Front end {i}", intake_ip="198.51.100.8")
            if i < 5:
                self._public(subject=f"Visitor {i}", intake_ip="203.0.113.9")
        self.assertFalse(Ticket._intake_rate_limited("198.51.100.7"), "7 of the kiosk's 8")
        self.assertFalse(Ticket._intake_rate_limited("198.51.100.8"))
        self.assertTrue(Ticket._intake_rate_limited("203.0.113.9"), "the default 5 for everybody else")
        self._public(subject="Kiosk 8", intake_ip="198.51.100.7")
        self.assertTrue(Ticket._intake_rate_limited("198.51.100.7"))

    def test_email_alias_creates_numbered_routed_ticket(self):
        """A mail to the alias creates a numbered ticket for the sender, routed like any other."""
        self.env["crm.support.routing.rule"].create(
            {
                "name": "E-mail to Zurich",
                "sequence": 1,
                "channel": "email",
                "target": "franchise",
                "franchise_id": self.franchise_zurich.id,
            }
        )
        self.env["mail.thread"].message_process("crm.support.ticket", RAW_EMAIL)
        ticket = self.env["crm.support.ticket"].search([("subject", "=", "Chipped windscreen on my van")])
        self.assertEqual(len(ticket), 1)
        self.assertRegex(ticket.name, r"^SR-\d{4}-\d{6}$")
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.partner_id.email, "dora@example.com")
        self.assertEqual((ticket.franchise_id, ticket.user_id), (self.franchise_zurich, self.zoe))

    def _ack(self, ticket):
        return ticket.message_ids.filtered(lambda m: ticket.name in (m.subject or "") and "received" in m.subject)

    def test_acknowledgement_email_with_tracking_link(self):
        """Every channel acknowledges by e-mail with the reference and a tokenised tracking link; requests
        acknowledged together each get their own."""
        ticket = self._public()
        other = self._public(contact_name="Quinn", email="quinn@example.com", phone="07911 123499")
        self._intake_followup()
        ack = self._ack(ticket)
        self.assertEqual(len(ack), 1)
        self.assertIn(ticket.partner_id, ack.partner_ids)
        self.assertIn(f"access_token={ticket.access_token}", str(ack.body))
        self.assertIn("Hello Pat Public", str(ack.body))
        other_ack = self._ack(other)
        self.assertEqual(other_ack.partner_ids, other.partner_id)
        self.assertIn(other.name, other_ack.subject)
        self.assertIn(f"access_token={other.access_token}", str(other_ack.body))
        self.assertNotIn(ticket.access_token, str(other_ack.body))
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", ack.id), ("recipient_ids", "in", ticket.partner_id.ids)]
        )
        self.assertEqual(mail.state, "outgoing", "the e-mail is queued for the customer")
        mail_queue = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", mail_queue.id)]), "the mail queue sends it at once"
        )
        backend = self._ticket()
        self.assertEqual(len(self._ack(backend)), 1, "a ticket created in the backend is acknowledged at once")

    def test_acknowledgement_keeps_template_attachments(self):
        """A file a manager adds to the acknowledgement template goes with every acknowledgement."""
        template = self.env.ref("crm_support.mail_template_ticket_ack")
        template.attachment_ids = self.env["ir.attachment"].create(
            {"name": "care-leaflet.pdf", "raw": b"%PDF-1.4 leaflet", "res_model": template._name, "res_id": template.id}
        )
        ticket = self._public()
        self._intake_followup()
        self.assertEqual(self._ack(ticket).attachment_ids.mapped("name"), ["care-leaflet.pdf"])

    def _intake_followup(self):
        """Run the follow-up queue as the cron worker does right after the intake's commit."""
        cron = self.env.ref("crm_support.ir_cron_intake_followup")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "intake wakes the follow-up at once"
        )
        return self.env["crm.support.ticket"]._cron_intake_followup()

    def test_intake_follow_up_once_after_commit(self):
        """In the request: reference, routing and both SMS queued; the e-mail and notifications follow once."""
        self.alice.partner_id.mobile = "+44 7911 000001"
        self.bob.partner_id.mobile = "+44 7911 000002"
        ticket = self._public()
        assignee_number = "+447911000001" if ticket.user_id == self.alice else "+447911000002"
        self.assertEqual(len(self.env["sms.sms"].search([("number", "=", assignee_number)])), 1)
        self.assertEqual(len(self.env["sms.sms"].search([("number", "=", "+447911123456")])), 1, "customer SMS")
        self.assertFalse(self._ack(ticket), "the e-mail is left to the follow-up")
        self.assertTrue(ticket.followup_pending_since)
        self.assertEqual(self._intake_followup(), 1)
        self.assertEqual(self.env["crm.support.ticket"]._cron_intake_followup(), 0, "each ticket once")
        self.assertEqual(len(self._ack(ticket)), 1)
        self.assertFalse(ticket.followup_pending_since)
        self.assertIn(ticket.user_id.partner_id, ticket.message_partner_ids, "the assignee follows the ticket")
        notice = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("partner_ids", "in", ticket.user_id.partner_id.id),
            ]
        )
        self.assertEqual(len(notice), 1)
        self.assertIn(f"/sr/{ticket.id}", str(notice.body))
        self.assertEqual(len(self.env["sms.sms"].search([("number", "=", assignee_number)])), 1, "no second SMS")

    def test_routing_note_logged_by_follow_up(self):
        """The request stores its routing decision at once; the chatter note of it follows, once."""
        ticket = self._public()
        self.assertIn("chose", ticket.routing_reason)

        def notes():
            return ticket.message_ids.filtered(lambda m: "Routing:" in (m.body or ""))

        self.assertFalse(notes())
        self._intake_followup()
        self.assertEqual(len(notes()), 1)
        self.assertIn(ticket.franchise_id.name, str(notes().body))

    def test_public_request_to_triage_alerts_after_commit(self):
        """A public request nobody can take alerts the triage team from the follow-up queue."""
        ticket = self._public(zip="EC2A 1AA")
        self.assertTrue(ticket.is_triage)
        self._intake_followup()
        alert = self.env["mail.message"].search(
            [("model", "=", ticket._name), ("res_id", "=", ticket.id), ("partner_ids", "in", self.triage.partner_id.id)]
        )
        self.assertEqual(len(alert), 1)

    def test_push_to_assignee_sms_and_notification(self):
        """The assignee gets an SMS to their mobile with the deep link, and a notification."""
        self.alice.partner_id.mobile = "+44 7911 000001"
        self.bob.partner_id.mobile = "+44 7911 000002"
        ticket = self._ticket(partner_id=False)
        number = "+447911000001" if ticket.user_id == self.alice else "+447911000002"
        sms = self.env["sms.sms"].search([("number", "=", number)])
        self.assertEqual(len(sms), 1)
        self.assertIn(ticket.name, sms.body)
        self.assertIn(f"/sr/{ticket.id}", sms.body)
        note = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("partner_ids", "in", ticket.user_id.partner_id.id),
            ]
        )
        self.assertIn(f"/sr/{ticket.id}", str(note.body))
        self.assertEqual(sms.state, "outgoing", "queued for the SMS gateway")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", note.id)])
        self.assertEqual(mail.mapped("state"), ["outgoing"], "the e-mail is queued, not sent inside the transaction")
        mail_queue = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", mail_queue.id)]), "the mail queue sends it at once"
        )

    def test_support_manager_edits_service_templates(self):
        """A support manager rewords the assignee's SMS and the acknowledgement e-mail; the next request uses
        the new text. Other SMS templates stay the administrators'."""
        self.env.ref("crm_support.sms_template_ticket_push").with_user(
            self.support_manager
        ).body = "Job {{ object.name }} is yours"
        self.env.ref("crm_support.mail_template_ticket_ack").with_user(
            self.support_manager
        ).subject = "Got it: {{ object.name }}"
        self.alice.partner_id.mobile = "+44 7911 000001"
        self.bob.partner_id.mobile = "+44 7911 000002"
        ticket = self._ticket()
        number = "+447911000001" if ticket.user_id == self.alice else "+447911000002"
        self.assertEqual(self.env["sms.sms"].search([("number", "=", number)]).body, f"Job {ticket.name} is yours")
        ack = self.env["mail.message"].search(
            [("model", "=", ticket._name), ("res_id", "=", ticket.id), ("partner_ids", "in", self.customer.id)]
        )
        self.assertEqual(ack.mapped("subject"), [f"Got it: {ticket.name}"])
        other = self.env["sms.template"].create(
            {"name": "Contacts", "model_id": self.env.ref("base.model_res_partner").id, "body": "Hi"}
        )
        with self.assertRaises(AccessError):
            other.with_user(self.support_manager).body = "Hello"

    def test_no_sms_to_landline(self):
        """Service SMS go only to valid mobiles: a landline gets none."""
        self.customer.mobile = "+44 20 7946 0000"
        ticket = self._ticket(phone="+44 20 7946 0000")
        self.assertFalse(self.env["sms.sms"].search([("number", "=", "+442079460000")]))
        self.assertFalse(ticket._e164_mobile("+44 20 7946 0000", "GB"))
        self.assertEqual(ticket._e164_mobile("07911 123456", "GB"), "+447911123456")

    def test_cron_wake_up_kept_connection(self):
        """The intake's wake-up reaches the cron workers (LISTEN cron_trigger on 'postgres'), over one kept
        connection, and again after PostgreSQL dropped that connection."""
        dbname = self.env.cr.dbname
        __, info = sql_db.connection_info_for("postgres")
        listener = psycopg2.connect(**info)
        listener.autocommit = True
        self.addCleanup(listener.close)
        with listener.cursor() as cr:
            cr.execute("LISTEN cron_trigger")
            listener_pid = listener.get_backend_pid()

        def wake_and_receive():
            self.env["ir.cron"]._notifydb()
            for __ in range(50):
                if select.select([listener], [], [], 0.1)[0]:
                    listener.poll()
                if listener.notifies:
                    return [n.payload for n in listener.notifies if n.channel == "cron_trigger"]
            return []

        self.assertEqual(wake_and_receive(), [dbname], "the cron workers are woken for this database")
        kept = ir_cron._waker._cnx
        listener.notifies.clear()
        self.assertEqual(wake_and_receive(), [dbname])
        self.assertIs(ir_cron._waker._cnx, kept, "no new connection per wake-up")
        self.assertNotEqual(kept.get_backend_pid(), listener_pid)
        with listener.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(%s)", [kept.get_backend_pid()])
        listener.notifies.clear()
        self.assertEqual(wake_and_receive(), [dbname], "a dropped connection is replaced, the wake-up still arrives")
        self.assertIsNot(ir_cron._waker._cnx, kept)

    def test_default_language_cached_and_fresh(self):
        """The default partner language every public form request looks up is read once, and a new default
        is seen at once."""
        self.env["res.lang"]._activate_lang("fr_FR")
        IrDefault = self.env["ir.default"].sudo()
        before = IrDefault._get("res.partner", "lang")
        with self.assertQueryCount(0):
            self.assertEqual(IrDefault._get("res.partner", "lang"), before)
        IrDefault.set("res.partner", "lang", "fr_FR")
        self.assertEqual(IrDefault._get("res.partner", "lang"), "fr_FR", "a new default is seen at once")
        IrDefault.discard_values("res.partner", "lang", ["fr_FR"])
        self.assertIsNone(IrDefault._get("res.partner", "lang"), "and a removed one")
        with self.assertRaises(AccessError):
            self.env["ir.default"].with_user(self.customer_user)._get("res.partner", "lang")

    def test_form_choices_follow_categories_and_countries(self):
        """The request forms' cached choices show a new category, a renamed country, and no archived
        category; the company's country is preselected."""
        Ticket = self.env["crm.support.ticket"].sudo()
        Ticket._intake_form_options()  # cached
        self.env.company.country_id = self.ch
        categories, countries = Ticket._intake_form_options()
        self.assertIn(">Test windscreen<", categories)
        self.assertIn(f'<option value="{self.ch.id}" selected>Switzerland<', countries, "the company's country")
        self.env["crm.support.category"].create({"name": "Sunroof", "code": "t_sunroof"})
        self.ch.name = "Swiss Confederation"
        categories, countries = Ticket._intake_form_options()
        self.assertIn(">Sunroof<", categories)
        self.assertIn(">Swiss Confederation<", countries)
        self.cat_window.active = False
        self.assertNotIn(f'value="{self.cat_window.id}"', Ticket._intake_form_options()[0])

    def _sms_wake_pending(self):
        """Whether Odoo's SMS queue is triggered to run at once (cleared afterwards for the next step)."""
        sms_queue = self.env.ref("sms.ir_cron_sms_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", sms_queue.id)])
        triggers.unlink()
        return bool(triggers)

    def test_new_request_sms_leave_at_once(self):
        """Every channel that texts the assignee or the customer wakes the SMS queue for right after commit
        (its hourly job would leave the person on duty waiting up to an hour)."""
        self.alice.partner_id.mobile = "+44 7911 000001"
        self.bob.partner_id.mobile = "+44 7911 000002"
        self._sms_wake_pending()
        for channel in ("public", "portal", "api"):
            ticket = self._public(intake_channel=channel, subject=f"Via {channel}")
            self.assertTrue(self.env["sms.sms"].search([("body", "ilike", ticket.name)]), channel)
            self.assertTrue(self._sms_wake_pending(), f"{channel}: the SMS queue runs at once")
        backend = self._ticket(partner_id=False)
        self.assertTrue(backend.user_id)
        self.assertTrue(self._sms_wake_pending(), "backend: the assignee's SMS leaves at once")
        self.env["crm.support.routing.rule"].create(
            {"name": "E-mail to Zurich", "sequence": 1, "channel": "email", "target": "franchise"}
            | {"franchise_id": self.franchise_zurich.id}
        )
        self.zoe.partner_id.mobile = "+41 79 000 00 01"
        self.env["mail.thread"].message_process("crm.support.ticket", RAW_EMAIL)
        self.assertTrue(self.env["sms.sms"].search([("number", "=", "+41790000001")]))
        self.assertTrue(self._sms_wake_pending(), "e-mail alias: the assignee's SMS leaves at once")
        first = backend.user_id
        backend.with_user(first).action_decline("Van broken down")
        self.assertNotEqual(backend.user_id, first)
        self.assertEqual(len(self.env["sms.sms"].search([("body", "ilike", backend.name)])), 2)
        self.assertTrue(self._sms_wake_pending(), "decline: the next person's SMS leaves at once")
        backend.with_user(self.support_user).action_reroute()
        self.assertEqual(len(self.env["sms.sms"].search([("body", "ilike", backend.name)])), 3)
        self.assertTrue(self._sms_wake_pending(), "re-route: the new assignee's SMS leaves at once")

    def test_acknowledgement_to_customer_only(self):
        """The acknowledgement (tracking link and access token) reaches the customer, never the assignee or
        another follower, on the public form and in the backend."""
        self.alice.partner_id.email = "alice@example.com"
        self.bob.partner_id.email = "bob@example.com"
        (self.alice | self.bob).notification_type = "email"
        public = self._public()
        self._intake_followup()
        # In the backend with tracking on, as the web client creates it: routing subscribes the assignee.
        backend = (
            self.env["crm.support.ticket"]
            .with_context(tracking_disable=False, mail_notrack=False)
            .create(
                {
                    "subject": "Cracked windscreen",
                    "partner_id": self.customer.id,
                    "zip": "SW1A 1AA",
                    "country_id": self.uk.id,
                    "category_id": self.cat_windscreen.id,
                }
            )
        )
        for ticket in (public, backend):
            assignee = ticket.user_id.partner_id
            self.assertIn(assignee, ticket.message_partner_ids, "the assignee follows the request")
            ack = self._ack(ticket)
            self.assertEqual(len(ack), 1)
            self.assertIn(ticket.access_token, str(ack.body))
            self.assertEqual(ack.notification_ids.res_partner_id, ticket.partner_id)
            mails = self.env["mail.mail"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)])
            with_token = mails.filtered(lambda m, t=ticket: t.access_token in (m.body_html or ""))
            self.assertEqual(with_token.recipient_ids, ticket.partner_id, "only the customer gets the token")
            notified = self.env["mail.notification"].search(
                [("mail_message_id.model", "=", ticket._name), ("mail_message_id.res_id", "=", ticket.id)]
            )
            self.assertFalse(
                notified.filtered(
                    lambda n, a=assignee, t=ticket: (
                        n.res_partner_id == a and t.access_token in str(n.mail_message_id.body)
                    )
                ),
                "the assignee is not notified of the acknowledgement",
            )
