# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP client of webhook receivers: target checks, signing and posting, no Odoo in here.

A subscription's URL is chosen by an API manager, so the server must not become their proxy into
the internal network: the host is resolved, every address must be public (or the host listed as
allowed), and the connection goes to the address that was checked, not to a second DNS answer.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-CRM-Signature"
TIMESTAMP_HEADER = "X-CRM-Timestamp"
EVENT_HEADER = "X-CRM-Event"
DELIVERY_HEADER = "X-CRM-Delivery"
TIMEOUT = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(ValueError):
    """The URL may not receive webhooks; ``kind`` is scheme, host, unresolved or blocked."""

    def __init__(self, kind, host="", address=""):
        self.kind = kind
        self.host = host
        self.address = address
        super().__init__(f"{kind}: {host} {address}".strip())


def sign(secret, timestamp, body):
    """Return the signature header value: HMAC-SHA256 over ``"<timestamp>.<body>"``, hex encoded."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp, body, signature):
    """Check a signature as a receiver does (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def resolve(host, port):
    """Return the addresses of ``host`` (IP literals need no lookup); tests replace it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [info[4][0] for info in infos]


def parse_allowed_hosts(value):
    """Parse ``"host[:port], ..."`` into ``{(host, port or None)}`` (IPv6 as ``[::1]:8080``)."""
    allowed = set()
    for raw in (value or "").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            parts = urlsplit("//" + entry)
            allowed.add((parts.hostname, parts.port))
        except ValueError:
            continue  # a typo in the parameter allows nothing
    return allowed


def is_public(address):
    """True for an address on the public Internet: not loopback, private, link-local (cloud metadata),
    shared, reserved, multicast or unspecified, also when written as an IPv4-mapped IPv6 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def check_target(url, allowed_hosts=frozenset()):
    """Return ``(scheme, host, port, address)`` to connect to for ``url``, or raise TargetRefused.

    ``allowed_hosts`` (from :func:`parse_allowed_hosts`) lists receivers allowed whatever their
    address (a local test receiver); every other host must resolve to public addresses only.
    """
    try:
        parts = urlsplit(url or "")
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError as exc:
        raise TargetRefused("host") from exc
    if scheme not in DEFAULT_PORTS:
        raise TargetRefused("scheme")
    if not host:
        raise TargetRefused("host")
    port = port or DEFAULT_PORTS[scheme]
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused("unresolved", host) from exc
    if not addresses:
        raise TargetRefused("unresolved", host)
    if (host, port) in allowed_hosts or (host, None) in allowed_hosts:
        return scheme, host, port, addresses[0]
    # Every answer must be public: a name with one public and one internal address is refused.
    for address in addresses:
        if not is_public(address):
            raise TargetRefused("blocked", host, address)
    return scheme, host, port, addresses[0]


class WebhookClient:
    """Posts one signed payload; returns ``(status_code or None, error text or None)``.

    The receiver's answer body is never read into the log: a subscription must not be a way to
    read what a server answers.
    """

    def __init__(self, timeout=TIMEOUT, allowed_hosts=frozenset()):
        self.timeout = timeout
        self.allowed_hosts = allowed_hosts

    def _connection(self, scheme, host, port, address):
        """An HTTP(S) connection to ``host`` that opens its socket to the checked ``address``; TLS
        still checks the certificate against ``host`` (SNI too)."""
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)

        def connect_to_checked_address(_address, timeout, source_address=None):
            return socket.create_connection((address, port), timeout, source_address)

        conn._create_connection = connect_to_checked_address
        return conn

    def post(self, url, body, *, secret, timestamp, event, delivery_uuid):
        """POST ``body`` (bytes) to ``url`` with the signature headers; redirects are not followed."""
        try:
            scheme, host, port, address = check_target(url, self.allowed_hosts)
        except TargetRefused as exc:
            return None, f"Refused: {exc}"[:500]
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "CRM-Suite-Webhooks/1.0",
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_uuid,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        conn = self._connection(scheme, host, port, address)
        try:
            conn.request("POST", path, body=body, headers=headers)
            status = conn.getresponse().status
        except TimeoutError as exc:
            return None, f"Timeout: {exc}"[:500]
        except (OSError, http.client.HTTPException) as exc:
            return None, f"ConnectionError: {type(exc).__name__}: {exc}"[:500]
        finally:
            conn.close()
        return status, None if 200 <= status < 300 else f"HTTP {status}"
