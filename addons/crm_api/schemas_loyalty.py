# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schemas of the loyalty (crm_loyalty) operations."""

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PostingIn(BaseModel):
    """A purchase or refund from a till, web shop or fuel station."""

    model_config = ConfigDict(extra="forbid")

    member: str = Field(min_length=1, max_length=64, description="Card code, member number or customer id.")
    amount: float = Field(gt=0, le=1e9)
    currency: str | None = Field(default=None, min_length=3, max_length=3, examples=["EUR"])
    channel: str | None = Field(default=None, max_length=64, description="Channel code (purchases).")
    external_ref: str = Field(min_length=1, max_length=128, description="The till's receipt number.")
    source: str = Field(min_length=1, max_length=64, description="The posting system, e.g. till-042.")
    date: datetime.date | None = None
    kind: Literal["purchase", "refund"] = "purchase"
    original_ref: str | None = Field(default=None, max_length=128, description="Refunds: the purchase's reference.")


class EnrolmentIn(BaseModel):
    """A customer joining a loyalty programme."""

    model_config = ConfigDict(extra="forbid")

    program_id: int = Field(ge=1, le=2**31 - 1, description="The loyalty programme's id.")
    customer_id: int = Field(ge=1, le=2**31 - 1, description="The customer's (contact's) id.")


class PostingResult(BaseModel):
    posting_id: int
    card_id: int
    member_number: str | None
    qualifying_points: float
    spendable_points: float
    balance: float
    tier: str | None
    replayed: bool = Field(description="True when (source, external_ref) had already been posted.")


class MemberSummary(BaseModel):
    """Tier, progress and balance of a membership."""

    card_id: int
    member_number: str | None
    program: str
    tier: str | None
    tier_points: float
    next_tier: str | None
    points_to_next: float
    points_to_keep: float | None = Field(
        description="Tier points still to earn this period to keep the tier at the next review (0: kept); "
        "null when the tier is not reviewed (no retention threshold, or invitation only)."
    )
    tier_if_not_kept: str | None = Field(description="The tier the member lands on at the review if not kept.")
    period_end: datetime.date | None
    next_review_date: datetime.date | None
    balance: float
    expiring_30_days: float
    as_of: datetime.date


class StatementRow(BaseModel):
    id: int
    date: datetime.date | None
    description: str | None
    kind: str
    qualifying_points: float
    issued: float
    used: float
    expiry_date: datetime.date | None
    external_ref: str | None = Field(description="The receipt number the posting system sent (postings only).")
    source: str | None = Field(description="The system that posted the purchase or refund, e.g. till-042.")


class StatementFilter(BaseModel):
    """Query parameters narrowing a statement to the rows of one receipt and/or posting system."""

    external_ref: str | None = Field(default=None, min_length=1, max_length=128, description="Receipt number.")
    source: str | None = Field(default=None, min_length=1, max_length=64, description="Posting system.")


class Voucher(BaseModel):
    id: int
    code: str
    value: float
    expiration_date: datetime.date | None


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: float = Field(gt=0, le=1e9)
    description: str = Field(min_length=1, max_length=200, examples=["Redeemed at till 42"])


class RedemptionResult(BaseModel):
    statement_row_id: int
    points: float
    balance: float
