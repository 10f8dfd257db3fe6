# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_loyalty.tests.common import create_ba_programme
from odoo.addons.crm_vrm.tests.common import text_columns_holding


@tagged("post_install", "-at_install")
class TestErasureEverywhere(TransactionCase):
    """An approved erasure leaves no identifier of the customer in any table of a database
    holding all the addons (crm_api sees them all), while loyalty and ticket figures stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True, tracking_disable=True))
        uk = cls.env.ref("base.uk")
        cls.officer = new_test_user(
            cls.env, login="erasure_officer", groups="base.group_user,crm_vrm.group_vrm_manager"
        )
        cls.user = new_test_user(
            cls.env, login="zoe.quarrendon@example.org", groups="base.group_portal", name="Zoë Quarrendon"
        )
        cls.customer = cls.user.partner_id
        cls.customer.write(
            {
                "email": "Zoe.Quarrendon@example.org",
                "mobile": "+44 7911 123461",
                "phone": "020 7946 0321",
                "street": "17 Quarrendon Mews",
                "city": "London",
                "zip": "SW1A 1AA",
                "country_id": uk.id,
            }
        )
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Yusuf Brightwater",
                "email": "yusuf.brightwater@example.org",
                "mobile": "+44 7911 123499",
                "street": "3 Brightwater Close",
                "country_id": uk.id,
            }
        )
        program = create_ba_programme(cls.env, name="Erasure Club")
        cls.card = cls.env["loyalty.card"].create({"program_id": program.id, "partner_id": cls.customer.id})
        cls.env["crm.loyalty.posting"].post(
            {
                "member": cls.card.member_number,
                "amount": 420,
                "currency": program.currency_id.name,
                "channel": "store",
                "external_ref": "E-1",
                "source": "till",
            }
        )

    def _identifiers_everywhere(self):
        """Copies of the customer's identifiers in the tables the ORM part of erasure does not
        clean: queued and sent SMS, e-mails, messages and tracking values on a ticket, a stored
        API response, a webhook delivery; and the same of the other customer."""
        env = self.env
        Ticket = env["crm.support.ticket"]
        ticket = Ticket.create(
            {
                "subject": "Cracked windscreen at 17 Quarrendon Mews",
                "partner_id": self.customer.id,
                "contact_name": "Zoë Quarrendon",
                "email": "zoe.quarrendon@example.org",
                "phone": "07911 123461",
                "street": "17 Quarrendon Mews",
                "zip": "SW1A 1AA",
            }
        )
        other_ticket = Ticket.create(
            {"subject": "Chip", "partner_id": self.other.id, "contact_name": "Yusuf Brightwater"}
        )
        message = ticket.message_post(
            body="<p>Technician: Zoë Quarrendon is at home, call 07911&nbsp;123461 or 020 7946 0321</p>",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        env["mail.tracking.value"].sudo().create(
            {
                "mail_message_id": message.id,
                "field_id": env["ir.model.fields"]._get("crm.support.ticket", "email").id,
                "old_value_char": "ZOE.QUARRENDON@EXAMPLE.ORG",
                "new_value_char": "+447911123461",
            }
        )
        env["mail.mail"].sudo().create(
            {
                "email_to": '"Zoë Quarrendon" <zoe.quarrendon@example.org>',
                "subject": "Your request, Zoë Quarrendon",
                "body_html": "<p>We will ring +44 (0)7911 123461</p>",
                "mail_message_id": message.id,
            }
        )
        Sms = env["sms.sms"].sudo()
        Sms.create({"number": "+447911123461", "body": "Hi Zoë Quarrendon, on our way", "state": "pending"})
        Sms.create({"number": "+447911123461", "body": "Reminder for 17 Quarrendon Mews", "state": "outgoing"})
        Sms.create({"number": "+447911123499", "body": "Hi Yusuf Brightwater", "state": "pending"})
        for user, body in (
            (self.user, {"name": "Zoë Quarrendon", "email": "zoe.quarrendon@example.org", "phone": "+447911123461"}),
            (self.officer, {"name": "Yusuf Brightwater", "email": "yusuf.brightwater@example.org"}),
        ):
            env["crm.api.idempotency"].sudo().create(
                {
                    "caller": f"user:{user.id}",
                    "user_id": user.id,
                    "key": f"k-{user.id}",
                    "request_hash": "0" * 64,
                    "method": "POST",
                    "path": "/api/v1/support/tickets",
                    "status_code": 201,
                    # json.dumps escapes non-ASCII: the stored name is "Zo\u00eb Quarrendon"
                    "response_body": json.dumps(body),
                }
            )
        webhook = (
            env["crm.api.webhook"]
            .sudo()
            .create(
                {
                    "name": "CRM mirror",
                    "url": "https://mirror.example.com/hook",
                    "active": False,
                    "event_ids": [(6, 0, env.ref("crm_api.webhook_event_ticket_created").ids)],
                }
            )
        )
        env["crm.api.webhook.delivery"].sudo().create(
            {
                "webhook_id": webhook.id,
                "event": "ticket.created",
                "payload": json.dumps({"customer": {"email": "zoe.quarrendon@example.org", "mobile": "07911123461"}}),
            }
        )
        return ticket, other_ticket

    def test_erasure_leaves_no_identifier_in_any_table(self):
        """After approval, no form of the e-mail, phone numbers, name or street is in any column
        of any table; the other customer's copies, the loyalty ledger and ticket counts stay."""
        ticket, other_ticket = self._identifiers_everywhere()
        needles = [
            "quarrendon",
            "7911 123461",
            "7911123461",
            "7911&nbsp;123461",
            "7946 0321",
            "79460321",
        ]
        self.env.flush_all()
        self.assertIn("crm_api_idempotency.response_body", text_columns_holding(self.env.cr, needles))
        self.assertIn("sms_sms.body", text_columns_holding(self.env.cr, needles))
        Ticket = self.env["crm.support.ticket"]
        tickets_before = Ticket.search_count([("partner_id", "=", self.customer.id)])
        points_before = (self.card.points, sum(self.card.history_ids.mapped("qualifying_points")))
        other_before = other_ticket.read(["subject", "contact_name"])
        request = self.env["vrm.rights.request"]._vrm_submit(self.customer, "erasure")
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "done")
        self.env.flush_all()
        self.assertEqual(text_columns_holding(self.env.cr, needles), [])
        # the figures stay
        self.assertEqual(Ticket.search_count([("partner_id", "=", self.customer.id)]), tickets_before)
        self.assertTrue(ticket.exists())
        self.assertEqual((self.card.points, sum(self.card.history_ids.mapped("qualifying_points"))), points_before)
        self.assertEqual(self.card.points, 420)
        # nothing of the other customer was touched
        self.assertEqual(other_ticket.read(["subject", "contact_name"]), other_before)
        for table_column in (
            "crm_api_idempotency.response_body",
            "sms_sms.body",
            "crm_support_ticket.contact_name",
            "res_partner.name",
        ):
            self.assertIn(table_column, text_columns_holding(self.env.cr, ["yusuf brightwater"]))
        # queued text messages to the erased customer are not sent to a scrubbed number
        self.assertFalse(self.env["sms.sms"].search([("state", "=", "outgoing"), ("body", "ilike", "Reminder")]))
