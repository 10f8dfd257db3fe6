#!/usr/bin/env python3
# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local mail catcher for `make run`: a real SMTP server on 127.0.0.1 that keeps every message it
receives as a .eml file instead of delivering it, and a listing of what was sent.

    python3 scripts/mailcatcher.py serve --port 2525 --dir var/mail     (make run starts it)
    python3 scripts/mailcatcher.py list [--dir var/mail] [-n 20]        what Odoo sent, newest last
    python3 scripts/mailcatcher.py show FILE                            one message, headers and text

Standard library only (asyncio): enough SMTP for Odoo's client (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT), no authentication, no TLS, loopback only.
"""

import argparse
import asyncio
import email
import email.policy
import pathlib
import sys
import time


class Session:
    """One SMTP conversation: collects the envelope and the message, writes it on end of DATA."""

    def __init__(self, reader, writer, folder):
        self.reader, self.writer, self.folder = reader, writer, folder
        self.sender, self.rcpts = None, []

    async def reply(self, line):
        self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()

    async def run(self):
        await self.reply("220 crm-suite mail catcher ready")
        while line := await self.reader.readline():
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                await self.reply("250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800")
            elif verb == "HELO":
                await self.reply("250 localhost")
            elif verb == "MAIL":
                self.sender, self.rcpts = arg.partition(":")[2].split(" ")[0].strip("<>"), []
                await self.reply("250 OK")
            elif verb == "RCPT":
                self.rcpts.append(arg.partition(":")[2].split(" ")[0].strip("<>"))
                await self.reply("250 OK")
            elif verb == "DATA":
                await self.reply("354 End data with <CR><LF>.<CR><LF>")
                await self.receive()
            elif verb in ("RSET", "NOOP"):
                if verb == "RSET":
                    self.sender, self.rcpts = None, []
                await self.reply("250 OK")
            elif verb == "QUIT":
                await self.reply("221 Bye")
                break
            else:
                await self.reply("502 Command not implemented")
        self.writer.close()

    async def receive(self):
        lines = []
        while (line := await self.reader.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{time.monotonic_ns() % 10**9:09d}.eml"
        envelope = f"X-Catcher-From: {self.sender}\r\nX-Catcher-To: {', '.join(self.rcpts)}\r\n".encode()
        path.write_bytes(envelope + b"".join(lines))
        await self.reply("250 OK: kept in " + path.name)


async def serve(host, port, folder):
    folder.mkdir(parents=True, exist_ok=True)
    server = await asyncio.start_server(lambda r, w: Session(r, w, folder).run(), host, port)
    async with server:
        await server.serve_forever()


def summary(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return f"{path.name}  to {msg['X-Catcher-To']}  | {msg['Subject']}"


def text_of(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain", "html"))
    head = "\n".join(f"{key}: {msg[key]}" for key in ("From", "To", "Subject", "Date") if msg[key])
    return f"{head}\n\n{body.get_content() if body else ''}"


def main(argv=None):
    """Command line: serve, list or show."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve")
    serve_p.add_argument("--host", default="127.0.0.1")
    serve_p.add_argument("--port", type=int, default=2525)
    for p in (serve_p, sub.add_parser("list"), sub.add_parser("show")):
        p.add_argument("--dir", default=str(pathlib.Path(__file__).resolve().parent.parent / "var" / "mail"))
    sub.choices["list"].add_argument("-n", type=int, default=20, help="the last N messages")
    sub.choices["show"].add_argument("file")
    args = parser.parse_args(argv)
    folder = pathlib.Path(args.dir)
    if args.command == "serve":
        asyncio.run(serve(args.host, args.port, folder))
    elif args.command == "list":
        files = sorted(folder.glob("*.eml"))
        for path in files[-args.n :]:
            print(summary(path))
        print(f"{len(files)} message(s) in {folder}", file=sys.stderr)
    else:
        path = pathlib.Path(args.file)
        print(text_of(path if path.exists() else folder / args.file))


if __name__ == "__main__":
    main()
