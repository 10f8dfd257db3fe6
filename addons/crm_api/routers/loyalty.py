# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Loyalty (crm_loyalty): headless posting, member look-up, statement, vouchers, redemption."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from odoo import fields

from ..dependencies import ApiEnv, IdempotencyDep, PagingDep
from ..errors import ApiProblem
from ..schemas import Page
from ..schemas_loyalty import (
    EnrolmentIn,
    MemberSummary,
    PostingIn,
    PostingResult,
    RedemptionIn,
    RedemptionResult,
    StatementFilter,
    StatementRow,
    Voucher,
)
from .common import PROBLEM_RESPONSES

router = APIRouter(prefix="/loyalty", tags=["loyalty"], responses=PROBLEM_RESPONSES)

Member = Annotated[str, Path(min_length=1, max_length=64, description="Card code or member number.")]
StatementFilterDep = Annotated[StatementFilter, Query()]


def _nullify(values, keys):
    """Odoo's False for "no value" becomes JSON null in the given keys."""
    return {key: (None if key in keys and value is False else value) for key, value in values.items()}


def _summary(card):
    optional = {
        "member_number",
        "tier",
        "next_tier",
        "points_to_keep",
        "tier_if_not_kept",
        "period_end",
        "next_review_date",
    }
    summary = _nullify(card._crm_member_summary(), optional)
    summary.pop("tier_color", None)
    return {**summary, "card_id": card.id, "program": card.program_id.name}


def _find_member(env, member):
    """The membership with this card code or member number, as the key's user may read it."""
    card = env["loyalty.card"].search(
        [("program_id.program_type", "=", "loyalty"), "|", ("member_number", "=", member), ("code", "=", member)],
        limit=1,
    )
    if not card:
        raise ApiProblem(404, f"No loyalty member {member}.")
    return card


def _own_cards_sudo(env, card_id=None):
    """The caller's own memberships (sudo scoped to the caller's partner, as the portal does)."""
    domain = [("partner_id", "=", env.user.partner_id.id), ("program_id.program_type", "=", "loyalty")]
    if card_id is not None:
        domain.append(("id", "=", card_id))
    return env["loyalty.card"].sudo().search(domain)


def _statement_page(card, paging, filters):
    rows = card._crm_statement(
        offset=paging.offset, limit=paging.limit, external_ref=filters.external_ref, source=filters.source
    )
    total = (
        card.env["loyalty.history"]
        .sudo()
        .search_count(card._crm_statement_domain(filters.external_ref, filters.source))
    )
    optional = {"date", "description", "expiry_date", "external_ref", "source"}
    return paging.page([_nullify(row, optional) for row in rows], total)


def _vouchers(card):
    vouchers_sudo = (
        card.env["loyalty.card"]
        .sudo()
        .search(
            [
                ("crm_source_card_id", "=", card.id),
                ("points", ">", 0),
                "|",
                ("expiration_date", "=", False),
                ("expiration_date", ">=", fields.Date.today()),
            ],
            order="expiration_date, id",
        )
    )
    return [
        {"id": v.id, "code": v.code, "value": v.points, "expiration_date": v.expiration_date or None}
        for v in vouchers_sudo
    ]


@router.post("/postings", response_model=PostingResult, summary="Post a purchase or a refund")
def post_purchase(payload: PostingIn, env: ApiEnv, idem: IdempotencyDep):
    """Award (or reverse) points for a till transaction; idempotent per (source, external_ref)."""
    vals = payload.model_dump()
    if vals["date"]:
        vals["date"] = vals["date"].isoformat()

    def post():
        result = env["crm.loyalty.posting"].post(vals)
        return _nullify(result, {"tier", "member_number"})

    return idem.run(env, post, model=PostingResult)


@router.post("/members", response_model=MemberSummary, summary="Enrol a customer")
def enrol(payload: EnrolmentIn, env: ApiEnv, idem: IdempotencyDep):
    """Make a customer a member of a loyalty programme (tills and loyalty staff); returns the member number."""

    def create():
        return _summary(env["loyalty.card"].crm_enrol(payload.program_id, payload.customer_id))

    return idem.run(env, create, model=MemberSummary)


@router.get("/members/{member}", response_model=MemberSummary, summary="Look up a member")
def get_member(member: Member, env: ApiEnv):
    """Tier, tier points this period, next tier, balance and expiring points (loyalty staff and tills)."""
    return _summary(_find_member(env, member))


@router.get("/members/{member}/statement", response_model=Page[StatementRow], summary="A member's statement")
def get_member_statement(member: Member, env: ApiEnv, paging: PagingDep, filters: StatementFilterDep):
    """The ledger rows of a membership, newest first; ``external_ref`` and ``source`` narrow them."""
    return _statement_page(_find_member(env, member), paging, filters)


@router.get("/members/{member}/vouchers", response_model=list[Voucher], summary="A member's vouchers")
def get_member_vouchers(member: Member, env: ApiEnv):
    """Unexpired vouchers issued from a membership's points."""
    return _vouchers(_find_member(env, member))


@router.post("/members/{member}/redemptions", response_model=RedemptionResult, summary="Redeem points at a till")
def redeem(member: Member, payload: RedemptionIn, env: ApiEnv, idem: IdempotencyDep):
    """Spend points of the balance (never below zero); needs the right to post to the ledger."""

    def spend():
        card = _find_member(env, member)
        env["crm.loyalty.posting"].check_access("create")
        row = card._crm_redeem(payload.points, payload.description)
        return {"statement_row_id": row.id, "points": payload.points, "balance": card.points}

    return idem.run(env, spend, model=RedemptionResult)


@router.get("/me", response_model=list[MemberSummary], summary="My memberships")
def get_my_memberships(env: ApiEnv):
    """The key owner's own loyalty memberships (customer apps)."""
    return [_summary(card) for card in _own_cards_sudo(env)]


@router.get("/me/{card_id}/statement", response_model=Page[StatementRow], summary="My statement")
def get_my_statement(
    card_id: Annotated[int, Path(ge=1, le=2**31 - 1)], env: ApiEnv, paging: PagingDep, filters: StatementFilterDep
):
    """The statement of one of the key owner's memberships; ``external_ref`` and ``source`` narrow it."""
    card_sudo = _own_cards_sudo(env, card_id)
    if not card_sudo:
        raise ApiProblem(404, "No such membership among yours.")
    return _statement_page(card_sudo, paging, filters)


@router.get("/me/{card_id}/vouchers", response_model=list[Voucher], summary="My vouchers")
def get_my_vouchers(card_id: Annotated[int, Path(ge=1, le=2**31 - 1)], env: ApiEnv):
    """Unexpired vouchers of one of the key owner's memberships."""
    card_sudo = _own_cards_sudo(env, card_id)
    if not card_sudo:
        raise ApiProblem(404, "No such membership among yours.")
    return _vouchers(card_sudo)
