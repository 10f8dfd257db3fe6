# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import freeze_time

from ..models.crm_api_webhook import ALLOWED_HOSTS_PARAM
from ..models.crm_api_webhook_delivery import BACKOFF_MINUTES
from ..tools import webhook_client
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
        # The local receiver of these tests listens on loopback, which webhooks refuse unless allowed.
        cls.env["ir.config_parameter"].sudo().set_param(ALLOWED_HOSTS_PARAM, "127.0.0.1")

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


@tagged("post_install", "-at_install")
class TestWebhookTargets(TransactionCase):
    """A subscription cannot make the server post to, or read from, internal addresses."""

    INTERNAL_URLS = (
        "http://127.0.0.1:9/hook",
        "http://127.1.2.3/hook",
        "http://localhost:8069/web/database/manager",
        "http://[::1]:9/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0:8069/hook",
        "http://10.0.0.1/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "https://240.0.0.1/hook",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["crm.api.webhook.delivery"]
        cls.ticket_created = cls.env.ref("crm_api.webhook_event_ticket_created")
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param(ALLOWED_HOSTS_PARAM, "")

    def _subscribe(self, url):
        return self.env["crm.api.webhook"].create(
            {"name": "Receiver", "url": url, "event_ids": [(6, 0, self.ticket_created.ids)]}
        )

    def _no_connection(self):
        """Patch socket.create_connection to fail the test if anything tries to connect."""
        return patch.object(
            webhook_client.socket, "create_connection", side_effect=AssertionError("no connection expected")
        )

    def test_internal_addresses_are_refused_at_save(self):
        """Loopback, private, link-local (metadata), shared, multicast, reserved and unspecified
        addresses, and a name resolving to loopback, are refused with a message naming the parameter."""
        with self._no_connection() as connect:
            for url in self.INTERNAL_URLS:
                with self.subTest(url=url), self.assertRaises(ValidationError) as caught:
                    self._subscribe(url)
                self.assertIn("internal address", str(caught.exception))
                self.assertIn(ALLOWED_HOSTS_PARAM, str(caught.exception))
        connect.assert_not_called()
        self.assertFalse(self.env["crm.api.webhook"].search([("name", "=", "Receiver")]))

    def test_activating_an_archived_subscription_checks_it(self):
        """An archived subscription is not looked up (the demo's); activating it is refused."""
        webhook = self.env["crm.api.webhook"].create(
            {"name": "Later", "url": "http://10.0.0.1/hook", "active": False, "event_ids": self.ticket_created.ids}
        )
        with self.assertRaises(ValidationError):
            webhook.active = True

    def test_internal_addresses_are_refused_at_send(self):
        """A subscription whose URL turned internal (saved before the check, the parameter changed,
        or a new DNS answer) is refused when sending, without connecting: nothing reaches it."""
        with Receiver() as receiver:
            self.params.set_param(ALLOWED_HOSTS_PARAM, "127.0.0.1")
            local = self._subscribe(receiver.url)
            metadata = self._subscribe("http://127.0.0.1:9/placeholder")
            # Written as an older version stored it, before URLs were checked.
            self.env.cr.execute(
                "UPDATE crm_api_webhook SET url = %s WHERE id = %s",
                ["http://169.254.169.254/latest/meta-data/", metadata.id],
            )
            metadata.invalidate_recordset(["url"])
            deliveries = self.Delivery._enqueue("ticket.created", {"reference": "SR-2026-000001"})
            self.params.set_param(ALLOWED_HOSTS_PARAM, "")
            with self._no_connection() as connect:
                self.Delivery._cron_deliver()
            connect.assert_not_called()
        self.assertFalse(receiver.requests)
        for delivery in deliveries:
            self.assertEqual((delivery.state, delivery.last_status_code), ("pending", 0))
            self.assertTrue(delivery.last_error.startswith("Refused: blocked"), delivery.last_error)
        self.assertEqual(deliveries.webhook_id, local | metadata)

    def test_name_with_an_internal_address_is_refused(self):
        """A name resolving to a public and an internal address is refused: every answer must be public."""
        with (
            patch.object(webhook_client, "resolve", return_value=["93.184.215.14", "10.0.0.1"]),
            self._no_connection() as connect,
        ):
            with self.assertRaises(ValidationError):
                self._subscribe("https://hooks.example.test/x")
            status, error = webhook_client.WebhookClient().post(
                "https://hooks.example.test/x", b"{}", secret="s", timestamp=1, event="e", delivery_uuid="u"
            )
        connect.assert_not_called()
        self.assertEqual((status, error), (None, "Refused: blocked: hooks.example.test 10.0.0.1"))

    def test_allowed_local_receiver_gets_signed_deliveries(self):
        """The parameter's host:port lets a local receiver in, that port only; it gets signed posts."""
        with Receiver() as receiver:
            port = receiver.server.server_address[1]
            self.params.set_param(ALLOWED_HOSTS_PARAM, f"receiver.test:1, 127.0.0.1:{port}")
            webhook = self._subscribe(receiver.url)
            with self.assertRaises(ValidationError):
                self._subscribe(f"http://127.0.0.1:{port + 1}/hook")
            delivery = self.Delivery._enqueue("ticket.created", {"n": 1})
            self.Delivery._cron_deliver()
        self.assertEqual((delivery.state, delivery.last_status_code), ("sent", 200))
        [req] = receiver.requests
        headers = req["headers"]
        self.assertTrue(verify(webhook.secret, headers["X-CRM-Timestamp"], req["body"], headers["X-CRM-Signature"]))
        self.assertNotIn("response_excerpt", self.Delivery._fields, "the receiver's answer is not stored")

    def test_connects_to_the_checked_address(self):
        """The host is resolved once per attempt and the socket opens to that address (no second
        lookup to rebind), while the request keeps the name in its Host header."""
        with Receiver() as receiver:
            port = receiver.server.server_address[1]
            self.params.set_param(ALLOWED_HOSTS_PARAM, "receiver.test")
            with patch.object(webhook_client, "resolve", return_value=["127.0.0.1"]) as resolve:
                self._subscribe(f"http://receiver.test:{port}/hook")
                resolve.reset_mock()
                delivery = self.Delivery._enqueue("ticket.created", {"n": 1})
                self.Delivery._cron_deliver()
        resolve.assert_called_once_with("receiver.test", port)
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(receiver.requests[0]["headers"]["Host"], f"receiver.test:{port}")

    def test_redirects_are_not_followed(self):
        """A 3xx answer is a failed attempt: the server does not follow it elsewhere."""
        with Receiver(status=302) as receiver:
            self.params.set_param(ALLOWED_HOSTS_PARAM, "127.0.0.1")
            self._subscribe(receiver.url)
            delivery = self.Delivery._enqueue("ticket.created", {"n": 1})
            self.Delivery._cron_deliver()
        self.assertEqual((delivery.last_status_code, delivery.last_error), (302, "HTTP 302"))
        self.assertEqual(len(receiver.requests), 1)
