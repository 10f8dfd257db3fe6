# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import threading
import uuid
from datetime import timedelta, timezone

from odoo import api, fields, models, tools

from ..tools.webhook_client import WebhookClient

_logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last one the delivery fails.
BACKOFF_MINUTES = (1, 5, 30, 120, 720)


class CrmApiWebhookDelivery(models.Model):
    """One event for one subscription: queued in the business transaction, sent by the cron."""

    _name = "crm.api.webhook.delivery"
    _description = "Webhook delivery"
    _order = "id desc"

    webhook_id = fields.Many2one(
        comodel_name="crm.api.webhook", string="Subscription", required=True, ondelete="cascade", index=True
    )
    event = fields.Char(required=True, index=True)
    uuid = fields.Char(string="Delivery ID", required=True, default=lambda self: str(uuid.uuid4()), copy=False)
    payload = fields.Text(required=True, help="The exact JSON body that is signed and sent.")
    state = fields.Selection(
        selection=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
        index=True,
    )
    attempt_count = fields.Integer(default=0)
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, index=True)
    last_attempt_at = fields.Datetime()
    last_status_code = fields.Integer(string="Last HTTP status")
    last_error = fields.Char()

    _sql_constraints = [("uuid_uniq", "unique(uuid)", "Delivery IDs are unique.")]

    @api.model
    def _enqueue(self, event, data):
        """Queue ``event`` with ``data`` for every active subscription to it; never raises."""
        return self._enqueue_many(event, lambda: [data])

    @api.model
    def _enqueue_many(self, event, data_list, categories=None):
        """Queue ``event`` once per item of ``data_list`` for every active subscription; never raises.

        ``categories`` maps payload keys to the data category they show of the customer named by
        the item's ``partner_id``: each subscription gets those keys only where the customer shares
        the category with the subscription's recipient for its purpose (else null).

        ``data_list`` is a callable returning the payloads, called only when someone subscribed, so a
        batch of 500,000 tier changes costs nothing when nobody listens (the subscriptions are
        cached). Runs inside the business transaction (a rolled-back change sends nothing), inserts
        all deliveries at once and does no network I/O: the cron sends after commit.
        """
        try:
            webhook_ids = self._subscribed_webhook_ids(event)
            if not webhook_ids:
                return self.browse()
            with self.env.cr.savepoint():
                webhooks_sudo = self.env["crm.api.webhook"].sudo().browse(webhook_ids)
                created_at = fields.Datetime.now().isoformat() + "Z"
                vals_list = []
                items = data_list()
                shared = self._shared_by_webhook(webhooks_sudo, items, categories or {})
                for data in items:
                    for webhook in webhooks_sudo:
                        hidden = shared[webhook.id](data)
                        payload = {**data, **dict.fromkeys(hidden)} if hidden else data
                        delivery_uuid = str(uuid.uuid4())
                        envelope = {"id": delivery_uuid, "event": event, "created_at": created_at, "data": payload}
                        vals_list.append(
                            {
                                "webhook_id": webhook.id,
                                "event": event,
                                "uuid": delivery_uuid,
                                "payload": json.dumps(envelope, default=str, sort_keys=True),
                            }
                        )
                deliveries_sudo = self.sudo().create(vals_list)
                if deliveries_sudo:
                    self.env["ir.cron"]._crm_wake("crm_api.ir_cron_webhook_deliver")
                return deliveries_sudo
        except Exception:  # a webhook problem must never undo the business change
            _logger.warning("Could not queue the webhook event %s", event, exc_info=True)
            return self.browse()

    @api.model
    def _shared_by_webhook(self, webhooks_sudo, items, categories):
        """{webhook id: function(item) -> payload keys to blank}: one look-up of the customers'
        choices per webhook and category, for all the items at once."""
        partner_ids = {item.get("partner_id") for item in items} - {None, False}
        by_code = {}
        for key, code in categories.items():
            by_code.setdefault(code, []).append(key)
        result = {}
        for webhook in webhooks_sudo:
            partners = self.env["res.partner"].sudo().browse(partner_ids)
            allowed = {
                code: set(partners._vrm_filter_allowed(webhook.recipient_id, webhook.purpose_id.code, code).ids)
                for code in by_code
            }

            def hidden(item, allowed=allowed):
                subject = item.get("partner_id")
                return [key for code, keys in by_code.items() if subject not in allowed[code] for key in keys]

            result[webhook.id] = hidden
        return result

    @api.model
    @tools.ormcache("event")
    def _subscribed_webhook_ids(self, event):
        """Ids of the active subscriptions to ``event``, cached: most business changes (every intake,
        every posting) have no listener, and then cost no query and no savepoint."""
        return tuple(self.env["crm.api.webhook"].sudo().search([("event_ids.code", "=", event)]).ids)

    @api.model
    def _client(self):
        """Return the HTTP client (tests may replace it)."""
        return WebhookClient(allowed_hosts=self.env["crm.api.webhook"]._allowed_hosts())

    @api.model
    def _cron_deliver(self, limit=200):
        """Send due deliveries one by one, committing after each (outside tests)."""
        client = self._client()
        done = self.browse()
        for _i in range(limit):
            self.flush_model(["state", "next_attempt_at"])
            self.env.cr.execute(
                """SELECT id FROM crm_api_webhook_delivery
                    WHERE state = 'pending' AND next_attempt_at <= %s AND id NOT IN %s
                    ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED""",
                [fields.Datetime.now(), tuple(done.ids) or (0,)],
            )
            row = self.env.cr.fetchone()
            if not row:
                break
            delivery = self.browse(row[0])
            delivery._deliver(client)
            done |= delivery
            if not getattr(threading.current_thread(), "testing", False):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    def _deliver(self, client):
        """Make one attempt and record its outcome; schedule the next one with backoff."""
        self.ensure_one()
        now = fields.Datetime.now()
        timestamp = int(now.replace(tzinfo=timezone.utc).timestamp())
        status, error = client.post(
            self.webhook_id.url,
            self.payload.encode(),
            secret=self.webhook_id.secret,
            timestamp=timestamp,
            event=self.event,
            delivery_uuid=self.uuid,
        )
        attempts = self.attempt_count + 1
        vals = {
            "attempt_count": attempts,
            "last_attempt_at": now,
            "last_status_code": status or 0,
            "last_error": error or False,
        }
        if not error:
            vals["state"] = "sent"
        elif attempts > len(BACKOFF_MINUTES):
            vals["state"] = "failed"
            _logger.warning("Webhook delivery %s to %s failed for good: %s", self.uuid, self.webhook_id.url, error)
        else:
            vals["next_attempt_at"] = now + timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
        self.write(vals)

    def action_retry(self):
        """Queue failed deliveries again, now."""
        self.write({"state": "pending", "next_attempt_at": fields.Datetime.now(), "attempt_count": 0})
        self.env["ir.cron"]._crm_wake("crm_api.ir_cron_webhook_deliver")
