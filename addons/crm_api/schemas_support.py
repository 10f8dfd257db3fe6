# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schemas of the support (crm_support) operations."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .schemas import UtcDatetime
from .schemas_vrm import CustomerView

Short = Field(default=None, min_length=1, max_length=200)


class TicketIn(BaseModel):
    """A service request. Customers' keys file for themselves; support users may name the customer."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200, examples=["Boiler makes a banging noise"])
    description: str | None = Field(default=None, max_length=10000)
    contact_name: str | None = Short
    email: str | None = Field(default=None, max_length=200, examples=["jane@example.com"])
    phone: str | None = Field(default=None, max_length=40, examples=["+44 7700 900123"])
    street: str | None = Short
    city: str | None = Short
    zip: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, min_length=2, max_length=2, description="ISO code, e.g. GB.")
    category: str | None = Field(default=None, max_length=64, description="Category code.")
    product_name: str | None = Short
    priority: Literal["0", "1", "2", "3"] | None = None
    partner_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Support users only.")


class TicketCreated(BaseModel):
    reference: str
    id: int
    status: str
    access_token: str = Field(description="With the reference, lets the customer follow the request.")
    tracking_url: str


class TicketStatus(BaseModel):
    """What the customer sees of a request."""

    reference: str
    subject: str
    status: str
    status_name: str
    request_date: UtcDatetime
    closed_at: UtcDatetime | None
    resolution: str | None


class Ticket(TicketStatus):
    """A request as staff see it; the customer's details are masked as the customer decided."""

    id: int
    priority: str
    channel: str
    category: str | None
    franchise_id: int | None
    franchise: str | None
    assigned_to: str | None
    accept_deadline: UtcDatetime | None
    sla_status: str | None
    customer: CustomerView | None


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=1000)


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Literal["in_progress", "waiting", "done", "cancelled"]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=10000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: str = Field(min_length=1, max_length=10000)


class MessagePosted(BaseModel):
    message_id: int
    reference: str


class AvailabilityIn(BaseModel):
    """Franchise staff set themselves away (routing skips them, as people on leave) or available."""

    model_config = ConfigDict(extra="forbid")

    away: bool = Field(examples=[True])


class Availability(BaseModel):
    away: bool


class Scorecard(BaseModel):
    franchise: str
    volume: int
    open: int
    done: int
    avg_first_response_hours: float | None
    avg_resolution_hours: float | None
    sla_compliance_pct: float | None
    escalations: int
    avg_rating: float | None
