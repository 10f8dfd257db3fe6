# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every path by which the ORM shows a customer's values, tried as a company user reading for
marketing (Alice has shared nothing for it): each must give the masked value, an empty group or
no match, and the context the client sends must change nothing."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools.masking import DERIVED_FIELDS, NOT_PERSONAL
from .common import VrmCommon

MASK = "\u2022"
SECRETS = ("alice@example.com", "7911 123412", "7911123412", "Engineer", "1 High Street")
# what a client may put in the context to try to switch the enforcement off or widen it
FORGED = {"vrm_no_enforcement": True, "vrm_purpose": "service", "vrm_scope": {"purpose": "service"}}


@tagged("post_install", "-at_install")
class TestEnforcementPaths(VrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="vrm_marketer",
            groups="base.group_user,base.group_partner_manager,base.group_allow_export",
            name="Mark Eter",
        )
        cls.marketer.vrm_purpose_id = cls.purpose_marketing
        cls.alice.comment = "<p>Prefers calls after 6pm</p>"
        cls.Partner = cls.env["res.partner"].with_user(cls.marketer).with_context(**FORGED)

    def assertNoSecret(self, value):
        """No real value of Alice's shows anywhere in value (its repr)."""
        for secret in SECRETS:
            self.assertNotIn(secret, repr(value))

    def test_read_paths(self):
        """read, search_read, web_read, web_search_read, export, copy_data: masked."""
        Partner, ids = self.Partner, self.alice.ids
        fnames = ["email", "phone", "mobile", "function", "street", "email_normalized", "email_formatted"]
        (row,) = Partner.browse(ids).read(fnames)
        self.assertEqual(row["email"], f"a{MASK * 3}@example.com")
        self.assertEqual(row["email_normalized"], f"a{MASK * 3}@example.com")
        self.assertFalse(row["street"])
        self.assertNoSecret(row)
        self.assertNoSecret(Partner.search_read([("id", "in", ids)], fnames))
        self.assertNoSecret(Partner.browse(ids).web_read({key: {} for key in fnames}))
        self.assertNoSecret(Partner.web_search_read([("id", "in", ids)], {key: {} for key in fnames}))
        self.assertNoSecret(Partner.browse(ids).export_data(fnames)["datas"])
        (copied,) = Partner.browse(ids).copy_data()
        self.assertNoSecret(copied)
        self.assertFalse(copied["function"])
        self.assertFalse(copied["comment"])

    def test_groupings_and_totals(self):
        """Grouping on a hidden field puts the customer in the empty group; totals skip her."""
        Partner = self.Partner
        domain = [("id", "in", (self.alice | self.bob).ids)]
        groups = Partner._read_group(domain, ["function"], ["__count"])
        self.assertEqual(groups, [(False, 2)])
        ((latitude,),) = Partner._read_group(domain, [], ["partner_latitude:max"])
        self.assertFalse(latitude)
        ((emails,),) = Partner._read_group(domain, [], ["email:array_agg"])
        self.assertEqual(emails, [None, None])
        web = Partner.web_read_group(domain, ["function"], ["city"])
        self.assertNoSecret(web)
        self.assertEqual([group["city"] for group in web["groups"]], [False])
        # once Alice shares demographics for marketing, her group appears
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "demographics", True)
        self.assertIn(("Engineer", 1), Partner._read_group(domain, ["function"], ["__count"]))

    def test_searches(self):
        """A hidden value matches nothing: direct, derived fields, name search, phone search,
        through another model's related field; ordering by it reveals no order."""
        Partner = self.Partner
        for domain in (
            [("email", "=", "alice@example.com")],
            [("email", "ilike", "alice@")],
            [("email_normalized", "=", "alice@example.com")],
            [("phone", "like", "123412")],
            [("function", "=", "Engineer")],
            [("street", "ilike", "High Street")],
            [("comment", "ilike", "6pm")],
            [("phone_mobile_search", "like", "7911123412")],
        ):
            if domain[0][0] not in Partner._fields:
                continue  # phone_mobile_search comes with sms
            self.assertNotIn(self.alice, Partner.search(domain), domain)
            self.assertEqual(Partner.search_count([*domain, ("id", "=", self.alice.id)]), 0, domain)
        self.assertFalse(Partner.name_search("alice@example.com"))
        self.assertEqual([pid for pid, _name in Partner.name_search("Alice Example")], self.alice.ids)
        # the same search as the company for service finds her
        self.reads_for(self.marketer, "service")
        self.assertEqual(Partner.search([("email", "=", "alice@example.com")]), self.alice)

    def test_links_to_records_the_user_cannot_read(self):
        """A search on a one2many the user may not read (who has consent events) is refused, not
        answered: it would tell which customers have such records."""
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        with self.assertRaises(AccessError):
            self.Partner.search([("vrm_consent_event_ids", "!=", False)])
        with self.assertRaises(AccessError):
            self.Partner.search_count([("vrm_consent_event_ids.new_value", "=", "allowed")])
        self.assertIn(
            self.alice, self.Partner.with_user(self.user_officer).search([("vrm_consent_event_ids", "!=", False)])
        )

    def test_links_read_with_the_choices_follow_their_rules(self):
        """A contact list read with hidden fields (the read that fetches the choices index as the
        superuser) lists only the contacts the user's record rules let him see."""
        other = self.env["res.company"].create({"name": "Other Glass Ltd"})
        hidden = self.env["res.partner"].create(
            {"name": "Alice's other address", "parent_id": self.alice.id, "type": "other", "company_id": other.id}
        )
        seen = self.env["res.partner"].create(
            {"name": "Alice's invoices", "parent_id": self.alice.id, "type": "invoice"}
        )
        self.assertEqual(self.alice.child_ids, hidden | seen)
        self.env.invalidate_all()
        (row,) = self.Partner.browse(self.alice.id).read(["email", "child_ids"])
        self.assertEqual(row["child_ids"], seen.ids)
        self.assertNoSecret(row)

    def test_lookups_by_address_find_the_hidden_customer(self):
        """Odoo's look-ups of a contact by the address typed (find_or_create, recipients by
        e-mail, the mail gateway) find Alice, whose e-mail the marketer may not see, instead of
        creating a second Alice without her choices; her values stay masked; a contact outside
        the user's record rules is not found."""
        Partner = self.Partner
        count = self.env["res.partner"].search_count([])
        self.assertEqual(Partner.find_or_create("Alice <ALICE@example.com>"), self.alice)
        found = Partner._find_or_create_from_emails(["alice@example.com", "new.person@example.com"])
        self.assertEqual(found[0], self.alice)
        self.assertEqual(found[1].email, "new.person@example.com")
        self.assertEqual(self.env["res.partner"].search_count([]), count + 1)
        thread = self.env["res.partner"].with_user(self.marketer).browse(self.bob.id)
        (by_gateway,) = thread._mail_find_partner_from_emails(["alice@example.com"])
        self.assertEqual(by_gateway, self.alice)
        self.assertNoSecret(by_gateway.read(["email", "phone"]))
        # still no search oracle: a search on the address finds nothing
        self.assertFalse(Partner.search([("email", "=", "alice@example.com")]))
        # the record rules still decide: a contact of a company the marketer is not in is not his
        other = self.env["res.company"].create({"name": "Other Glass Ltd"})
        stranger = self.env["res.partner"].create({"name": "Sam", "email": "sam@example.com", "company_id": other.id})
        self.assertNotEqual(Partner.find_or_create("sam@example.com"), stranger)

    def test_display_name_shows_no_hidden_email_or_address(self):
        """show_email / show_address in the context add only what the user may see."""
        partner = self.Partner.browse(self.alice.id).with_context(show_email=True, show_address=True)
        self.assertEqual(partner.display_name, "Alice Example")
        self.assertNoSecret(partner.read(["display_name"]))
        officer = self.alice.with_user(self.user_officer).with_context(show_email=True)
        self.assertIn("alice@example.com", officer.display_name)

    def test_onchange_of_existing_customer(self):
        """An onchange on Alice's form computes nothing that shows her hidden e-mail."""
        Partner = self.Partner
        spec = {"name": {}, "email": {}, "email_formatted": {}, "function": {}}
        result = Partner.browse(self.alice.id).onchange({"name": "Alice Renamed"}, ["name"], spec)
        self.assertNoSecret(result)
        self.assertIn("email_formatted", result["value"])  # recomputed, and masked
        result = Partner.onchange({"id": self.alice.id, "name": "Alice Renamed"}, ["name"], spec)
        self.assertNoSecret(result)

    def test_users_expose_no_partner_field(self):
        """The customer's user account shows her partner's fields masked, and a search on them
        through res.users finds nothing."""
        user = self.env["res.users"].create(
            {
                "login": "alice.portal",
                "partner_id": self.alice.id,
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        Users = self.env["res.users"].with_user(self.marketer).with_context(**FORGED)
        (row,) = Users.browse(user.ids).read(["name", "email", "phone", "mobile", "function", "street"])
        self.assertEqual(row["name"], "Alice Example")
        self.assertNoSecret(row)
        self.assertEqual(Users.search_count([("function", "=", "Engineer")]), 0)
        self.assertEqual(Users.with_context(active_test=False).search_count([("email", "=", "alice@example.com")]), 0)

    def test_related_fields_of_other_models(self):
        """A follower's e-mail (mail.followers, related to the partner) is masked."""
        self.bob.message_subscribe(partner_ids=self.alice.ids)
        follower = self.env["mail.followers"].search([("partner_id", "=", self.alice.id)], limit=1)
        (row,) = follower.with_user(self.marketer).with_context(**FORGED).read(["email", "name"])
        self.assertEqual(row["email"], f"a{MASK * 3}@example.com")

    def test_every_partner_field_is_classified(self):
        """Deny by default: each field of res.partner on this database is in a data category, in
        the derived fields, or declared not personal (x2many links follow their own rules); a
        field a module adds later without a decision falls in "other" and is hidden."""
        Category = self.env["vrm.data.category"]
        mapped = set(Category.search([]).field_ids.filtered(lambda f: f.model == "res.partner").mapped("name"))
        derived = set().union(*DERIVED_FIELDS.values())
        unclassified = sorted(
            fname
            for fname, field in self.env["res.partner"]._fields.items()
            if fname not in mapped | derived | NOT_PERSONAL and field.type not in ("one2many", "many2many")
        )
        self.assertEqual(unclassified, [], "classify these res.partner fields in tools/masking.py")
        field_map = Category._vrm_field_map("res.partner")
        self.assertEqual(field_map["comment"], "other")
        self.assertEqual(field_map["email_normalized"], "contact")
        self.assertNotIn("name", field_map)

    def test_purpose_comes_from_the_groups(self):
        """Without a purpose of their own, staff read for the purpose of their groups; of no
        group's purpose, for none: even contact details needed to serve are hidden then."""
        clerk = new_test_user(self.env, login="vrm_clerk", groups="base.group_user")
        (row,) = self.alice.with_user(clerk).read(["email"])
        self.assertEqual(row["email"], f"a{MASK * 3}@example.com")
        self.purpose_service.group_ids = self.env.ref("base.group_user")
        (row,) = self.alice.with_user(clerk).read(["email"])
        self.assertEqual(row["email"], "alice@example.com")


@tagged("post_install", "-at_install")
class TestChoicesIntegrity(VrmCommon):
    def test_choices_change_only_with_their_event(self):
        """Even with write access granted on choices (an administrator adding an access rule),
        a choice is not created, changed or deleted except with its consent event."""
        event = self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", False)
        self.env["ir.model.access"].create(
            {
                "name": "probe",
                "model_id": self.env.ref("crm_vrm.model_vrm_preference").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
                "perm_unlink": True,
            }
        )
        pref = self.alice.vrm_preference_ids
        for attempt in (
            lambda: pref.write({"allowed": True}),
            lambda: pref.sudo().write({"allowed": True}),
            lambda: pref.with_context(crm_vrm_server_only=True).write({"allowed": True}),
            lambda: pref.copy({"purpose_id": self.purpose_service.id}),
            pref.unlink,
        ):
            with self.assertRaises(UserError):
                attempt()
        self.assertFalse(pref.allowed)
        self.assertEqual(self.alice.vrm_consent_event_ids, event)


@tagged("post_install", "-at_install")
class TestEnforcementRpc(HttpCase):
    def test_json_rpc_context_and_groupings(self):
        """Over JSON-RPC, a read with the enforcement "switched off" in the context, inside a
        web_read specification, and a read_group on a hidden field return nothing hidden."""
        user = new_test_user(self.env, login="vrm_rpc_marketer", groups="base.group_user")
        user.vrm_purpose_id = self.env.ref("crm_vrm.purpose_marketing")
        partner = self.env["res.partner"].create(
            {"name": "Erin Example", "email": "erin@example.com", "function": "Pilot"}
        )
        self.authenticate("vrm_rpc_marketer", "vrm_rpc_marketer")
        forged = {"vrm_no_enforcement": True, "vrm_purpose": "service"}

        def call(method, args, **kwargs):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": "res.partner", "method": method, "args": args, "kwargs": {"context": forged, **kwargs}},
            )

        (row,) = call("read", [[partner.id], ["email", "function"]])
        self.assertEqual((row["email"], row["function"]), (f"e{MASK * 3}@example.com", False))
        (row,) = call("web_read", [[partner.id]], specification={"email": {}, "function": {"context": forged}})
        self.assertEqual((row["email"], row["function"]), (f"e{MASK * 3}@example.com", False))
        groups = call("read_group", [[("id", "=", partner.id)], ["email"], ["function"]])
        self.assertNotIn("Pilot", repr(groups))
        self.assertEqual(call("search_count", [[("email", "=", "erin@example.com")]]), 0)


@tagged("post_install", "-at_install")
class TestEnforcementMessages(VrmCommon):
    def test_message_address_follows_its_author(self):
        """A message's copy of its author's address (email_from) is masked, and not found,
        where the author's contact details are not shared."""
        message = self.bob.message_post(body="Call me", author_id=self.alice.id, email_from="alice@example.com")
        marketer = self.reads_for(self.user_internal, "marketing")
        Message = self.env["mail.message"].with_user(marketer)
        (row,) = Message.browse(message.ids).read(["email_from"])
        self.assertEqual(row["email_from"], f"a{MASK * 3}@example.com")
        self.assertFalse(Message.search([("id", "=", message.id), ("email_from", "ilike", "alice@")]))
        self.reads_for(marketer, "service")
        (row,) = Message.browse(message.ids).read(["email_from"])
        self.assertEqual(row["email_from"], "alice@example.com")
