# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Client of a Twilio-style HTTP SMS gateway: plain Python, no Odoo import, mockable."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request


class SmsGatewayError(Exception):
    """A send that failed; ``retryable`` says whether trying again later may work."""

    def __init__(self, message, retryable):
        super().__init__(message)
        self.retryable = retryable


class HttpSmsGateway:
    """POST ``To``, ``From``, ``Body`` (and ``StatusCallback``) as a form with basic auth.

    Every send carries an ``Idempotency-Key`` (the SMS's uuid): a retry after a timeout, when the
    gateway may have accepted the first try, does not send the message twice.
    """

    def __init__(self, url, account, token, sender, *, timeout=5.0, status_callback=None):
        self.url = url
        self.sender = sender
        self.timeout = timeout
        self.status_callback = status_callback
        credentials = base64.b64encode(f"{account}:{token}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }

    def send(self, number, body, key):
        """Send one message; return the gateway's message id or raise SmsGatewayError."""
        form = {"To": number, "From": self.sender, "Body": body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(form).encode(),
            headers=dict(self.headers, **{"Idempotency-Key": key}),
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            retryable = exc.code >= 500 or exc.code == 429
            raise SmsGatewayError(f"gateway answered {exc.code}", retryable) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SmsGatewayError(f"gateway unreachable: {exc}", True) from exc
        try:
            data = json.loads(payload or b"{}")
        except ValueError:
            data = {}
        return data.get("sid") or data.get("id") or key
