# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.vrm_consent_event import server_only
from ..tools.masking import VrmScope
from .common import VrmCommon

MASK = "\u2022"
FIELDS = ["name", "email", "phone", "function", "partner_latitude"]


@tagged("post_install", "-at_install")
class TestEnforcement(VrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a franchise's account with no sharing at all, and one that acts for the company
        cls.user_north = new_test_user(
            cls.env,
            login="vrm_north",
            groups="base.group_user,base.group_allow_export",
            name="North Desk",
        )
        cls.user_north.vrm_recipient_id = cls.franchise_north
        cls.user_north.vrm_purpose_id = cls.purpose_service
        cls.user_internal.groups_id += cls.env.ref("base.group_allow_export")
        cls.partners = cls.alice | cls.bob

    def _read(self, user, purpose=None, **context):
        if purpose:
            self.reads_for(user, purpose)
        partners = self.partners.with_user(user).with_context(**context)
        return {row["id"]: row for row in partners.read(FIELDS)}

    def test_franchise_without_sharing_sees_masked_values(self):
        """A recipient without sharing gets masked values in read, search_read and web_read."""
        rows = self._read(self.user_north, "marketing")
        alice = rows[self.alice.id]
        self.assertEqual(alice["name"], "Alice Example")
        self.assertEqual(alice["phone"], f"+44 {MASK * 4} {MASK * 2}12")
        self.assertEqual(alice["email"], f"a{MASK * 3}@example.com")
        self.assertFalse(alice["function"])
        # for service, contact details are needed; demographics are not shared
        alice = self._read(self.user_north, "service")[self.alice.id]
        self.assertEqual(alice["phone"], "+44 7911 123412")
        self.assertFalse(alice["function"])
        Partner = self.env["res.partner"].with_user(self.user_north)
        (found,) = Partner.search_read([("id", "=", self.bob.id)], ["function", "email"])
        self.assertEqual((found["function"], found["email"]), (False, "bob@example.org"))
        web = Partner.web_search_read([("id", "=", self.bob.id)], {"function": {}})
        self.assertFalse(web["records"][0]["function"])

    def test_form_view_read_is_masked(self):
        """The form view's web_read gets the masked values and no value for hidden fields."""
        partner = self.alice.with_user(self.reads_for(self.user_north, "marketing"))
        (values,) = partner.web_read({"phone": {}, "email": {}, "function": {}, "title": {}})
        self.assertEqual(values["phone"], f"+44 {MASK * 4} {MASK * 2}12")
        self.assertEqual(values["email"], f"a{MASK * 3}@example.com")
        self.assertFalse(values["function"])

    def test_sharing_unmasks_for_that_recipient_only(self):
        """Once Alice shares demographics with North, North sees them; South still does not."""
        self.alice._vrm_set_preference(self.franchise_north, "service", "demographics", True)
        self.assertEqual(self._read(self.user_north)[self.alice.id]["function"], "Engineer")
        self.assertFalse(self._read(self.user_north)[self.bob.id]["function"])
        self.user_north.vrm_recipient_id = self.franchise_south
        self.assertFalse(self._read(self.user_north)[self.alice.id]["function"])

    def test_changed_choices_apply_at_once(self):
        """Reads follow every change of choices in the same transaction: a choice for all
        franchises, a franchise's own denial over it, its withdrawal, and deleted choices."""
        self.alice._vrm_set_preference("franchise", "service", "demographics", True)
        self.assertEqual(self._read(self.user_north)[self.alice.id]["function"], "Engineer")
        self.alice._vrm_set_preference(self.franchise_north, "service", "demographics", False)
        self.assertFalse(self._read(self.user_north)[self.alice.id]["function"])
        self.user_north.vrm_recipient_id = self.franchise_south
        self.assertEqual(self._read(self.user_north)[self.alice.id]["function"], "Engineer")
        self.alice._vrm_set_preference("franchise", "service", "demographics", False)
        self.assertFalse(self._read(self.user_north)[self.alice.id]["function"])
        self.alice._vrm_set_preference(self.franchise_south, "service", "demographics", True)
        self.assertEqual(self._read(self.user_north)[self.alice.id]["function"], "Engineer")
        self.alice.sudo().vrm_preference_ids.with_context(**server_only.context()).unlink()
        self.assertFalse(self._read(self.user_north)[self.alice.id]["function"])

    def test_choices_index_stays_with_privacy_staff(self):
        """The choices index an enforced read fetches with the customers is not readable or
        searchable by a user outside the data sharing groups, whose reads are still enforced."""
        partner = self.alice.with_user(self.user_north)
        with self.assertRaises(AccessError):
            partner.read(["vrm_sharing"])
        with self.assertRaises(AccessError):
            partner.search([("vrm_sharing", "like", "1")])
        self.assertFalse(partner.read(["function"])[0]["function"])

    def test_every_reader_is_logged(self):
        """What a franchise account is shown is logged with the reference server code gives;
        company staff's reads are logged too; a reference sent in the context is not taken."""
        self.partners.with_user(self.user_north).with_context(vrm_scope=VrmScope(reference="SR-2026-000123")).read(
            ["phone", "function"]
        )
        logs = self.env["vrm.access.log"].search([("user_id", "=", self.user_north.id)])
        self.assertEqual(set(logs.mapped("category_id.code")), {"contact"})
        self.assertEqual(logs.partner_id, self.partners)
        self.assertEqual(set(logs.mapped("reference")), {"SR-2026-000123"})
        self._read(self.user_internal, vrm_reference="SR-FORGED", vrm_scope={"reference": "SR-FORGED"})
        logs = self.env["vrm.access.log"].search([("user_id", "=", self.user_internal.id)])
        self.assertEqual(logs.partner_id, self.partners)
        self.assertEqual(set(logs.mapped("category_id.code")), {"contact"})
        self.assertEqual(set(logs.mapped("reference")), {False})

    def test_page_of_mixed_choices(self):
        """On one page, each customer's own choices decide what is masked and what the access
        log records: Alice shares her contact details for marketing, Bob does not, a colleague's
        partner is never masked, and Carol has no phone at all."""
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        carol = self.env["res.partner"].create({"name": "Carol Example", "email": "carol@example.net"})
        colleague = self.user_internal.partner_id
        colleague.write({"phone": "+44 7911 123499", "function": "Clerk"})
        page = self.alice | self.bob | carol | colleague
        rows = {
            row["id"]: row
            for row in page.with_user(self.reads_for(self.user_north, "marketing")).read(["phone", "email", "function"])
        }
        self.assertEqual(rows[self.alice.id]["phone"], "+44 7911 123412")
        self.assertEqual(rows[self.bob.id]["phone"], f"+44 {MASK * 4} {MASK * 2}56")
        self.assertEqual(rows[self.bob.id]["email"], f"b{MASK * 3}@example.org")
        self.assertEqual(rows[carol.id]["email"], f"c{MASK * 3}@example.net")
        self.assertFalse(rows[carol.id]["phone"])
        self.assertEqual((rows[colleague.id]["phone"], rows[colleague.id]["function"]), ("+44 7911 123499", "Clerk"))
        self.assertFalse(rows[self.alice.id]["function"])
        logs = self.env["vrm.access.log"].search([("user_id", "=", self.user_north.id)])
        self.assertEqual(
            {(log.partner_id, log.category_id.code) for log in logs},
            {(self.alice, "contact"), (colleague, "contact"), (colleague, "demographics")},
        )

    def test_shared_values_read_as_without_enforcement(self):
        """What a customer shares reads exactly as it does without enforcement (links to other
        records with their names, numbers, web_read), what she does not share is empty."""
        madam, uk = self.env.ref("base.res_partner_title_madam"), self.env.ref("base.uk")
        self.alice.write({"title": madam.id, "country_id": uk.id})
        self.bob.title = self.env.ref("base.res_partner_title_mister")
        for code in ("demographics", "location"):
            self.alice._vrm_set_preference(self.franchise_north, "service", code, True)
        fnames = ["title", "function", "partner_latitude", "country_id", "city"]
        spec = {"title": {"fields": {"display_name": {}}}, "function": {}, "partner_latitude": {}}
        Partner = self.env["res.partner"].with_user(self.user_north)
        enforced, plain = (
            Partner.browse(self.partners.ids),
            Partner.with_user(self.user_officer).browse(self.partners.ids),
        )
        for load in ("_classic_read", None):
            rows = {row["id"]: row for row in enforced.read(fnames, load=load)}
            expected = {row["id"]: row for row in plain.read(fnames, load=load)}
            self.assertEqual(rows[self.alice.id], expected[self.alice.id])
            self.assertEqual(rows[self.bob.id]["city"], "York")
            self.assertEqual((rows[self.bob.id]["title"], rows[self.bob.id]["function"]), (False, False))
        self.assertEqual(enforced.browse(self.alice.id).web_read(spec), plain.browse(self.alice.id).web_read(spec))
        self.assertEqual(enforced.browse(self.alice.id).read(fnames)[0]["title"][1], "Madam")
        (bob,) = enforced.browse(self.bob.id).web_read(spec)
        self.assertEqual((bob["title"], bob["function"], bob["partner_latitude"]), (False, False, False))

    def test_daily_rebuild_of_choices_changed_by_sql(self):
        """Choices changed by SQL, outside the ORM, leave the choices index behind: the daily
        job rebuilds it as the ORM would, and reads follow the stored choices again."""
        Partner = self.env["res.partner"]
        for partner in self.partners:
            partner._vrm_set_preference(self.franchise_north, "service", "demographics", True)
        self.alice._vrm_set_preference("franchise", "service", "location", False)
        self.env.flush_all()
        expected = {partner.id: partner.vrm_sharing or "" for partner in self.partners}
        self.assertEqual(Partner._cron_vrm_rebuild_sharing(), 0)
        self.env.cr.execute("UPDATE vrm_preference SET allowed = FALSE WHERE partner_id = %s", [self.alice.id])
        self.env.cr.execute("DELETE FROM vrm_preference WHERE partner_id = %s", [self.bob.id])
        self.env.invalidate_all()
        self.assertEqual(self._read(self.user_north)[self.alice.id]["function"], "Engineer")  # stale
        self.assertEqual(Partner._cron_vrm_rebuild_sharing(), 2)
        rows = self._read(self.user_north)
        self.assertFalse(rows[self.alice.id]["function"])
        self.assertFalse(rows[self.bob.id]["function"])
        # the same index as the ORM computes from the choices
        rebuilt = {partner.id: partner.vrm_sharing or "" for partner in self.partners}
        self.partners.env.add_to_compute(Partner._fields["vrm_sharing"], self.partners)
        self.partners.flush_recordset(["vrm_sharing"])
        self.assertEqual(rebuilt, {partner.id: partner.vrm_sharing or "" for partner in self.partners})
        self.assertNotEqual(rebuilt, expected)
        self.assertEqual(Partner._cron_vrm_rebuild_sharing(), 0)

    def test_internal_user_and_privacy_officer(self):
        """Company staff see what the company may use; privacy officers and sudo see all."""
        rows = self._read(self.user_internal)
        self.assertEqual(rows[self.alice.id]["email"], "alice@example.com")
        self.assertFalse(rows[self.alice.id]["function"])
        self.assertEqual(self._read(self.user_officer)[self.alice.id]["function"], "Engineer")
        sudo_rows = self.partners.with_user(self.user_internal).sudo().read(["function"])
        self.assertIn("Engineer", [r["function"] for r in sudo_rows])
        # colleagues are never masked
        colleague = self.user_officer.partner_id
        colleague.function = "Privacy Officer"
        (row,) = colleague.with_user(self.user_internal).read(["function"])
        self.assertEqual(row["function"], "Privacy Officer")

    def test_export_is_masked(self):
        """List export shows the masked values too."""
        Partner = self.env["res.partner"].with_user(self.user_north)
        self.reads_for(self.user_north, "marketing")
        partners = Partner.browse(self.partners.ids)
        rows = partners.export_data(["name", "phone", "function"])["datas"]
        by_name = {row[0]: row for row in rows}
        self.assertEqual(by_name["Alice Example"][1], f"+44 {MASK * 4} {MASK * 2}12")
        self.assertEqual(by_name["Alice Example"][2], "")
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        rows = partners.export_data(["name", "phone"])["datas"]
        self.assertEqual({r[0]: r[1] for r in rows}["Alice Example"], "+44 7911 123412")

    def test_search_by_hidden_value_finds_nothing(self):
        """Searching by a value the user may not see does not find the customer."""
        Partner = self.env["res.partner"].with_user(self.user_north)
        self.assertFalse(Partner.search([("function", "=", "Engineer")]))
        self.assertEqual(Partner.search([("email", "=", "alice@example.com")]), self.alice)
        self.reads_for(self.user_north, "marketing")
        self.assertFalse(Partner.search([("email", "=", "alice@example.com")]))
        self.reads_for(self.user_north, "service")
        self.alice._vrm_set_preference(self.franchise_north, "service", "demographics", True)
        self.assertEqual(Partner.search([("function", "=", "Engineer")]), self.alice)
        self.assertEqual(self.env["res.partner"].search([("function", "=", "Teacher")]), self.bob)


@tagged("post_install", "-at_install")
class TestEnforcementJsonRpc(HttpCase):
    def test_json_rpc_read_is_masked(self):
        """JSON-RPC read and search_read of a franchise account return masked values."""
        recipient = self.env["vrm.recipient"].create({"name": "Glass Repair East", "recipient_type": "franchise"})
        user = new_test_user(self.env, login="vrm_east", groups="base.group_user")
        user.vrm_recipient_id = recipient
        user.vrm_purpose_id = self.env.ref("crm_vrm.purpose_marketing")
        partner = self.env["res.partner"].create(
            {"name": "Carol Example", "phone": "+44 7911 123456", "function": "Nurse"}
        )
        self.authenticate("vrm_east", "vrm_east")
        for method, args in (
            ("read", [[partner.id], ["phone", "function"]]),
            ("search_read", [[("id", "=", partner.id)], ["phone", "function"]]),
        ):
            (row,) = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "res.partner",
                    "method": method,
                    "args": args,
                    # what a client sends in the context changes nothing
                    "kwargs": {"context": {"vrm_purpose": "service", "vrm_no_enforcement": True}},
                },
            )
            self.assertEqual(row["phone"], f"+44 {MASK * 4} {MASK * 2}56")
            self.assertFalse(row["function"])

    def test_admin_cannot_alter_events_over_json_rpc(self):
        """Even the administrator gets an error when writing or deleting a consent event."""
        partner = self.env["res.partner"].create({"name": "Dora Example"})
        event = partner._vrm_set_preference(self.env.ref("crm_vrm.recipient_company"), "marketing", "contact", True)
        self.authenticate("admin", "admin")
        for method, args in (("write", [[event.id], {"new_value": "denied"}]), ("unlink", [[event.id]])):
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": "vrm.consent.event", "method": method, "args": args, "kwargs": {}},
                )
        self.assertEqual(event.new_value, "allowed")
        self.assertTrue(event.exists())
