# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import VrmCommon

MASK = "\u2022"


@tagged("post_install", "-at_install")
class TestPreferences(VrmCommon):
    def test_privacy_by_default_and_contract_minimum(self):
        """Without choices only what is needed to serve is allowed."""
        self.assertTrue(self.alice._vrm_allows(self.franchise_north, "service", "contact"))
        self.assertTrue(self.alice._vrm_allows(self.company_recipient, "service", "address"))
        self.assertFalse(self.alice._vrm_allows(self.company_recipient, "service", "purchase"))
        self.assertFalse(self.alice._vrm_allows(self.company_recipient, "marketing", "contact"))
        self.assertFalse(self.alice._vrm_allows(self.franchise_north, "profiling", "purchase"))

    def test_cannot_switch_off_contract_minimum(self):
        """Service delivery of contact details cannot be denied."""
        with self.assertRaisesRegex(UserError, "always on"):
            self.alice._vrm_set_preference(self.company_recipient, "service", "contact", False)

    def test_type_choice_with_recipient_override(self):
        """A choice for every franchise applies to each one unless that one has its own."""
        self.alice._vrm_set_preference("franchise", "marketing", "contact", True)
        self.assertTrue(self.alice._vrm_allows(self.franchise_north, "marketing", "contact"))
        self.assertTrue(self.alice._vrm_allows(self.franchise_south, "marketing", "contact"))
        self.alice._vrm_set_preference(self.franchise_south, "marketing", "contact", False)
        self.assertTrue(self.alice._vrm_allows(self.franchise_north, "marketing", "contact"))
        self.assertFalse(self.alice._vrm_allows(self.franchise_south, "marketing", "contact"))
        # the company is another type: untouched
        self.assertFalse(self.alice._vrm_allows(self.company_recipient, "marketing", "contact"))
        # a specific allow wins over a type-wide deny
        self.bob._vrm_set_preference("franchise", "profiling", "purchase", False)
        self.bob._vrm_set_preference(self.franchise_north, "profiling", "purchase", True)
        self.assertTrue(self.bob._vrm_allows(self.franchise_north, "profiling", "purchase"))
        self.assertFalse(self.bob._vrm_allows(self.franchise_south, "profiling", "purchase"))

    def test_filter_allowed_is_set_based(self):
        """One query decides for the whole recordset."""
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        partners = self.alice | self.bob
        partners._vrm_filter_allowed(self.franchise_north, "marketing", "contact")  # warm caches
        with self.assertQueryCount(1):
            allowed = partners._vrm_filter_allowed(self.franchise_north, "marketing", "contact")
        self.assertEqual(allowed, self.alice)
        self.assertEqual(
            partners._vrm_filter_allowed(self.franchise_south, "marketing", "contact"),
            self.env["res.partner"],
        )

    def test_mask_value(self):
        """Phones keep the country code and last two digits, e-mails the first letter."""
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._vrm_mask_value("phone", "+44 7911 123412"), f"+44 {MASK * 4} {MASK * 2}12")
        self.assertEqual(Partner._vrm_mask_value("email", "jane@example.com"), f"j{MASK * 3}@example.com")
        self.assertFalse(Partner._vrm_mask_value("street", "1 High Street"))
        self.assertFalse(Partner._vrm_mask_value("phone", False))

    def test_read_for_masks_and_logs(self):
        """A franchise sees what is shared, masked values otherwise, and each view is logged."""
        self.alice._vrm_set_preference(self.franchise_north, "service", "demographics", True)
        partners = (self.alice | self.bob).with_user(self.user_portal)
        rows = partners._vrm_read_for(
            self.franchise_north,
            "service",
            ["name", "phone", "email", "function", "partner_latitude"],
            reference="SR-2026-000123",
        )
        alice, bob = sorted(rows, key=lambda r: r["id"] != self.alice.id)
        # contact details are needed to serve: shown
        self.assertEqual(alice["phone"], "+44 7911 123412")
        self.assertEqual(alice["function"], "Engineer")
        self.assertEqual(bob["function"], False)
        self.assertFalse(alice["partner_latitude"])
        # marketing is not shared: contact masked
        (marketing,) = self.alice._vrm_read_for(self.franchise_north, "marketing", ["phone", "email"])
        self.assertEqual(marketing["phone"], f"+44 {MASK * 4} {MASK * 2}12")
        self.assertEqual(marketing["email"], f"a{MASK * 3}@example.com")
        logs = self.env["vrm.access.log"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(sorted(logs.mapped("category_id.code")), ["contact", "demographics"])
        self.assertEqual(set(logs.mapped("reference")), {"SR-2026-000123"})
        self.assertEqual(logs.user_id, self.user_portal)
        text = logs.filtered(lambda log: log.category_id.code == "contact")._vrm_portal_text()[0]
        self.assertIn("Glass Repair North viewed your contact details on", text)
        self.assertIn("SR-2026-000123", text)

    def test_set_preference_records_event_and_calls_hook(self):
        """A change returns a signed event with old and new value and runs the hook once."""
        Partner = type(self.env["res.partner"])
        with patch.object(Partner, "_vrm_on_consent_changed", autospec=True) as hook:
            event = self.alice._vrm_set_preference(
                self.company_recipient,
                "marketing",
                "contact",
                True,
                request_meta={"ip": "203.0.113.9", "user_agent": "Firefox"},
            )
        hook.assert_called_once()
        self.assertEqual(hook.call_args.args[1], event)
        self.assertEqual((event.old_value, event.new_value), ("unset", "allowed"))
        self.assertEqual((event.ip_address, event.user_agent), ("203.0.113.9", "Firefox"))
        self.assertEqual(event.terms_version, "1.0")
        second = self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", False)
        self.assertEqual((second.old_value, second.new_value), ("allowed", "denied"))
        self.assertEqual(second.channel, "staff")

    def test_marketing_deny_syncs_blacklists(self):
        """Denying marketing to the company blacklists the e-mail and phones; allowing lifts it."""
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", False)
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", "alice@example.com")]))
        self.assertTrue(self.env["phone.blacklist"].search([("number", "=", "+447911123434")]))
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "alice@example.com")]))
        self.assertFalse(self.env["phone.blacklist"].search([("number", "=", "+447911123434")]))

    def test_internal_user_recipient(self):
        """Internal users act for the company; other users for no recipient by default."""
        self.assertEqual(self.user_internal._vrm_recipient(), self.company_recipient)
        self.assertFalse(self.user_portal._vrm_recipient())

    def test_export_contains_only_own_data(self):
        """The export holds the customer's data and choices, nothing of another customer."""
        self.alice._vrm_set_preference(self.franchise_north, "marketing", "contact", True)
        self.bob._vrm_set_preference(self.franchise_south, "marketing", "contact", True)
        data = self.alice._vrm_export_data()
        self.assertEqual(data["partner"]["email"], "alice@example.com")
        self.assertEqual(len(data["consent_events"]), 1)
        self.assertEqual(data["preferences"][0]["recipient"], "Glass Repair North")
        # Bob's identifiers, not the letters "bob", which the base64 of a signed receipt may hold
        for needle in ("bob example", "bob@example.org", "7911 123256", "teacher"):
            self.assertNotIn(needle, str(data).lower())

    def test_anonymize_keeps_pseudonymous_history(self):
        """Erasure removes identifiers but keeps the consent history."""
        event = self.alice._vrm_set_preference(
            self.company_recipient, "marketing", "contact", False, request_meta={"ip": "203.0.113.9"}
        )
        self.alice.message_post(body="Call me on +44 7911 123412")
        self.alice._vrm_anonymize()
        self.assertNotIn("Alice", self.alice.name)
        self.assertFalse(self.alice.email or self.alice.phone or self.alice.street)
        self.assertFalse(event.ip_address)
        self.assertTrue(event.exists())
        self.assertNotIn("alice", event.receipt_json.lower())
        bodies = (
            self.env["mail.message"]
            .search([("model", "=", "res.partner"), ("res_id", "=", self.alice.id)])
            .mapped("body")
        )
        self.assertFalse(any("7911" in str(b) for b in bodies))

    def test_officer_maps_fields_to_a_category(self):
        """The privacy officer picks the contact fields a data category covers; other staff cannot read fields."""
        mobile = self.env["ir.model.fields"]._get("res.partner", "mobile")
        with Form(self.env["vrm.data.category"].with_user(self.user_officer)) as form:
            form.name = "Mobile number"
            form.code = "mobile_only"
            form.field_ids.add(mobile)
        self.assertEqual(form.record.field_ids, mobile)
        # the categories' list, read as the web client reads it: with the names of their fields
        listed = (
            self.env["vrm.data.category"]
            .with_user(self.user_officer)
            .web_search_read([("code", "=", "mobile_only")], {"field_ids": {"fields": {"display_name": {}}}})
        )
        self.assertEqual(listed["records"][0]["field_ids"], [{"id": mobile.id, "display_name": mobile.display_name}])
        with self.assertRaises(AccessError):
            mobile.with_user(self.user_internal).read(["name"])

    def test_staff_open_a_category_without_its_fields(self):
        """Staff who follow a link to a data category see it; only the officer sees which fields it covers."""
        category = self.env["vrm.data.category"].search([], limit=1)
        for user, sees_fields in ((self.user_internal, False), (self.user_officer, True)):
            Category = self.env["vrm.data.category"].with_user(user)
            views = Category.get_views([(False, "list"), (False, "form")])["views"].values()
            shown = {node.get("name") for view in views for node in etree.fromstring(view["arch"]).iter("field")}
            self.assertEqual("field_ids" in shown, sees_fields)
            # what the web client reads to show the views: nothing the user may not read
            fields = shown & set(Category._fields)
            spec = {
                name: {"fields": {"display_name": {}}} if Category._fields[name].relational else {} for name in fields
            }
            self.assertEqual(Category.browse(category.id).web_read(spec)[0]["name"], category.name)
