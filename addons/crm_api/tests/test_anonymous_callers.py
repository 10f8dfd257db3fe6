# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Anonymous callers: each has their own idempotency keys and rate-limit budget, by the address
Odoo gives them (the proxy's X-Forwarded-For with proxy_mode, the connection's without)."""

import uuid
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests import tagged
from odoo.tools import config

from .common import ApiCase

TICKET = {"subject": "Window", "email": "anon@example.com", "zip": "SW1A 1AA", "country": "GB"}


@tagged("post_install", "-at_install")
class TestAnonymousCallers(ApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("crm_support.intake_rate_limit", 0)

    def _proxy_mode(self, enabled=True):
        return patch.dict(config.options, {"proxy_mode": enabled})

    def _via_proxy(self, client_ip):
        """The headers a reverse proxy adds for a client (Odoo applies them when proxy_mode is on)."""
        return {"X-Forwarded-For": client_ip, "X-Forwarded-Host": urlsplit(self.base_url()).netloc}

    def _public_ticket(self, client_ip, idem=None):
        return self.api("POST", "/support/public/tickets", json=TICKET, headers=self._via_proxy(client_ip), idem=idem)

    def _ticket(self, reference):
        return self.env["crm.support.ticket"].search([("name", "=", reference)])

    def test_idempotency_keys_are_per_anonymous_caller(self):
        """Two visitors sending the same Idempotency-Key each get their own request and token; each
        replay returns the caller's own response, never the other visitor's access token."""
        key = str(uuid.uuid4())
        with self._proxy_mode():
            first = self._public_ticket("203.0.113.7", idem=key)
            second = self._public_ticket("198.51.100.9", idem=key)
            again_first = self._public_ticket("203.0.113.7", idem=key)
            again_second = self._public_ticket("198.51.100.9", idem=key)
        for response in (first, second):
            self.assertEqual(response.status_code, 201, response.text)
            self.assertEqual(response.headers["Idempotency-Replayed"], "false")
        a, b = first.json(), second.json()
        self.assertNotEqual(a["reference"], b["reference"])
        self.assertNotEqual(a["access_token"], b["access_token"])
        self.assertNotIn(a["access_token"], second.text)
        self.assertEqual(self._ticket(a["reference"]).intake_ip, "203.0.113.7")
        self.assertEqual(self._ticket(b["reference"]).intake_ip, "198.51.100.9")
        self.assertEqual(again_first.headers["Idempotency-Replayed"], "true")
        self.assertEqual(again_first.json(), a)
        self.assertEqual(again_second.headers["Idempotency-Replayed"], "true")
        self.assertEqual(again_second.json(), b)

    def test_forwarded_for_is_ignored_without_proxy_mode(self):
        """Without proxy_mode a visitor cannot pose as another address: the header changes nothing."""
        key = str(uuid.uuid4())
        with self._proxy_mode(False):
            first = self._public_ticket("203.0.113.7", idem=key)
            again = self._public_ticket("198.51.100.9", idem=key)
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual(self._ticket(first.json()["reference"]).intake_ip, "127.0.0.1")
        self.assertEqual(again.headers["Idempotency-Replayed"], "true", "the same connection is the same caller")

    def test_public_intake_rate_limit_behind_a_proxy(self):
        """Behind a proxy each client has its own budget (not one for everyone, the proxy's)."""
        self.params.set_param("crm_support.intake_rate_limit", 2)
        with self._proxy_mode():
            for _i in range(2):
                self.assertEqual(self._public_ticket("203.0.113.7").status_code, 201)
            self.assertProblem(self._public_ticket("203.0.113.7"), 429)
            self.assertEqual(self._public_ticket("198.51.100.9").status_code, 201)

    def test_public_intake_rate_limit_cannot_be_dodged_with_forwarded_for(self):
        """Without proxy_mode, a new X-Forwarded-For per request does not reset the budget."""
        self.params.set_param("crm_support.intake_rate_limit", 2)
        with self._proxy_mode(False):
            for n in range(2):
                self.assertEqual(self._public_ticket(f"203.0.113.{n}").status_code, 201)
            self.assertProblem(self._public_ticket("203.0.113.99"), 429)

    def _verify(self, client_ip):
        # The document's shape does not matter: the budget is spent before the body is read.
        return self.api("POST", "/vrm/receipts/verify", json={}, headers=self._via_proxy(client_ip))

    def test_receipt_verify_rate_limited_per_address(self):
        """Anyone may check receipts, each address so many times in ten minutes (system parameter)."""
        self.params.set_param("crm_api.receipt_verify_rate_limit", 2)
        with self._proxy_mode():
            for _i in range(2):
                self.assertNotEqual(self._verify("203.0.113.7").status_code, 429)
            self.assertProblem(self._verify("203.0.113.7"), 429, "Too many requests")
            self.assertNotEqual(self._verify("198.51.100.9").status_code, 429)
        with self._proxy_mode(False):
            for n in range(2):
                self.assertNotEqual(self._verify(f"192.0.2.{n}").status_code, 429)
            self.assertProblem(self._verify("192.0.2.99"), 429)
