# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Least privilege on service requests: franchise staff act only through the pages' and API's actions and
read none of head office's routing details; visitors' uploads are checked by their content."""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_vrm.tests.ui_case import form_token

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestFranchiseStaffWrites(HttpCase, SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.alice, cls.bob, cls.london_mgr):
            user.password = user.login

    def _rpc_write(self, ticket, vals):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/crm.support.ticket/write",
            {"model": "crm.support.ticket", "method": "write", "args": [ticket.ids, vals], "kwargs": {}},
        )

    @staticmethod
    def _write_value(ticket, fname):
        """The field's current value as a client would send it back (so the write itself is valid)."""
        field = ticket._fields[fname]
        value = ticket.sudo().read([fname], load=None)[0][fname]
        if field.type in ("one2many", "many2many"):
            return [(6, 0, value)]
        if field.type in ("datetime", "date") and value:
            return fields.Datetime.to_string(value) if field.type == "datetime" else fields.Date.to_string(value)
        return value

    def test_technician_writes_no_field_over_json_rpc(self):
        """Every stored field of his own ticket, written by its assignee over /web/dataset/call_kw, is refused."""
        ticket = self._ticket()
        staff = ticket.user_id
        self.authenticate(staff.login, staff.login)
        stored = sorted(name for name, field in ticket._fields.items() if field.store and name != "id")
        accepted = []
        for fname in stored:
            try:
                with mute_logger("odoo.http"):
                    self._rpc_write(ticket, {fname: self._write_value(ticket, fname)})
            except JsonRpcException as exc:
                self.assertEqual(str(exc), "odoo.exceptions.AccessError", fname)
            else:
                accepted.append(fname)
        self.assertEqual(accepted, [], "fields a technician could write directly")
        # The attack of the review: another customer on his ticket, whose details the page would then show.
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self._rpc_write(ticket, {"partner_id": self.other_customer.id, "rating_value": 5})
        self.assertEqual((ticket.partner_id, ticket.rating_value), (self.customer, 0))
        # A context key of the caller changes nothing.
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.support.ticket/write",
                {
                    "model": "crm.support.ticket",
                    "method": "write",
                    "args": [ticket.ids, {"sla_resolution_deadline": "2099-01-01 00:00:00"}],
                    "kwargs": {"context": {"crm_support_sla_write": True}},
                },
            )
        self.assertNotEqual(fields.Datetime.to_string(ticket.sla_resolution_deadline), "2099-01-01 00:00:00")

    def test_franchise_manager_writes_no_field_over_json_rpc(self):
        """The franchise manager, who may act on every ticket of the franchise, cannot write one either."""
        ticket = self._ticket()
        self.authenticate("mgr_ldn", "mgr_ldn")
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self._rpc_write(ticket, {"user_id": self.london_mgr.id})
        self.assertNotEqual(ticket.user_id, self.london_mgr)

    def test_franchise_pages_still_act(self):
        """The technician accepts, updates, messages, notes and closes on the franchise pages."""
        ticket = self._ticket()
        staff = ticket.user_id
        self.authenticate(staff.login, staff.login)
        url = f"/my/franchise/tickets/{ticket.id}"
        token = form_token(self.url_open(url).text)

        def act(action, **data):
            response = self.url_open(f"{url}/{action}", data={"csrf_token": token, **data})
            self.assertEqual(response.status_code, 200, response.text[:500])
            self.assertNotIn("alert-danger", response.text, action)

        act("accept")
        self.assertEqual(ticket.stage_code, "in_progress")
        self.assertTrue(ticket.accepted_at)
        act("stage", stage_code="waiting")
        self.assertEqual(ticket.stage_code, "waiting")
        act("message", body="On my way")
        act("note", body="Bring the big ladder")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "On my way" in str(m.body)))
        act("close", resolution="Windscreen replaced")
        self.assertEqual((ticket.stage_code, ticket.resolution), ("done", "Windscreen replaced"))

    def test_routing_details_are_head_office_only(self):
        """The ranked candidates, the queue of next candidates and the visitor's IP are not the
        technician's to read; support users read them, and their ticket form still loads."""
        ticket = self._ticket(intake_ip="203.0.113.7")
        staff = ticket.user_id
        self.authenticate(staff.login, staff.login)
        for fname in ("routing_candidates", "routing_queue", "intake_ip"):
            with self.assertRaises(JsonRpcException, msg=fname), mute_logger("odoo.http"):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw/crm.support.ticket/read",
                    {"model": "crm.support.ticket", "method": "read", "args": [ticket.ids, [fname]], "kwargs": {}},
                )
        as_support = ticket.with_user(self.triage)
        self.assertEqual(as_support.intake_ip, "203.0.113.7")
        self.assertTrue(as_support.routing_candidates)
        form = as_support.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="routing_candidates"', form)


@tagged("post_install", "-at_install")
class TestPublicUploads(HttpCase, SupportCase):
    def test_refused_upload_leaves_no_request(self):
        """On the public form, a page sent as a photo is refused and no request (nor contact) is left."""
        self.authenticate(None, None)
        token = form_token(self.url_open("/support/request").text)
        Ticket = self.env["crm.support.ticket"]
        data = {
            "csrf_token": token,
            "subject": "Disguised upload",
            "email": "disguised@example.com",
            "zip": "SW1A 2AA",
            "country_id": self.uk.id,
            "category_id": self.cat_windscreen.id,
        }
        page = b"<html><body><script>alert(document.cookie)</script></body></html>"
        response = self.url_open("/support/request", data=data, files={"photos": ("crack.jpg", page, "image/jpeg")})
        self.assertEqual(response.status_code, 400)
        self.assertIn("only photos and PDF files", response.text)
        self.assertFalse(Ticket.search([("subject", "=", "Disguised upload")]))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "disguised@example.com")]))
        photo = b"\xff\xd8\xff\xe0" + b"0" * 100
        response = self.url_open(
            "/support/request", data=data, files={"photos": ("crack.jpg", photo, "application/octet-stream")}
        )
        self.assertEqual(response.status_code, 200)
        ticket = Ticket.search([("subject", "=", "Disguised upload")])
        attachment = self.env["ir.attachment"].search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])
        self.assertEqual(attachment.mimetype, "image/jpeg")


@tagged("post_install", "-at_install")
class TestServiceTemplates(SupportCase):
    SECRET = "{{ object.env['ir.config_parameter'].get_param('database.secret') }}"

    def test_manager_rewords_but_writes_no_code(self):
        """A support manager changes the wording of the service e-mail and SMS (Odoo's restricted mode) but
        cannot save an expression that reads the database secret; an administrator still can."""
        manager = self.support_manager
        self.assertFalse(manager.has_group("mail.group_mail_template_editor"))
        sms = self.env.ref("crm_support.sms_template_ticket_ack")
        mail = self.env.ref("crm_support.mail_template_ticket_ack")
        sms.with_user(manager).body = "Thanks! {{ object.name }}: {{ object.tracking_url }}"
        mail.with_user(manager).body_html = str(mail.body_html).replace("Thank you", "Many thanks")
        self.assertIn("Many thanks", str(mail.body_html))
        for template, fname in ((sms, "body"), (mail, "subject"), (mail, "body_html")):
            value = f"{self.SECRET}" if fname != "body_html" else f'<p t-out="{self.SECRET[3:-3]}"/>'
            with self.assertRaises(AccessError, msg=fname), self.env.cr.savepoint():
                template.with_user(manager).write({fname: value})
            self.assertNotIn("database.secret", str(template[fname]))
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["sms.template"].with_user(manager).create(
                {
                    "name": "Leak",
                    "model_id": self.env.ref("crm_support.model_crm_support_ticket").id,
                    "body": self.SECRET,
                }
            )
        admin = self.env.ref("base.user_admin")
        sms.with_user(admin).body = self.SECRET
        self.assertIn("database.secret", sms.body)
