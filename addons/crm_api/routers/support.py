# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Support (crm_support): intake, status, franchise queue and ticket actions, scorecard."""

import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from odoo.tools import consteq

from ..dependencies import ApiEnv, IdempotencyDep, PagingDep, PublicEnv, client_address
from ..errors import ApiProblem
from ..schemas import Page
from ..schemas_support import (
    Availability,
    AvailabilityIn,
    CloseIn,
    DeclineIn,
    MessageIn,
    MessagePosted,
    Scorecard,
    StageIn,
    Ticket,
    TicketCreated,
    TicketIn,
    TicketStatus,
)
from .common import PROBLEM_RESPONSES

router = APIRouter(prefix="/support", tags=["support"], responses=PROBLEM_RESPONSES)

Reference = Annotated[str, Path(min_length=1, max_length=32, description="e.g. SR-2026-000123")]


def _intake_vals(payload):
    vals = payload.model_dump(exclude_none=True)
    if "country" in vals:
        vals["country_id"] = vals.pop("country")
    if "category" in vals:
        vals["category_id"] = vals.pop("category")
    return vals


def _created(ticket_sudo):
    return {
        "reference": ticket_sudo.name,
        "id": ticket_sudo.id,
        "status": ticket_sudo.stage_code,
        "access_token": ticket_sudo._portal_ensure_token(),
        "tracking_url": ticket_sudo._tracking_url(),
    }


def _status(ticket_sudo):
    return {
        "reference": ticket_sudo.name,
        "subject": ticket_sudo.subject,
        "status": ticket_sudo.stage_code,
        "status_name": ticket_sudo.stage_id.name,
        "request_date": ticket_sudo.request_date,
        "closed_at": ticket_sudo.closed_at or None,
        "resolution": ticket_sudo.resolution or None,
    }


def _ticket(ticket, with_customer=True):
    """A ticket the caller may read; related names are read with the ticket's own scope."""
    ticket_sudo = ticket.sudo()
    customer = None
    if with_customer and ticket_sudo.partner_id:
        customer = {k: (v or None) for k, v in ticket._customer_view().items()}
        customer["id"] = ticket_sudo.partner_id.id
    return {
        **_status(ticket_sudo),
        "id": ticket_sudo.id,
        "priority": ticket_sudo.priority,
        "channel": ticket_sudo.channel,
        "category": ticket_sudo.category_id.code or None,
        "franchise_id": ticket_sudo.franchise_id.id or None,
        "franchise": ticket_sudo.franchise_id.name or None,
        "assigned_to": ticket_sudo.user_id.name or None,
        "accept_deadline": ticket_sudo.accept_deadline or None,
        "sla_status": ticket_sudo.sla_status or None,
        "customer": customer,
    }


def _is_staff(env):
    user = env.user
    return not user.share or user.has_group("crm_support.group_franchise_staff")


def _get_ticket(env, reference):
    """The ticket with this reference among those the caller may read (record rules apply)."""
    ticket = env["crm.support.ticket"].search([("name", "=", reference)], limit=1)
    if not ticket:
        raise ApiProblem(404, f"No request {reference} visible to you.")
    return ticket


@router.post("/tickets", response_model=TicketCreated, status_code=201, summary="Open a service request")
def create_ticket(payload: TicketIn, env: ApiEnv, idem: IdempotencyDep):
    """File a request through the API channel: validated, routed and acknowledged like any other."""

    def create():
        vals = _intake_vals(payload)
        user = env.user
        if not user.has_group("crm_support.group_support_user"):
            # Customers (and anyone not in support) file for themselves only.
            vals["partner_id"] = user.partner_id.id
        elif vals.get("partner_id"):
            if not env["res.partner"].search([("id", "=", vals["partner_id"])]):
                raise ApiProblem(422, f"No customer {vals['partner_id']}.")
        elif not any(vals.get(k) for k in ("email", "phone", "contact_name")):
            # Support staff filing for someone must say who: a customer, or contact details.
            raise ApiProblem(422, "Give partner_id, or the customer's name, e-mail address or phone number.")
        ticket_sudo = env["crm.support.ticket"]._intake(vals, "api")
        return _created(ticket_sudo)

    return idem.run(env, create, model=TicketCreated, status_code=201)


@router.post(
    "/public/tickets",
    response_model=TicketCreated,
    status_code=201,
    summary="Open a request without an account",
    openapi_extra={"security": []},
)
def create_public_ticket(payload: TicketIn, request: Request, env: PublicEnv, idem: IdempotencyDep):
    """The public form's protections apply: rate limit per IP, a contact to reach, no customer choice."""

    def create():
        Ticket = env["crm.support.ticket"]
        ip = client_address(request)
        if Ticket._intake_rate_limited(ip):
            raise ApiProblem(429, "Too many requests from your connection. Please try again later.")
        vals = _intake_vals(payload)
        vals.pop("partner_id", None)
        vals["intake_ip"] = ip
        return _created(Ticket._intake(vals, "public"))

    return idem.run(env, create, model=TicketCreated, status_code=201)


@router.get(
    "/status/{reference}",
    response_model=TicketStatus,
    summary="Status of a request by reference and access token",
    openapi_extra={"security": []},
)
def get_status(reference: Reference, token: Annotated[str, Query(min_length=8, max_length=128)], env: PublicEnv):
    """For the customer who has the reference and the token of the acknowledgement."""
    # Scoped by reference, then checked against the ticket's own token (constant-time).
    ticket_sudo = env["crm.support.ticket"].sudo().search([("name", "=", reference)], limit=1)
    if not ticket_sudo or not ticket_sudo.access_token or not consteq(ticket_sudo.access_token, token):
        raise ApiProblem(404, "No request with this reference and token.")
    return _status(ticket_sudo)


@router.get("/tickets", response_model=Page[Ticket], summary="My requests, or my franchise queue")
def list_tickets(
    env: ApiEnv,
    paging: PagingDep,
    scope: Annotated[Literal["mine", "franchise"], Query(description="franchise: managers' whole queue")] = "mine",
    state: Annotated[Literal["open", "closed", "all"], Query()] = "open",
):
    """Customers: their requests. Franchise staff: assigned to them; managers with scope=franchise:
    their franchise's. Support users: all. Record rules decide what each key sees."""
    user = env.user
    domain = []
    if state != "all":
        domain.append(("is_closed", "=", state == "closed"))
    if user.franchise_id and not (scope == "franchise" and user.has_group("crm_support.group_franchise_manager")):
        domain.append(("user_id", "=", user.id))
    elif user.share and not user.franchise_id:
        domain.append(("commercial_partner_id", "=", user.partner_id.commercial_partner_id.id))
    Ticket = env["crm.support.ticket"]
    tickets = Ticket.search(domain, limit=paging.limit, offset=paging.offset, order="priority desc, id")
    with_customer = _is_staff(env)
    return paging.page([_ticket(t, with_customer) for t in tickets], Ticket.search_count(domain))


@router.get("/tickets/{reference}", response_model=Ticket, summary="One request")
def get_ticket(reference: Reference, env: ApiEnv):
    """A request the key's user may read, with the customer's details masked as shared."""
    return _ticket(_get_ticket(env, reference), _is_staff(env))


@router.post("/tickets/{reference}/accept", response_model=Ticket, summary="Accept an assigned request")
def accept_ticket(reference: Reference, env: ApiEnv, idem: IdempotencyDep):
    """The assignee (or their franchise manager) accepts: work starts."""

    def accept():
        ticket = _get_ticket(env, reference)
        ticket.action_accept()
        return _ticket(ticket)

    return idem.run(env, accept, model=Ticket)


@router.post("/tickets/{reference}/decline", response_model=Ticket, summary="Decline an assigned request")
def decline_ticket(reference: Reference, payload: DeclineIn, env: ApiEnv, idem: IdempotencyDep):
    """The next candidate gets the request (or triage)."""

    def decline():
        ticket = _get_ticket(env, reference)
        ticket.action_decline(reason=payload.reason)
        return _ticket(ticket.sudo(), with_customer=False)

    return idem.run(env, decline, model=Ticket)


@router.post("/tickets/{reference}/stage", response_model=Ticket, summary="Move a request to a stage")
def set_ticket_stage(reference: Reference, payload: StageIn, env: ApiEnv, idem: IdempotencyDep):
    """in_progress, waiting (customer), done or cancelled."""

    def move():
        ticket = _get_ticket(env, reference)
        ticket.action_set_stage(payload.stage)
        return _ticket(ticket)

    return idem.run(env, move, model=Ticket)


@router.post("/tickets/{reference}/messages", response_model=MessagePosted, summary="Message the customer")
def post_ticket_message(reference: Reference, payload: MessageIn, env: ApiEnv, idem: IdempotencyDep):
    """A message on the request's thread, sent to the customer."""

    def post():
        ticket = _get_ticket(env, reference)
        message = ticket._post_customer_message(payload.body)
        return {"message_id": message.id, "reference": reference}

    return idem.run(env, post, model=MessagePosted)


@router.post("/tickets/{reference}/close", response_model=Ticket, summary="Close a request as done")
def close_ticket(reference: Reference, payload: CloseIn, env: ApiEnv, idem: IdempotencyDep):
    """Close with the resolution the customer sees."""

    def close():
        ticket = _get_ticket(env, reference)
        ticket.action_close(payload.resolution)
        return _ticket(ticket)

    return idem.run(env, close, model=Ticket)


@router.get("/me/availability", response_model=Availability, summary="Am I away or available")
def get_availability(env: ApiEnv):
    """Whether routing skips the key's user (set away) or may choose them."""
    return Availability(away=env.user.sudo().support_away)


@router.put("/me/availability", response_model=Availability, summary="Set myself away or available")
def set_availability(payload: AvailabilityIn, env: ApiEnv):
    """Franchise staff set themselves away (routing skips them, as people on leave) or back
    available, as from the queue page; nobody sets another person's availability."""
    env.user._support_set_away(payload.away)
    return Availability(away=env.user.sudo().support_away)


@router.get("/franchises/{franchise_id}/scorecard", response_model=Scorecard, summary="A franchise's scorecard")
def get_scorecard(
    franchise_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    env: ApiEnv,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """Volume, response and resolution times, SLA compliance, escalations and rating (franchise
    managers for their own franchise, support users for any)."""
    user = env.user
    if not (user.has_group("crm_support.group_support_user") or user.has_group("crm_support.group_franchise_manager")):
        raise ApiProblem(403, "Only franchise managers and support users see scorecards.")
    franchise = env["crm.franchise"].search([("id", "=", franchise_id)])
    if not franchise:
        raise ApiProblem(404, f"No franchise {franchise_id} visible to you.")
    return franchise._scorecard(date_from=date_from, date_to=date_to)
