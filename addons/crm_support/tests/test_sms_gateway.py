# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import HttpCase, freeze_time, tagged


class FakeGateway(ThreadingHTTPServer):
    """A Twilio-style gateway on localhost: modes ok, 500 and slow; deduplicates on Idempotency-Key."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port):
        self.mode = "ok"
        self.delay = 0
        self.requests = []  # every POST received
        self.delivered = {}  # idempotency key -> number of times the message went to a phone
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), GatewayHandler)


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        key = self.headers["Idempotency-Key"]
        with server.lock:
            server.requests.append((key, form["To"][0], server.mode))
        if server.mode == "500":
            self.send_response(500)
            self.end_headers()
            return
        with server.lock:
            # Accepted: the phone gets it once per key, whatever happens to the answer.
            if key not in server.delivered:
                server.delivered[key] = 1
        if server.mode == "slow":
            time.sleep(server.delay)
        body = json.dumps({"sid": f"SM{key[:12]}", "status": "queued"}).encode()
        try:
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestSmsGateway(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            cls.port = s.getsockname()[1]
        # SMS queued by other addons' data (loyalty notices...) are not part of these scenarios.
        cls.env["sms.sms"].search([("state", "=", "outgoing")]).write({"state": "canceled"})
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("crm_support.sms_gateway_url", f"http://127.0.0.1:{cls.port}/2010-04-01/Messages.json")
        params.set_param("crm_support.sms_gateway_account", "AC123")
        params.set_param("crm_support.sms_gateway_token", "secret")
        params.set_param("crm_support.sms_gateway_sender", "GLASSCO")
        params.set_param("crm_support.sms_gateway_timeout", "0.5")
        params.set_param("crm_support.sms_gateway_callback_token", "cb-token-123")
        cls.server = None

    def _start(self, mode="ok", delay=0):
        if not self.server:
            self.server = FakeGateway(self.port)
            thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            thread.start()
            self.addCleanup(self._stop)
        self.server.mode = mode
        self.server.delay = delay

    def _stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _queue(self, count):
        return self.env["sms.sms"].create(
            [{"number": f"+4479110000{i:02d}", "body": f"Alert {i}", "state": "outgoing"} for i in range(count)]
        )

    def test_down_500_slow_then_recovers_once_each(self):
        """Down, 500 and slow gateways lose nothing; after recovery each alert is delivered exactly once."""
        sms = self._queue(5)
        SmsModel = self.env["sms.sms"]
        with freeze_time("2026-11-25 10:00:00"):
            SmsModel._process_queue()  # gateway down: connection refused
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(set(sms.mapped("gateway_attempts")), {1})
        self._start("500")
        with freeze_time("2026-11-25 10:00:10"):
            SmsModel._process_queue()  # backoff: nothing is due yet
        self.assertEqual(self.server.requests, [])
        with freeze_time("2026-11-25 10:00:31"):
            SmsModel._process_queue()
        self.assertEqual(len(self.server.requests), 5)
        self.assertEqual(set(sms.mapped("gateway_attempts")), {2})
        self.assertEqual(self.server.delivered, {})
        self._start("slow", delay=1.5)
        with freeze_time("2026-11-25 10:01:32"):
            SmsModel._process_queue()  # accepted by the gateway, but the answer comes too late
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(len(self.server.delivered), 5)
        self._start("ok")
        with freeze_time("2026-11-25 10:04:00"):
            SmsModel._process_queue()
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(sorted(self.server.delivered), sorted(sms.mapped("uuid")))
        self.assertEqual(set(self.server.delivered.values()), {1}, "no message reached a phone twice")
        with freeze_time("2026-11-25 10:10:00"):
            SmsModel._process_queue()  # nothing left to send
        self.assertEqual(len([r for r in self.server.requests if r[2] == "ok"]), 5)

    def test_gives_up_after_max_attempts(self):
        """A gateway that never recovers ends in error after the maximum attempts, not in a loop."""
        sms = self._queue(1)
        self._start("500")
        with freeze_time("2026-11-25 10:00:00") as frozen:
            for __ in range(10):
                self.env["sms.sms"]._process_queue()
                frozen.tick(3601)
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "sms_server")
        self.assertEqual(len(self.server.requests), 8)

    def test_delivery_callback(self):
        """The gateway's delivery report marks the SMS delivered; a wrong token is refused."""
        sms = self._queue(1)
        self._start("ok")
        self.env["sms.sms"]._process_queue()
        self.assertEqual(sms.state, "pending")
        data = {"MessageSid": sms.gateway_sid, "MessageStatus": "delivered"}
        refused = self.url_open("/crm_support/sms/status/wrong", data=data)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(sms.state, "pending")
        accepted = self.url_open("/crm_support/sms/status/cb-token-123", data=data)
        self.assertEqual(accepted.status_code, 200)
        sms.invalidate_recordset()
        self.assertEqual(sms.state, "sent")
