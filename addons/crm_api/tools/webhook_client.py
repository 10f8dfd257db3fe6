# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP client of webhook receivers: signing and posting, no Odoo in here."""

import hashlib
import hmac

import requests

SIGNATURE_HEADER = "X-CRM-Signature"
TIMESTAMP_HEADER = "X-CRM-Timestamp"
EVENT_HEADER = "X-CRM-Event"
DELIVERY_HEADER = "X-CRM-Delivery"
TIMEOUT = 5


def sign(secret, timestamp, body):
    """Return the signature header value: HMAC-SHA256 over ``"<timestamp>.<body>"``, hex encoded."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp, body, signature):
    """Check a signature as a receiver does (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


class WebhookClient:
    """Posts one signed payload; returns ``(status_code or None, error text or None, response excerpt)``."""

    def __init__(self, timeout=TIMEOUT):
        self.timeout = timeout

    def post(self, url, body, *, secret, timestamp, event, delivery_uuid):
        """POST ``body`` (bytes) to ``url`` with the signature headers."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "CRM-Suite-Webhooks/1.0",
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_uuid,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        try:
            response = requests.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500], ""
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return response.status_code, error, response.text[:500]
