# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from typing import Annotated

from fastapi import APIRouter, Path, Query

from ..dependencies import ApiEnv, IdempotencyDep, PagingDep
from ..errors import ApiProblem
from ..schemas import Page, Webhook, WebhookDelivery, WebhookEvent, WebhookIn
from .common import PROBLEM_RESPONSES

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _webhook_dict(webhook, secret=False):
    return {
        "id": webhook.id,
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.event_ids.mapped("code"),
        "active": webhook.active,
        "delivery_count": webhook.delivery_count,
        "failed_count": webhook.failed_count,
        "secret": webhook.secret if secret else None,
    }


def _get_webhook(env, webhook_id):
    webhook = env["crm.api.webhook"].search([("id", "=", webhook_id)])
    if not webhook:
        raise ApiProblem(404, f"No webhook subscription {webhook_id}.")
    return webhook


@router.get("/events", response_model=list[WebhookEvent], summary="Event types")
def list_events(env: ApiEnv):
    """The events a subscription can listen to."""
    return [{"code": e.code, "name": e.name} for e in env["crm.api.webhook.event"].search([])]


@router.get("/subscriptions", response_model=Page[Webhook], summary="List subscriptions")
def list_subscriptions(env: ApiEnv, paging: PagingDep):
    """Webhook subscriptions (API managers only)."""
    webhooks = env["crm.api.webhook"]
    records = webhooks.search([], limit=paging.limit, offset=paging.offset, order="id")
    return paging.page([_webhook_dict(w) for w in records], webhooks.search_count([]))


@router.post("/subscriptions", response_model=Webhook, status_code=201, summary="Subscribe a URL to events")
def create_subscription(payload: WebhookIn, env: ApiEnv, idem: IdempotencyDep):
    """Create a subscription; the response shows its signing secret once."""

    def create():
        events = env["crm.api.webhook.event"].search([("code", "in", payload.events)])
        unknown = set(payload.events) - set(events.mapped("code"))
        if unknown:
            raise ApiProblem(422, f"Unknown events: {', '.join(sorted(unknown))}.")
        webhook = env["crm.api.webhook"].create(
            {"name": payload.name, "url": payload.url, "event_ids": [(6, 0, events.ids)]}
        )
        return _webhook_dict(webhook, secret=True)

    return idem.run(env, create, model=Webhook, status_code=201)


@router.get("/subscriptions/{webhook_id}", response_model=Webhook, summary="One subscription")
def get_subscription(webhook_id: RecordId, env: ApiEnv):
    """A subscription without its secret."""
    return _webhook_dict(_get_webhook(env, webhook_id))


@router.delete("/subscriptions/{webhook_id}", status_code=204, summary="Unsubscribe")
def delete_subscription(webhook_id: RecordId, env: ApiEnv):
    """Delete a subscription and its delivery log."""
    _get_webhook(env, webhook_id).unlink()


@router.get("/deliveries", response_model=Page[WebhookDelivery], summary="Delivery log")
def list_deliveries(
    env: ApiEnv,
    paging: PagingDep,
    webhook_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    state: Annotated[str | None, Query(pattern="^(pending|sent|failed)$")] = None,
):
    """Deliveries, newest first, optionally of one subscription or in one state."""
    domain = []
    if webhook_id:
        domain.append(("webhook_id", "=", webhook_id))
    if state:
        domain.append(("state", "=", state))
    deliveries = env["crm.api.webhook.delivery"]
    records = deliveries.search(domain, limit=paging.limit, offset=paging.offset)
    items = [
        {
            "id": d.id,
            "webhook_id": d.webhook_id.id,
            "event": d.event,
            "delivery_id": d.uuid,
            "state": d.state,
            "attempt_count": d.attempt_count,
            "next_attempt_at": d.next_attempt_at if d.state == "pending" else None,
            "last_status_code": d.last_status_code or None,
            "last_error": d.last_error or None,
        }
        for d in records
    ]
    return paging.page(items, deliveries.search_count(domain))
