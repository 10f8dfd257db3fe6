# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pydantic models of the API: the OpenAPI document and the request/response validation."""

from datetime import datetime, timezone
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

# Odoo stores naive UTC datetimes; RFC 3339 (OpenAPI "date-time") wants the offset.
UtcDatetime = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=timezone.utc))]


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict] | None = Field(default=None, description="Schema errors of a 422 response.")


class Page(BaseModel, Generic[T]):
    """One page of a list (limit/offset pagination)."""

    items: list[T]
    total: int = Field(description="Number of items of the whole list.")
    limit: int
    offset: int


class Me(BaseModel):
    """The user an API key belongs to."""

    user_id: int
    name: str
    login: str
    partner_id: int
    is_internal: bool
    is_portal: bool


class WebhookEvent(BaseModel):
    """An event type."""

    code: str
    name: str


class WebhookIn(BaseModel):
    """A new webhook subscription."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000)
    events: list[str] = Field(min_length=1, description="Event codes, see GET /webhooks/events.")


class Webhook(BaseModel):
    """A webhook subscription (its secret is only shown when it is created)."""

    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    delivery_count: int
    failed_count: int
    secret: str | None = Field(default=None, description="Only in the response that creates it.")


class WebhookDelivery(BaseModel):
    """One delivery attempt series of one event to one subscription."""

    id: int
    webhook_id: int
    event: str
    delivery_id: str
    state: str
    attempt_count: int
    next_attempt_at: UtcDatetime | None
    last_status_code: int | None
    last_error: str | None
