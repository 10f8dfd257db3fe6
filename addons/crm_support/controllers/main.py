# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq

from ..models.crm_support_ticket import INTAKE_FIELDS

# The forms offer what intake accepts except the customer (from the session, never from a form)
# and the state, which they do not ask.
FORM_FIELDS = tuple(f for f in INTAKE_FIELDS if f not in ("partner_id", "state_id"))


class SupportIntake(http.Controller):
    """Public and portal request forms: thin, they parse and call crm.support.ticket._intake."""

    def _form_values(self, error=None, values=None):
        values = values or {}
        # Choices from a per-language cache: the form is opened before every request.
        category_options, country_options = (
            request.env["crm.support.ticket"]
            .sudo()
            ._intake_form_options(values.get("category_id"), values.get("country_id"))
        )
        return {
            "category_options": category_options,
            "country_options": country_options,
            "error": error,
            "values": values,
        }

    def _files(self, post_files):
        return [(f.filename, f.read(), f.mimetype) for f in post_files if getattr(f, "filename", None)]

    @http.route("/support/request", type="http", website=True, auth="public", methods=["GET"], sitemap=False)
    def public_form(self, **kw):
        """The public request form (no login): a light standalone page."""
        # Keep the visitor's session (and its database) on disk, once: the POST that follows then finds
        # the database in it instead of listing the server's databases on a new PostgreSQL connection.
        if request.session.is_new:
            request.session.touch()
        return request.render("crm_support.public_request_form", self._form_values())

    @http.route(
        "/support/request", type="http", website=True, auth="public", methods=["POST"], csrf=True, sitemap=False
    )
    def public_submit(self, **post):
        """Create a request from the public form: honeypot, rate limit per IP, server-side checks."""
        values = {k: post.get(k) for k in FORM_FIELDS}
        if post.get("website_url"):
            # Honeypot filled: a bot. Answer like a success without creating anything.
            return request.render("crm_support.public_request_thanks", {"ticket": None})
        Ticket = request.env["crm.support.ticket"]
        ip = request.httprequest.remote_addr
        if Ticket.sudo()._intake_rate_limited(ip):
            error = request.env._("Too many requests from your connection. Please try again later.")
            return request.render("crm_support.public_request_form", self._form_values(error, values), status=429)
        values["intake_ip"] = ip
        values["attachments"] = self._files(request.httprequest.files.getlist("photos"))
        try:
            ticket_sudo = Ticket._intake(values, "public")
        except ValidationError as exc:
            return request.render("crm_support.public_request_form", self._form_values(exc.args[0], values), status=400)
        return request.render(
            "crm_support.public_request_thanks", {"ticket": ticket_sudo, "tracking_url": ticket_sudo._tracking_url()}
        )

    @http.route("/my/support/new", type="http", website=True, auth="user", methods=["GET", "POST"], sitemap=False)
    def portal_form(self, **post):
        """Logged-in customers file a request for themselves."""
        partner = request.env.user.partner_id
        if request.httprequest.method == "GET":
            values = {
                "contact_name": partner.name,
                "email": partner.email,
                "phone": partner.mobile or partner.phone,
                "street": partner.street,
                "city": partner.city,
                "zip": partner.zip,
            }
            return request.render("crm_support.portal_request_form", self._form_values(values=values))
        values = {k: post.get(k) for k in FORM_FIELDS}
        values["partner_id"] = partner.id
        values["attachments"] = self._files(request.httprequest.files.getlist("photos"))
        try:
            ticket_sudo = request.env["crm.support.ticket"]._intake(values, "portal")
        except ValidationError as exc:
            return request.render("crm_support.portal_request_form", self._form_values(exc.args[0], values), status=400)
        return request.redirect(f"/my/support/tickets/{ticket_sudo.id}")

    @http.route("/sr/<int:ticket_id>", type="http", website=True, auth="user", sitemap=False)
    def deep_link(self, ticket_id, **kw):
        """Short link sent by SMS to staff: the ticket's mobile page."""
        return request.redirect(f"/my/franchise/tickets/{ticket_id}")


class SmsGatewayCallback(http.Controller):
    @http.route(
        "/crm_support/sms/status/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def sms_status(self, token, **post):
        """Delivery report of the HTTP SMS gateway (Twilio-style MessageSid / MessageStatus)."""
        expected = request.env["ir.config_parameter"].sudo().get_param("crm_support.sms_gateway_callback_token")
        if not expected or not consteq(expected, token):
            return request.make_response("forbidden", status=403)
        sms = request.env["sms.sms"].sudo()._crm_gateway_status(post.get("MessageSid"), post.get("MessageStatus"))
        return request.make_response("ok" if sms else "unknown", status=200 if sms else 404)
