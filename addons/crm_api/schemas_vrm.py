# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schemas of the data-sharing (crm_vrm) operations."""

import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .schemas import UtcDatetime


class RegisterRecipient(BaseModel):
    id: int
    name: str
    type: str
    description: str | None


class RegisterPurpose(BaseModel):
    code: str
    name: str
    legal_basis: str
    description: str | None


class RegisterCategory(BaseModel):
    code: str
    name: str
    contract_minimum: bool
    description: str | None


class Register(BaseModel):
    """Recipients, purposes and categories of data."""

    recipients: list[RegisterRecipient]
    purposes: list[RegisterPurpose]
    categories: list[RegisterCategory]


class EffectiveChoice(BaseModel):
    purpose: str
    category: str
    allowed: bool


class ExplicitChoice(BaseModel):
    recipient_type: str
    recipient_id: int | None
    purpose: str
    category: str
    allowed: bool


class Preferences(BaseModel):
    """Effective choices towards one recipient, and the explicit choices made."""

    partner_id: int
    recipient_id: int
    recipient: str
    effective: list[EffectiveChoice]
    choices: list[ExplicitChoice]


class PreferenceIn(BaseModel):
    """One choice: a recipient (by id) or every recipient of a type."""

    model_config = ConfigDict(extra="forbid")

    recipient_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    recipient_type: Literal["company", "franchise", "partner"] | None = None
    purpose: str = Field(min_length=1, max_length=64, examples=["marketing"])
    category: str = Field(min_length=1, max_length=64, examples=["contact"])
    allowed: bool

    @model_validator(mode="after")
    def _one_target(self):
        if bool(self.recipient_id) == bool(self.recipient_type):
            raise ValueError("give either recipient_id or recipient_type")
        return self


class ConsentEvent(BaseModel):
    """A recorded change of a choice."""

    id: int
    date: UtcDatetime
    recipient_type: str
    recipient_id: int | None
    recipient: str | None
    purpose: str
    category: str
    old_value: str
    new_value: str
    channel: str
    receipt_id: str | None


class ReceiptSignature(BaseModel):
    """The HMAC signature of a receipt issued before Ed25519 (checked by this server only)."""

    alg: str = Field(max_length=16)
    kid: str = Field(max_length=128)
    value: str = Field(max_length=256)


class ReceiptDocument(BaseModel):
    """A signed consent receipt: the Kantara v1.1 JSON and the same JSON as an Ed25519 JWS (compact,
    ``alg`` EdDSA, ``kid`` of a key of ``jwks_uri``), which any JOSE library verifies offline."""

    receipt: dict[str, Any]
    jws: str | None = Field(max_length=65536, description="Compact JWS whose payload is the receipt.")
    kid: str | None = Field(max_length=128, description="The signing key in the JWKS.")
    jwks_uri: str = Field(max_length=2048, description="The public keys (JWK Set), old ones included.")


class ReceiptToVerify(BaseModel):
    """A receipt document as downloaded: with ``jws`` (``receipt`` optional, then it must be the
    signed payload), or a receipt issued before Ed25519 with its HMAC ``signature``."""

    receipt: dict[str, Any] | None = None
    jws: str | None = Field(default=None, max_length=65536)
    kid: str | None = Field(default=None, max_length=128)
    jwks_uri: str | None = Field(default=None, max_length=2048)
    signature: ReceiptSignature | None = None

    @model_validator(mode="after")
    def _check_signed(self):
        if not self.jws and not (self.signature and self.receipt is not None):
            raise ValueError("Give the receipt's jws (or, for an HMAC-signed receipt, receipt and signature).")
        return self


class Verification(BaseModel):
    genuine: bool
    current: bool
    reason: str


class CustomerView(BaseModel):
    """Contact fields; masked values look like ``j•••@example.com`` or ``+44 •••• ••12``."""

    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    street: str | None = None
    street2: str | None = None
    zip: str | None = None
    city: str | None = None


class RightsRequestIn(BaseModel):
    """A rights request (GDPR articles 15-21) of the key's owner."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["export", "rectification", "erasure", "objection"]
    values: dict[str, str] | None = Field(
        default=None, description="Rectification: the corrected email, phone, mobile, street, street2, zip, city."
    )


class RightsRequest(BaseModel):
    reference: str
    type: str
    state: str
    request_date: UtcDatetime
    deadline_date: datetime.date | None


class Agreement(BaseModel):
    """A standard agreement (IEEE 7012 MyTerms) the customer can proffer."""

    code: str
    name: str
    version: str
    summary: str | None
    url: str | None
    policy: str


class AgreementRecord(BaseModel):
    """The signed record of a proffered agreement and the company's answer."""

    id: int
    agreement: str
    version: str
    state: str
    proffer_date: UtcDatetime
    document: dict[str, Any] = Field(description="Record, SHA-256 and signature, as in the portal download.")
