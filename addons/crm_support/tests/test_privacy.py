# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestPrivacy(SupportCase):
    def test_franchise_recipient(self):
        """Each franchise has its own data recipient; its people see customers as that recipient."""
        recipient = self.franchise_london.vrm_recipient_id
        self.assertEqual(recipient.recipient_type, "franchise")
        self.assertEqual(recipient.partner_id, self.franchise_london.partner_id)
        self.assertEqual(self.alice._vrm_recipient(), recipient)
        self.assertEqual(self.zoe._vrm_recipient(), self.franchise_zurich.vrm_recipient_id)
        self.assertEqual(self.support_user._vrm_recipient(), self.env.ref("crm_vrm.recipient_company"))

    def test_staff_cannot_read_contact_fields_directly(self):
        """Franchise staff read the customer only through crm_vrm, never the raw fields by RPC."""
        ticket = self._ticket()
        staff = ticket.user_id
        with self.assertRaises(AccessError):
            ticket.with_user(staff).read(["email"])
        view = ticket.with_user(staff)._customer_view()
        self.assertEqual(view["name"], self.customer.name)
        self.assertIn("zip", view)
        log = (
            self.env["vrm.access.log"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("reference", "=", ticket.name)])
        )
        self.assertTrue(log, "what a franchise was shown is logged with the ticket reference")

    def test_export_and_anonymize(self):
        """The rights export lists the tickets; erasure removes their text but keeps the figures."""
        ticket = self._ticket(description="<p>My car is at 12 Secret Street</p>", street="12 Secret Street")
        data = self.customer._vrm_export_data()
        self.assertEqual([t["reference"] for t in data["support"]], [ticket.name])
        self.assertIn("Secret Street", data["support"][0]["description"])
        self.customer._vrm_anonymize()
        self.assertFalse(ticket.description)
        self.assertFalse(ticket.street)
        self.assertEqual(ticket.subject, "Erased request")
        self.assertEqual(ticket.franchise_id, self.franchise_london)
        self.assertTrue(ticket.name.startswith("SR-"))
        self.assertFalse(any("Secret" in (m.body or "") for m in ticket.message_ids))

    def test_erasure_scrubs_the_requests_own_contact_details(self):
        """The e-mail, number, name and street typed with a request (not the record's) are
        exported, then scrubbed from every table by the erasure; the request itself stays."""
        ticket = self._ticket(
            contact_name="Carlotta Quennell",
            email="carlotta.quennell@example.net",
            phone="+44 7911 123477",
            street="8 Quennell Row",
        )
        self.env["sms.sms"].create({"number": "+447911123477", "body": "Carlotta Quennell, we are on our way"})
        self.other_customer.message_post(body="Forwarded from carlotta.quennell@example.net, 07911 123477")
        (exported,) = self.customer._vrm_export_data()["support"]
        self.assertEqual(exported["email"], "carlotta.quennell@example.net")
        self.assertEqual(exported["street"], "8 Quennell Row")
        self.customer._vrm_anonymize()
        self.env.flush_all()
        self.assertTrue(ticket.exists())
        self.assertEqual(self.env["crm.support.ticket"].search_count([("partner_id", "=", self.customer.id)]), 1)
        for needle in ("quennell", "7911 123477", "7911123477"):
            self.env.cr.execute(
                "SELECT 1 FROM sms_sms WHERE body ~* %(n)s OR number ~* %(n)s "
                "UNION ALL SELECT 1 FROM mail_message WHERE body ~* %(n)s "
                "UNION ALL SELECT 1 FROM crm_support_ticket WHERE concat(contact_name, email, phone, street) ~* %(n)s",
                {"n": needle},
            )
            self.assertFalse(self.env.cr.fetchall(), needle)

    def test_export_holds_only_what_the_customer_sees(self):
        """The export's messages are the request's conversation with the customer: the staff's internal
        notes and messages marked internal stay out, as they do in the customer's portal."""
        ticket = self._ticket()
        staff = ticket.user_id
        ticket.with_user(staff)._post_customer_message("We come on Monday")
        ticket.with_user(staff)._post_internal_note("Customer sounded difficult")
        ticket.message_post(body="Margin is thin on this one", message_type="comment", subtype_xmlid="mail.mt_comment")
        ticket.message_ids.filtered(lambda m: "Margin" in str(m.body)).is_internal = True
        ticket.message_post(
            body="Monday suits me", message_type="comment", subtype_xmlid="mail.mt_comment", author_id=self.customer.id
        )
        (exported,) = self.customer._vrm_export_data()["support"]
        bodies = [m["body"] for m in exported["messages"]]
        self.assertIn("We come on Monday", bodies)
        self.assertIn("Monday suits me", bodies)
        self.assertFalse([b for b in bodies if "difficult" in b or "Margin" in b], bodies)

    def test_ack_sms_to_valid_unblocked_mobile(self):
        """The acknowledgement SMS goes to a valid mobile, never to a blacklisted one."""
        ticket = self._ticket()
        sms = self.env["sms.sms"].search([("number", "=", "+447911123400")])
        self.assertEqual(len(sms), 1)
        self.assertIn(ticket.name, sms.body)
        self.assertIn("access_token=", sms.body)
        self.env["phone.blacklist"].sudo().add("+447911123400")
        self._ticket()
        self.assertEqual(len(self.env["sms.sms"].search([("number", "=", "+447911123400")])), 1)
