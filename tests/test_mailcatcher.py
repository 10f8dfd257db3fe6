# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make run`'s mail catcher (scripts/mailcatcher.py): a real SMTP client's message is kept, and
listed and shown as the README says, instead of ending in exception without a mail server."""

import email.message
import smtplib
import socket
import subprocess
import sys
import time

from conftest import ROOT

SCRIPT = str(ROOT / "scripts" / "mailcatcher.py")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _connect(port, deadline=15):
    end = time.monotonic() + deadline
    while True:
        try:
            return smtplib.SMTP("127.0.0.1", port, timeout=5)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def test_a_message_is_kept_listed_and_shown(tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, SCRIPT, "serve", f"--port={port}", f"--dir={tmp_path}"])
    try:
        msg = email.message.EmailMessage()
        msg["From"] = "support@example.com"
        msg["To"] = "Alice <alice@example.com>"
        msg["Subject"] = "Your request SR-2026-000042"
        msg.set_content("Thank you.\n.A line starting with a dot\n")
        with _connect(port) as smtp:
            refused = smtp.send_message(msg, to_addrs=["alice@example.com", "bcc@example.com"])
        assert refused == {}
        (kept,) = tmp_path.glob("*.eml")
        listed = subprocess.run(
            [sys.executable, SCRIPT, "list", f"--dir={tmp_path}"], capture_output=True, text=True, check=True
        )
        assert "alice@example.com, bcc@example.com" in listed.stdout
        assert "Your request SR-2026-000042" in listed.stdout
        shown = subprocess.run([sys.executable, SCRIPT, "show", str(kept)], capture_output=True, text=True, check=True)
        assert "Subject: Your request SR-2026-000042" in shown.stdout
        assert "\n.A line starting with a dot" in shown.stdout  # SMTP dot-stuffing undone
    finally:
        server.kill()
        server.wait(timeout=10)
