# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import csv
import io
import json
import zipfile
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from ..tools import erasure
from .common import VrmCommon, text_columns_holding
from .ui_case import form_token


@tagged("post_install", "-at_install")
class TestRightsRequests(VrmCommon):
    def _submit(self, partner, request_type, values=None):
        return self.env["vrm.rights.request"]._vrm_submit(partner, request_type, values)

    @freeze_time("2026-03-03 10:00:00")
    def test_export_json_and_csv_zip_with_deadline(self):
        """An export is ready at once as JSON and CSV zip, with a 30-day deadline."""
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        request = self._submit(self.alice, "export")
        self.assertEqual(request.state, "done")
        self.assertEqual(request.deadline_date, date(2026, 4, 2))
        self.assertTrue(request.name.startswith("DR-2026-"))
        by_type = {a.mimetype: a for a in request.attachment_ids}
        data = json.loads(by_type["application/json"].raw)
        self.assertEqual(data["partner"]["email"], "alice@example.com")
        self.assertEqual(data["preferences"][0]["recipient"], "Glass Repair North")
        # Bob's identifiers, not the letters "bob", which the base64 of a signed receipt may hold
        for needle in ("bob example", "bob@example.org", "7911 123256", "teacher"):
            self.assertNotIn(needle, json.dumps(data).lower())
        archive = zipfile.ZipFile(io.BytesIO(by_type["application/zip"].raw))
        self.assertIn("partner.csv", archive.namelist())
        rows = list(csv.reader(io.StringIO(archive.read("partner.csv").decode())))
        self.assertIn(["email", "alice@example.com"], rows)
        prefs = list(csv.DictReader(io.StringIO(archive.read("preferences.csv").decode())))
        self.assertEqual(prefs[0]["purpose"], "marketing")
        events = list(csv.DictReader(io.StringIO(archive.read("consent_events.csv").decode())))
        self.assertEqual(json.loads(events[0]["receipt"]), data["consent_events"][0]["receipt"])
        self.assertIn("messages.csv", archive.namelist())
        self.assertIn("access_log.csv", archive.namelist())

    def test_export_is_complete_and_only_own(self):
        """The export carries every classified field, the signed receipts with IP and user agent,
        the messages the customer could see and the access log; nothing of another customer."""
        self.alice.write({"country_id": self.env.ref("base.uk").id, "zip": "LS1 4AP"})
        event = self.alice._vrm_set_preference(
            self.franchise_north,
            "marketing",
            "contact",
            True,
            request_meta={"ip": "203.0.113.50", "user_agent": "AliceBrowser/2.0"},
        )
        self.bob._vrm_set_preference(
            self.franchise_north, "marketing", "contact", True, request_meta={"ip": "203.0.113.99"}
        )
        self.alice.message_post(
            body="Your new card is on its way", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.alice.message_post(body="Internal: customer sounded upset", subtype_xmlid="mail.mt_note")
        self.bob.message_post(body="Bob's parcel left", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.env["vrm.access.log"].sudo().create(
            {"partner_id": self.alice.id, "recipient_id": self.franchise_north.id, "reference": "SR-ALICE-1"}
        )
        self.env["vrm.access.log"].sudo().create({"partner_id": self.bob.id, "reference": "SR-BOB-1"})
        data = self.alice._vrm_export_data()
        # every field the register classifies, values readable
        field_map = self.env["vrm.data.category"]._vrm_field_map("res.partner")
        binary = {f for f, field in self.alice._fields.items() if field.type == "binary"}
        relational = {f for f, field in self.alice._fields.items() if field.type in ("one2many", "many2many")}
        self.assertGreaterEqual(set(data["partner"]), set(field_map) - relational)
        self.assertEqual(data["partner"]["country_id"], "United Kingdom")
        self.assertEqual(data["partner"]["zip"], "LS1 4AP")
        self.assertEqual(data["partner"]["partner_latitude"], 53.8)
        self.assertEqual(data["partner"]["name"], "Alice Example")
        self.assertTrue(all(not isinstance(data["partner"][f], bytes) for f in binary & set(data["partner"])))
        self.assertEqual(
            {row["field"]: row["category"] for row in data["data_categories"] if row["category"]},
            {f: c for f, c in field_map.items() if f in data["partner"]},
        )
        # the receipt itself, with the device it was given from
        (exported,) = data["consent_events"]
        self.assertEqual(exported["ip_address"], "203.0.113.50")
        self.assertEqual(exported["user_agent"], "AliceBrowser/2.0")
        self.assertEqual(exported["receipt"], event._vrm_receipt_document())
        self.assertTrue(self.env["vrm.consent.event"]._vrm_verify(exported["receipt"])["genuine"])
        # what the customer could read, not the internal note
        bodies = [m["body"] for m in data["messages"]]
        self.assertIn("Your new card is on its way", bodies)
        self.assertFalse(any("upset" in b for b in bodies))
        self.assertEqual([log["reference"] for log in data["access_log"]], ["SR-ALICE-1"])
        dumped = json.dumps(data, default=str)
        for other in ("Bob Example", "bob@example.org", "203.0.113.99", "123256", "SR-BOB", "parcel"):
            self.assertNotIn(other, dumped)

    def test_overdue_after_thirty_days(self):
        """An erasure left waiting is overdue after 30 days."""
        with freeze_time("2026-03-03"):
            request = self._submit(self.alice, "erasure")
        self.assertEqual(request.state, "to_approve")
        with freeze_time("2026-04-01"):
            request.invalidate_recordset(["is_overdue"])
            self.assertFalse(request.is_overdue)
        with freeze_time("2026-04-03"):
            request.invalidate_recordset(["is_overdue"])
            self.assertTrue(request.is_overdue)

    def test_rectification_applies(self):
        """A correction of contact details is applied and kept on the request."""
        request = self._submit(self.alice, "rectification", {"email": "alice@new.example.com", "name": "Mallory"})
        self.assertEqual(request.state, "done")
        self.assertEqual(self.alice.email, "alice@new.example.com")
        self.assertEqual(self.alice.name, "Alice Example")
        with self.assertRaises(UserError):
            self._submit(self.alice, "rectification", {"email": "alice@new.example.com"})

    def test_objection_to_profiling(self):
        """Objecting to profiling turns it off for every recipient and category."""
        self.alice._vrm_set_preference(self.franchise_north, "profiling", "purchase", True)
        self._submit(self.alice, "objection")
        for recipient in (self.franchise_north, self.franchise_south, self.company_recipient):
            for code in ("purchase", "contact", "location"):
                self.assertFalse(self.alice._vrm_allows(recipient, "profiling", code))
        events = self.env["vrm.consent.event"].search([("partner_id", "=", self.alice.id), ("channel", "=", "rights")])
        self.assertTrue(events)

    def test_erasure_needs_a_privacy_officer(self):
        """Only a privacy officer approves erasure; then no identifier remains in any text,
        varchar or jsonb column of any table, in any of its stored forms, and nothing of
        another customer is touched."""
        user = new_test_user(self.env, login="zq_portal", groups="base.group_portal")
        partner = user.partner_id
        partner.write(
            {
                "name": "Zebedee Quixlumb",
                "email": "zebedee.quixlumb@example.net",
                "phone": "+44 7911 987654",
                "street": "99 Quixlumb Lane",
                "city": "Zedtown",
                "country_id": self.env.ref("base.uk").id,
            }
        )
        event = partner._vrm_set_preference(
            self.company_recipient,
            "marketing",
            "contact",
            False,
            request_meta={"ip": "198.51.100.77", "user_agent": "QuixBrowser/1.0"},
        )
        partner.message_post(body="Zebedee Quixlumb says: call +44 7911 987654")
        # copies the ORM part of the erasure does not know about, in every stored form
        other_message = self.bob.message_post(
            body="<p>Bob mentioned ZEBEDEE.QUIXLUMB@EXAMPLE.NET and 07911&nbsp;987654 at 99 Quixlumb Lane</p>",
            subject="About Zebedee Quixlumb",
        )
        self.env["mail.tracking.value"].sudo().create(
            {
                "mail_message_id": other_message.id,
                "field_id": self.env["ir.model.fields"]._get("res.partner", "email").id,
                "old_value_char": "zebedee.quixlumb@example.net",
                "new_value_char": "Zebedee Quixlumb <zebedee.quixlumb@example.net>",
            }
        )
        self.env["mail.mail"].sudo().create(
            {
                "email_to": '"Zebedee Quixlumb" <Zebedee.Quixlumb@example.net>',
                "subject": "Hello Zebedee Quixlumb",
                "body_html": "<p>We will call +447911987654</p>",
            }
        )
        self.env["ir.attachment"].sudo().create(
            {"name": "Zebedee Quixlumb invoice.pdf", "raw": b"%PDF", "res_model": "res.partner", "res_id": self.bob.id}
        )
        self.env["ir.logging"].sudo().create(
            {
                "name": "crm",
                "type": "server",
                "level": "INFO",
                "path": "x",
                "func": "y",
                "line": "1",
                "message": "sent to 447911987654 for zebedee.quixlumb%40example.net",
            }
        )
        tag = self.env["res.partner.category"].create({"name": "Zebedee Quixlumb's household"})  # jsonb
        self._submit(partner, "export")
        self._submit(partner, "rectification", {"city": "Quixlumbton"})
        request = self._submit(partner, "erasure")
        events_before = self.env["vrm.consent.event"].search_count([("partner_id", "=", partner.id)])
        bob_before = self.bob.read(["name", "email", "phone", "city"])
        with self.assertRaises(UserError):
            request.with_user(self.user_internal).action_approve()
        request.with_user(self.user_officer).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.approved_by_id, self.user_officer)
        # the consent history stays, pseudonymised, its receipts still genuine
        events = self.env["vrm.consent.event"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(events), events_before)
        self.assertTrue(self.env["vrm.consent.event"]._vrm_verify(event._vrm_receipt_document())["genuine"])
        self.env.flush_all()
        needles = [
            "quixlumb",
            "zebedee",
            "7911 987654",
            "7911987654",
            "7911&nbsp;987654",
            "7911\u00a0987654",
            "198.51.100.77",
            "quixbrowser",
        ]
        self.assertEqual(text_columns_holding(self.env.cr, needles), [])
        # the scrub left the rest of the text, and other customers, alone
        self.assertIn("Bob mentioned [erased]", other_message.body)
        self.assertEqual(tag.name, "[erased]'s household")
        self.assertEqual(self.bob.read(["name", "email", "phone", "city"]), bob_before)

    def test_erasure_patterns(self):
        """The identifiers' patterns match their stored forms in any case, and not inside
        another customer's longer address or number."""
        patterns = erasure.patterns(
            emails=["alice@example.com"], phones=["+44 7911 123412"], texts=["Alice Example", "Lu"]
        )
        self.assertEqual(len(patterns), 3, "a two-letter name is too short to be erased everywhere")
        pattern = "|".join(f"(?:{p})" for p in patterns)
        cases = {
            "Mail ALICE@Example.COM.": "Mail [erased].",
            "malice@example.com, alice@example.community": "malice@example.com, alice@example.community",
            "alice%40example.com": "[erased]",
            '{"email": "alice@example.com"}': '{"email": "[erased]"}',
            "+44 7911 123412 / +447911123412 / 07911-123-412 / 0044 (0)7911 123412": "[erased] / [erased] / "
            "[erased] / [erased]",
            "ref 1447911123412 or 79111234129": "ref 1447911123412 or 79111234129",
            "alice  example, Alice Examples, MALICE EXAMPLE": "[erased], Alice Examples, MALICE EXAMPLE",
        }
        for text, expected in cases.items():
            self.env.cr.execute("SELECT regexp_replace(%s, %s, '[erased]', 'gi')", [text, pattern])
            self.assertEqual(self.env.cr.fetchone()[0], expected, text)

    def test_erasure_keeps_a_namesakes_data(self):
        """A name or street another contact holds too is theirs as well: it is erased from the
        customer's record, but not scrubbed from the rest of the database."""
        namesake = self.env["res.partner"].create({"name": "Alice Example", "street": "1 High Street"})
        namesake.message_post(body="Alice Example of 1 High Street called")
        self.alice.message_post(body="Call alice@example.com")
        self.alice._vrm_anonymize()
        self.assertNotIn("Alice", self.alice.name)
        self.assertEqual(namesake.name, "Alice Example")
        self.assertIn("Alice Example of 1 High Street", namesake.message_ids[:1].body)
        self.assertEqual(text_columns_holding(self.env.cr, ["alice@example"]), [])


@tagged("post_install", "-at_install")
class TestRightsPortal(HttpCase):
    def test_portal_request_and_download_only_own(self):
        """A customer files an export from the portal and only they can download it."""
        new_test_user(self.env, login="vrm_rr_a", groups="base.group_portal")
        user_b = new_test_user(self.env, login="vrm_rr_b", groups="base.group_portal")
        self.authenticate("vrm_rr_a", "vrm_rr_a")
        page = self.url_open("/my/data-sharing")
        self.assertIn("Download all my data", page.text)
        response = self.url_open(
            "/my/data-sharing/request",
            data={"request_type": "export", "csrf_token": form_token(page.text)},
        )
        self.assertEqual(response.status_code, 200)
        request = self.env["vrm.rights.request"].search([("partner_id.user_ids.login", "=", "vrm_rr_a")])
        self.assertEqual(request.state, "done")
        attachment = request.attachment_ids[:1]
        url = f"/my/data-sharing/request/{request.id}/file/{attachment.id}"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.authenticate("vrm_rr_b", "vrm_rr_b")
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertFalse(self.env["vrm.rights.request"].search([("partner_id", "=", user_b.partner_id.id)]))
