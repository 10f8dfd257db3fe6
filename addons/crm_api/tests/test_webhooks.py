# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import datetime, timedelta

from odoo.tests import TransactionCase, tagged
from odoo.tests.common import freeze_time

from ..models.crm_api_webhook_delivery import BACKOFF_MINUTES
from ..tools.webhook_client import verify
from .receiver import Receiver, down_url


@tagged("post_install", "-at_install")
class TestWebhookDelivery(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["crm.api.webhook.delivery"]
        cls.ticket_created = cls.env.ref("crm_api.webhook_event_ticket_created")
        cls.tier_changed = cls.env.ref("crm_api.webhook_event_tier_changed")

    def _subscribe(self, url, events=None):
        return self.env["crm.api.webhook"].create(
            {"name": "Receiver", "url": url, "event_ids": [(6, 0, (events or self.ticket_created).ids)]}
        )

    def test_signed_delivery_to_a_live_receiver(self):
        """The cron POSTs the event with a valid HMAC-SHA256 signature and logs it as sent."""
        with Receiver() as receiver:
            webhook = self._subscribe(receiver.url)
            deliveries = self.Delivery._enqueue("ticket.created", {"reference": "SR-2026-000001"})
            self.assertEqual(deliveries.state, "pending")
            self.assertFalse(receiver.requests, "nothing is sent inside the business transaction")
            self.Delivery._cron_deliver()
        self.assertEqual(len(receiver.requests), 1)
        req = receiver.requests[0]
        headers = req["headers"]
        self.assertTrue(verify(webhook.secret, headers["X-CRM-Timestamp"], req["body"], headers["X-CRM-Signature"]))
        self.assertFalse(verify("wrong secret", headers["X-CRM-Timestamp"], req["body"], headers["X-CRM-Signature"]))
        body = json.loads(req["body"])
        self.assertEqual(body["event"], "ticket.created")
        self.assertEqual(body["data"], {"reference": "SR-2026-000001"})
        self.assertEqual(body["id"], headers["X-CRM-Delivery"])
        self.assertEqual(deliveries.state, "sent")
        self.assertEqual(deliveries.last_status_code, 200)
        self.assertEqual(deliveries.attempt_count, 1)

    def test_only_subscribers_of_the_event_get_it(self):
        """A subscription to tier.changed gets no ticket.created; archived subscriptions get nothing."""
        self._subscribe("http://127.0.0.1:9/a", events=self.tier_changed)
        archived = self._subscribe("http://127.0.0.1:9/b")
        archived.active = False
        self.assertFalse(self.Delivery._enqueue("ticket.created", {}))
        self.assertEqual(len(self.Delivery._enqueue("tier.changed", {})), 1)

    def test_subscription_changes_take_effect_at_once(self):
        """Who listens is cached: subscribing, changing the events and archiving each count from the next event."""
        self.assertFalse(self.Delivery._enqueue("ticket.created", {}), "nobody listens yet")
        webhook = self._subscribe("http://127.0.0.1:9/a")
        self.assertEqual(self.Delivery._enqueue("ticket.created", {}).webhook_id, webhook)
        webhook.event_ids = self.tier_changed
        self.assertFalse(self.Delivery._enqueue("ticket.created", {}))
        self.assertEqual(self.Delivery._enqueue("tier.changed", {}).webhook_id, webhook)
        webhook.active = False
        self.assertFalse(self.Delivery._enqueue("tier.changed", {}))
        webhook.active = True
        other = self._subscribe("http://127.0.0.1:9/b", events=self.tier_changed)
        self.assertEqual(self.Delivery._enqueue("tier.changed", {}).webhook_id, webhook | other)
        other.unlink()
        self.assertEqual(self.Delivery._enqueue("tier.changed", {}).webhook_id, webhook)

    def test_receiver_down_retries_with_backoff_then_fails(self):
        """A receiver that is down is retried after 1, 5, 30, 120, 720 minutes, then given up."""
        self._subscribe(down_url())
        start = datetime(2026, 11, 24, 10, 0, 0)
        with freeze_time(start):
            delivery = self.Delivery._enqueue("ticket.created", {"n": 1})
            self.Delivery._cron_deliver()
        self.assertEqual((delivery.state, delivery.attempt_count), ("pending", 1))
        self.assertIn("ConnectionError", delivery.last_error)
        self.assertEqual(delivery.next_attempt_at, start + timedelta(minutes=1))
        now = start
        for attempt, minutes in enumerate(BACKOFF_MINUTES, start=1):
            # Not due yet: the cron leaves it alone.
            with freeze_time(now + timedelta(minutes=minutes) - timedelta(seconds=1)):
                self.assertFalse(self.Delivery._cron_deliver())
            now += timedelta(minutes=minutes)
            with freeze_time(now):
                self.assertEqual(self.Delivery._cron_deliver(), delivery)
            self.assertEqual(delivery.attempt_count, attempt + 1)
        self.assertEqual(delivery.state, "failed")
        with freeze_time(now + timedelta(days=2)):
            self.assertFalse(self.Delivery._cron_deliver())

    def test_receiver_error_status_is_retried_and_recovers(self):
        """A 500 from the receiver is a failed attempt; the next attempt succeeds once it is fixed."""
        with Receiver(status=500) as receiver:
            self._subscribe(receiver.url)
            start = datetime(2026, 11, 24, 10, 0, 0)
            with freeze_time(start):
                delivery = self.Delivery._enqueue("ticket.created", {"n": 2})
                self.Delivery._cron_deliver()
            outcome = (delivery.state, delivery.last_status_code, delivery.last_error)
            self.assertEqual(outcome, ("pending", 500, "HTTP 500"))
            receiver.status = 204
            with freeze_time(start + timedelta(minutes=BACKOFF_MINUTES[0])):
                self.Delivery._cron_deliver()
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(len(receiver.requests), 2)
        self.assertEqual(receiver.requests[0]["body"], receiver.requests[1]["body"], "a retry resends the same body")

    def test_enqueue_never_breaks_the_caller(self):
        """An error while queueing (here: a payload that is not JSON) is logged, not raised."""
        self._subscribe("http://127.0.0.1:9/a")
        circular = {}
        circular["self"] = circular
        with self.assertLogs("odoo.addons.crm_api.models.crm_api_webhook_delivery", "WARNING"):
            result = self.Delivery._enqueue("ticket.created", circular)
        self.assertFalse(result)
        self.assertFalse(self.Delivery.search([]))

    def test_retry_action(self):
        """A failed delivery can be queued again by hand."""
        self._subscribe(down_url())
        delivery = self.Delivery._enqueue("ticket.created", {})
        delivery.write({"state": "failed", "attempt_count": 6})
        delivery.action_retry()
        self.assertEqual((delivery.state, delivery.attempt_count), ("pending", 0))
