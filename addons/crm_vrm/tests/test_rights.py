# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import csv
import io
import json
import zipfile
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import VrmCommon
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
        self.assertNotIn("bob", json.dumps(data).lower())
        archive = zipfile.ZipFile(io.BytesIO(by_type["application/zip"].raw))
        self.assertIn("partner.csv", archive.namelist())
        rows = list(csv.reader(io.StringIO(archive.read("partner.csv").decode())))
        self.assertIn(["email", "alice@example.com"], rows)
        prefs = list(csv.DictReader(io.StringIO(archive.read("preferences.csv").decode())))
        self.assertEqual(prefs[0]["purpose"], "marketing")

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
        """Only a privacy officer approves erasure; then no identifier remains anywhere."""
        user = new_test_user(self.env, login="zq_portal", groups="base.group_portal")
        partner = user.partner_id
        partner.write(
            {
                "name": "Zebedee Quixlumb",
                "email": "zebedee.quixlumb@example.net",
                "phone": "+44 7911 987654",
                "street": "99 Quixlumb Lane",
                "city": "Zedtown",
            }
        )
        partner._vrm_set_preference(
            self.company_recipient,
            "marketing",
            "contact",
            False,
            channel="portal",
            request_meta={"ip": "198.51.100.77", "user_agent": "QuixBrowser/1.0"},
        )
        partner.message_post(body="Zebedee Quixlumb says: call +44 7911 987654")
        self._submit(partner, "export")
        self._submit(partner, "rectification", {"city": "Quixlumbton"})
        request = self._submit(partner, "erasure")
        with self.assertRaises(UserError):
            request.with_user(self.user_internal).action_approve()
        request.with_user(self.user_officer).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.approved_by_id, self.user_officer)
        # the consent history stays, pseudonymised
        events = self.env["vrm.consent.event"].search([("partner_id", "=", partner.id)])
        self.assertTrue(events)
        self.env.flush_all()
        needles = ["quixlumb", "zebedee", "7911 987654", "7911987654", "198.51.100.77", "quixbrowser"]
        self.assertEqual(self._scan_text_columns(needles), [])

    def _scan_text_columns(self, needles):
        """Every (table.column) of a text type whose content contains one of the needles."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT c.table_name, c.column_name
              FROM information_schema.columns c
              JOIN information_schema.tables t
                ON t.table_name = c.table_name AND t.table_schema = c.table_schema
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('character varying', 'text', 'jsonb', 'character')
            """
        )
        pattern = "(" + "|".join(n.replace(".", r"\.").replace("+", r"\+") for n in needles) + ")"
        found = []
        for table, column in cr.fetchall():
            cr.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ~* %s LIMIT 1',
                [pattern],
            )
            if cr.fetchone():
                found.append(f"{table}.{column}")
        return found


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
