# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Data sharing (crm_vrm): the customer's own choices, history, receipts; masked reads for staff."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from ..dependencies import ApiEnv, IdempotencyDep, PagingDep, PublicEnv, rate_limit
from ..errors import ApiProblem
from ..schemas import Page
from ..schemas_vrm import (
    Agreement,
    AgreementRecord,
    ConsentEvent,
    CustomerView,
    PreferenceIn,
    Preferences,
    ReceiptDocument,
    ReceiptToVerify,
    Register,
    RightsRequest,
    RightsRequestIn,
    Verification,
)
from .common import PROBLEM_RESPONSES

router = APIRouter(prefix="/vrm", tags=["data sharing"], responses=PROBLEM_RESPONSES)

CUSTOMER_FIELDS = ["name", "email", "phone", "mobile", "street", "street2", "zip", "city"]
Code = Annotated[str, Query(min_length=1, max_length=64)]


def _event_dict(event_sudo):
    return {
        "id": event_sudo.id,
        "date": event_sudo.event_date,
        "recipient_type": event_sudo.recipient_type,
        "recipient_id": event_sudo.recipient_id.id or None,
        "recipient": event_sudo.recipient_id.name or None,
        "purpose": event_sudo.purpose_id.code,
        "category": event_sudo.category_id.code,
        "old_value": event_sudo.old_value,
        "new_value": event_sudo.new_value,
        "channel": event_sudo.channel,
        "receipt_id": event_sudo.receipt_uuid or None,
    }


def _recipient(env, recipient_id):
    if not recipient_id:
        return env.ref("crm_vrm.recipient_company")
    recipient = env["vrm.recipient"].search([("id", "=", recipient_id)])
    if not recipient:
        raise ApiProblem(404, f"No data recipient {recipient_id}.")
    return recipient


@router.get("/register", response_model=Register, summary="Recipients, purposes and data categories")
def get_register(env: ApiEnv):
    """What can be shared, with whom and why: the codes the other operations take."""
    return {
        "recipients": [
            {"id": r.id, "name": r.name, "type": r.recipient_type, "description": r.description or None}
            for r in env["vrm.recipient"].search([])
        ],
        "purposes": [
            {"code": p.code, "name": p.name, "legal_basis": p.legal_basis, "description": p.description or None}
            for p in env["vrm.purpose"].search([])
        ],
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "contract_minimum": c.contract_minimum,
                "description": c.description or None,
            }
            for c in env["vrm.data.category"].search([])
        ],
    }


@router.get("/preferences", response_model=Preferences, summary="My sharing choices")
def get_preferences(
    env: ApiEnv,
    recipient_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="A recipient (default: the company).")
    ] = None,
):
    """The key owner's effective choices towards one recipient, purpose by category, and the
    explicit choices they made."""
    partner = env.user.partner_id
    recipient = _recipient(env, recipient_id)
    purposes = env["vrm.purpose"].search([])
    categories = env["vrm.data.category"].search([])
    effective = [
        {
            "purpose": purpose.code,
            "category": category.code,
            "allowed": partner._vrm_allows(recipient, purpose.code, category.code),
        }
        for purpose in purposes
        for category in categories
    ]
    # The caller's own rows only (customers have no read access to the preference table).
    prefs_sudo = env["vrm.preference"].sudo().search([("partner_id", "=", partner.id)])
    return {
        "partner_id": partner.id,
        "recipient_id": recipient.id,
        "recipient": recipient.name,
        "effective": effective,
        "choices": [
            {
                "recipient_type": p.recipient_type,
                "recipient_id": p.recipient_id.id or None,
                "purpose": p.purpose_id.code,
                "category": p.category_id.code,
                "allowed": p.allowed,
            }
            for p in prefs_sudo
        ],
    }


@router.post("/preferences", response_model=ConsentEvent, summary="Change one of my sharing choices")
def set_preference(payload: PreferenceIn, request: Request, env: ApiEnv, idem: IdempotencyDep):
    """Allow or deny a recipient (or every recipient of a type) a category of data for a purpose;
    answers the recorded consent event with its receipt id."""

    def change():
        partner = env.user.partner_id
        if payload.recipient_id:
            target = _recipient(env, payload.recipient_id)
        elif payload.recipient_type == "company":
            target = env.ref("crm_vrm.recipient_company")
        else:
            target = payload.recipient_type
        purposes = env["vrm.purpose"].search([("code", "=", payload.purpose)])
        categories = env["vrm.data.category"].search([("code", "=", payload.category)])
        if not purposes or not categories:
            raise ApiProblem(422, "Unknown purpose or category code (see GET /vrm/register).")
        meta = {
            "ip": request.client.host if request.client else None,
            "user_agent": request.headers.get("User-Agent"),
        }
        event = partner._vrm_set_preference(
            target, payload.purpose, payload.category, payload.allowed, channel="api", request_meta=meta
        )
        return _event_dict(event.sudo())

    return idem.run(env, change, model=ConsentEvent)


@router.get("/history", response_model=Page[ConsentEvent], summary="My consent history")
def get_history(env: ApiEnv, paging: PagingDep):
    """Every change of the key owner's choices, newest first."""
    domain = [("partner_id", "=", env.user.partner_id.id)]
    events_sudo = env["vrm.consent.event"].sudo()
    records = events_sudo.search(domain, limit=paging.limit, offset=paging.offset)
    return paging.page([_event_dict(e) for e in records], events_sudo.search_count(domain))


@router.get("/receipts/{receipt_id}", response_model=ReceiptDocument, summary="One of my consent receipts")
def get_receipt(receipt_id: Annotated[str, Path(min_length=1, max_length=64)], env: ApiEnv):
    """The signed Kantara consent receipt of one of the key owner's consent events."""
    event_sudo = (
        env["vrm.consent.event"]
        .sudo()
        .search([("receipt_uuid", "=", receipt_id), ("partner_id", "=", env.user.partner_id.id)], limit=1)
    )
    if not event_sudo:
        raise ApiProblem(404, "No such receipt among yours.")
    return event_sudo._vrm_receipt_document()


@router.post(
    "/receipts/verify",
    response_model=Verification,
    summary="Verify a consent receipt (no key needed)",
    openapi_extra={"security": []},
    # Anyone may ask, so each address gets a budget like the public ticket intake.
    dependencies=[rate_limit("vrm.receipt_verify", "crm_api.receipt_verify_rate_limit", 30)],
)
def verify_receipt(document: ReceiptToVerify, env: PublicEnv, idem: IdempotencyDep):
    """Whether a receipt is genuine (signed by one of our keys, see the JWKS at /vrm/jwks.json) and
    still the current choice; anyone can also check the JWS offline with a JOSE library."""
    return idem.run(
        env,
        lambda: env["vrm.consent.event"]._vrm_verify(document.model_dump(exclude_none=True)),
        model=Verification,
    )


@router.get("/export", response_model=dict[str, Any], summary="Export of my data (rights request)")
def export_my_data(env: ApiEnv):
    """Everything the suite holds about the key owner, as the rights-request export."""
    return env.user.partner_id._vrm_export_data()


def _rights_dict(request_sudo):
    return {
        "reference": request_sudo.name,
        "type": request_sudo.request_type,
        "state": request_sudo.state,
        "request_date": request_sudo.request_date,
        "deadline_date": request_sudo.deadline_date or None,
    }


@router.post("/rights-requests", response_model=RightsRequest, status_code=201, summary="File a rights request")
def create_rights_request(payload: RightsRequestIn, env: ApiEnv, idem: IdempotencyDep):
    """Export, rectification and objection are carried out at once; erasure waits for the
    privacy officer. Answered within 30 days."""

    def submit():
        # As the portal does: the register is written with sudo, for the caller's own partner only.
        partner_sudo = env.user.partner_id.sudo()
        request_sudo = env["vrm.rights.request"].sudo()._vrm_submit(partner_sudo, payload.type, payload.values or {})
        return _rights_dict(request_sudo)

    return idem.run(env, submit, model=RightsRequest, status_code=201)


@router.get("/rights-requests", response_model=Page[RightsRequest], summary="My rights requests")
def list_rights_requests(env: ApiEnv, paging: PagingDep):
    """The key owner's rights requests, newest first."""
    domain = [("partner_id", "=", env.user.partner_id.id)]
    requests_sudo = env["vrm.rights.request"].sudo()
    records = requests_sudo.search(domain, limit=paging.limit, offset=paging.offset)
    return paging.page([_rights_dict(r) for r in records], requests_sudo.search_count(domain))


def _agreement_record_dict(record_sudo):
    return {
        "id": record_sudo.id,
        "agreement": record_sudo.agreement_id.code,
        "version": record_sudo.agreement_version,
        "state": record_sudo.state,
        "proffer_date": record_sudo.proffer_date,
        "document": record_sudo._vrm_portal_document(),
    }


@router.get("/agreements", response_model=list[Agreement], summary="Standard agreements (MyTerms)")
def list_agreements(env: ApiEnv):
    """The agreements the company answers, with its policy (accept, reject or review)."""
    # The published catalogue (no personal data), as on the portal page.
    agreements_sudo = env["vrm.agreement"].sudo().search([])
    return [
        {
            "code": a.code,
            "name": a.name,
            "version": a.version,
            "summary": a.summary or None,
            "url": a.url or None,
            "policy": a.policy,
        }
        for a in agreements_sudo
    ]


@router.post(
    "/agreements/{code}/proffer",
    response_model=AgreementRecord,
    status_code=201,
    summary="Proffer a standard agreement",
)
def proffer_agreement(code: Annotated[str, Path(min_length=1, max_length=64)], env: ApiEnv, idem: IdempotencyDep):
    """The key owner proffers the agreement; the company's policy answers it at once or the
    privacy officer does. Accepted terms become consent events (channel myterms)."""

    def proffer():
        agreement_sudo = env["vrm.agreement"].sudo().search([("code", "=", code)], limit=1)
        if not agreement_sudo:
            raise ApiProblem(404, f"No agreement {code}.")
        record_sudo = env.user.partner_id.sudo()._vrm_proffer_agreement(agreement_sudo)
        return _agreement_record_dict(record_sudo)

    return idem.run(env, proffer, model=AgreementRecord, status_code=201)


@router.get("/agreement-records", response_model=Page[AgreementRecord], summary="My agreements")
def list_agreement_records(env: ApiEnv, paging: PagingDep):
    """The key owner's proffered agreements with their signed records."""
    domain = [("partner_id", "=", env.user.partner_id.id)]
    records_sudo = env["vrm.agreement.record"].sudo()
    records = records_sudo.search(domain, limit=paging.limit, offset=paging.offset)
    return paging.page([_agreement_record_dict(r) for r in records], records_sudo.search_count(domain))


@router.get("/customers/{partner_id}", response_model=CustomerView, summary="A customer, as you may see them")
def get_customer(
    partner_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    env: ApiEnv,
    purpose: Annotated[Literal["service", "marketing", "profiling", "third_party"], Query()] = "service",
):
    """Contact fields of a customer the key's user may read, masked where the customer does not
    share them with the user's organisation for ``purpose``; each shown category is logged."""
    partner = env["res.partner"].search([("id", "=", partner_id)])
    if not partner:
        raise ApiProblem(404, f"No customer {partner_id} visible to you.")
    recipient = env.user._vrm_recipient()
    row = partner._vrm_read_for(recipient, purpose, CUSTOMER_FIELDS, reference="API")[0]
    return {key: (value or None) for key, value in row.items()}
