# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class SupportPortal(CustomerPortal):
    """Customer pages (my requests) and franchise staff pages (my queue), mobile-first."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Ticket = request.env["crm.support.ticket"]
        if "support_ticket_count" in counters:
            values["support_ticket_count"] = (
                Ticket.search_count(self._customer_domain()) if Ticket.has_access("read") else 0
            )
        if "franchise_ticket_count" in counters:
            user = request.env.user
            values["franchise_ticket_count"] = Ticket.search_count(self._franchise_domain()) if user.franchise_id else 0
        return values

    def _customer_domain(self):
        return [("commercial_partner_id", "=", request.env.user.partner_id.commercial_partner_id.id)]

    def _franchise_domain(self, scope="mine"):
        user = request.env.user
        if scope == "franchise" and user.has_group("crm_support.group_franchise_manager"):
            return [("franchise_id", "=", user.franchise_id.id)]
        return [("user_id", "=", user.id), ("franchise_id", "=", user.franchise_id.id)]

    # ------------------------------------------------------------------ customers
    @http.route(["/my/support/tickets", "/my/support/tickets/page/<int:page>"], type="http", website=True, auth="user")
    def my_tickets(self, page=1, **kw):
        """The customer's requests with status and deadlines."""
        Ticket = request.env["crm.support.ticket"]
        domain = self._customer_domain()
        pager = self._pager_values(domain, page, "/my/support/tickets")
        tickets = Ticket.search(domain, limit=20, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update({"tickets": tickets, "pager": pager, "page_name": "support_tickets"})
        return request.render("crm_support.portal_my_tickets", values)

    def _pager_values(self, domain, page, url):
        total = request.env["crm.support.ticket"].search_count(domain)
        return portal_pager(url=url, total=total, page=page, step=20)

    @http.route("/my/support/tickets/<int:ticket_id>", type="http", website=True, auth="public")
    def my_ticket(self, ticket_id, access_token=None, **kw):
        """One request: status, deadlines, thread and rating once closed (token links work logged out)."""
        try:
            ticket_sudo = self._document_check_access("crm.support.ticket", ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {"ticket": ticket_sudo, "page_name": "support_ticket"},
            "my_support_tickets_history",
            False,
            **kw,
        )
        return request.render("crm_support.portal_my_ticket", values)

    @http.route("/my/support/tickets/<int:ticket_id>/rate", type="http", website=True, auth="public", methods=["POST"])
    def rate_ticket(self, ticket_id, access_token=None, rating=None, comment=None, **kw):
        """The customer rates a closed request 1-5 with a comment."""
        try:
            ticket_sudo = self._document_check_access("crm.support.ticket", ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # only the customer rates: the franchise staff who may read the request (and feed the
        # scorecards with its rating) may not; the tracking link's token stands for the customer
        token_ok = access_token and ticket_sudo.access_token and consteq(ticket_sudo.access_token, access_token)
        customer = request.env.user.partner_id.commercial_partner_id
        if not token_ok and (request.env.user._is_public() or ticket_sudo.commercial_partner_id != customer):
            return request.redirect("/my")
        ticket_sudo._rate(rating, comment)
        suffix = f"?access_token={access_token}" if access_token else ""
        return request.redirect(f"/my/support/tickets/{ticket_id}{suffix}")

    # ------------------------------------------------------------------ franchise staff
    def _franchise_ticket(self, ticket_id):
        """The ticket if the franchise user may read it (record rules), else None."""
        user = request.env.user
        if not user.franchise_id and not user.has_group("crm_support.group_support_user"):
            return None
        ticket = request.env["crm.support.ticket"].browse(ticket_id)
        try:
            ticket.check_access("read")
            ticket.exists()
        except (AccessError, MissingError):
            return None
        return ticket if ticket.exists() else None

    @http.route("/my/franchise/queue", type="http", website=True, auth="user")
    def franchise_queue(self, scope="mine", **kw):
        """My queue (staff) or my franchise's queue (manager), open tickets first."""
        user = request.env.user
        if not user.franchise_id:
            return request.redirect("/my")
        Ticket = request.env["crm.support.ticket"]
        tickets = Ticket.search([*self._franchise_domain(scope), ("is_closed", "=", False)], order="priority desc, id")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets,
                "scope": scope,
                "is_manager": user.has_group("crm_support.group_franchise_manager"),
                "franchise": user.franchise_id,
                # the person's own availability, which franchise staff may not read on their user record
                "away": user.sudo().support_away,
                "scorecard": user.franchise_id._scorecard()
                if user.has_group("crm_support.group_franchise_manager")
                else None,
                "page_name": "franchise_queue",
            }
        )
        return request.render("crm_support.portal_franchise_queue", values)

    @http.route("/my/franchise/availability", type="http", website=True, auth="user", methods=["POST"])
    def franchise_availability(self, away=None, **kw):
        """The technician sets themselves away or available (routing skips people away)."""
        if not request.env.user.franchise_id:
            return request.redirect("/my")
        request.env.user._support_set_away(away == "1")
        return request.redirect("/my/franchise/queue")

    @http.route("/my/franchise/tickets/<int:ticket_id>", type="http", website=True, auth="user")
    def franchise_ticket(self, ticket_id, error=None, **kw):
        """The mobile page of one ticket for franchise staff."""
        ticket = self._franchise_ticket(ticket_id)
        if not ticket:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "ticket": ticket,
                "customer": ticket._customer_view(),
                "stages": request.env["crm.support.stage"].sudo().search([("code", "in", ["in_progress", "waiting"])]),
                "error": error,
                "page_name": "franchise_ticket",
            }
        )
        return request.render("crm_support.portal_franchise_ticket", values)

    @http.route(
        "/my/franchise/tickets/<int:ticket_id>/<string:action>",
        type="http",
        website=True,
        auth="user",
        methods=["POST"],
    )
    def franchise_ticket_action(self, ticket_id, action, **post):
        """Accept, decline, change stage, message the customer, note, photo, close: each checked by the model."""
        ticket = self._franchise_ticket(ticket_id)
        if not ticket:
            return request.not_found()
        try:
            if action == "accept":
                ticket.action_accept()
            elif action == "decline":
                ticket.action_decline(post.get("reason"))
                return request.redirect("/my/franchise/queue")
            elif action == "stage":
                ticket.action_set_stage(post.get("stage_code"))
            elif action == "message" and (post.get("body") or "").strip():
                ticket._post_customer_message(post["body"])
            elif action == "note" and (post.get("body") or "").strip():
                ticket._post_internal_note(post["body"])
            elif action == "photo":
                files = request.httprequest.files.getlist("photos")
                ticket._add_photos([(f.filename, f.read(), f.mimetype) for f in files if f.filename])
            elif action == "close":
                ticket.action_close(post.get("resolution"))
            else:
                return request.not_found()
        except (UserError, AccessError) as exc:
            return self.franchise_ticket(ticket_id, error=exc.args[0])
        return request.redirect(f"/my/franchise/tickets/{ticket_id}")
