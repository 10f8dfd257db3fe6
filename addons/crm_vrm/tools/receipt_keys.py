# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Ed25519 key that signs consent receipts, kept in a file outside the database, and the JWS
(RFC 7515, compact form) made and checked with joserfc.

Only the server process reads the file: Odoo users, administrators included, reach the database and
ir.config_parameter over RPC, never the file system. The file holds one private key, the current
one; the public halves of every key, old ones included, are published by the database
(``vrm.receipt.key``) so that old receipts keep verifying after a rotation."""

import contextlib
import fcntl
import json
import logging
import os
import warnings
from datetime import datetime, timezone

from joserfc import jws
from joserfc.jwk import OKPKey

from odoo.tools import config

_logger = logging.getLogger(__name__)

CONFIG_KEY = "crm_vrm_receipt_key_file"
ALG = "EdDSA"
# RFC 9864 (2025) deprecates "EdDSA" in favour of "Ed25519", but most JOSE libraries a customer or an
# auditor has at hand verify only "EdDSA" today: a receipt is worth what others can check.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")


def key_file_path(dbname):
    """The key file: the server configuration's ``crm_vrm_receipt_key_file``, else one file per
    database in the data directory."""
    configured = config.get(CONFIG_KEY)
    if configured:
        return os.path.expanduser(configured)
    return os.path.join(config["data_dir"], "crm_vrm", f"{dbname}.receipt-key.json")


@contextlib.contextmanager
def _locked(path):
    # two workers signing their first receipt at once must not create two different keys
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    fd = os.open(path + ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    if os.stat(path).st_mode & 0o077:
        _logger.warning("The receipt key file %s is readable by other users: chmod 600 it.", path)
    return data


def _write(path, data):
    # written beside, then renamed over: a crash never leaves half a key; 0600 from the first byte
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _new_key():
    key = OKPKey.generate_key("Ed25519", private=True)
    return {
        "kid": key.thumbprint(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "private_key": key.as_pem(private=True).decode(),
    }


def _as_key(data):
    return OKPKey.import_key(data["private_key"], parameters={"kid": data["kid"]})


def current_key(dbname):
    """The current private key (an OKPKey with its kid), created on first use."""
    path = key_file_path(dbname)
    data = _read(path)
    if data is None:
        with _locked(path):
            data = _read(path)
            if data is None:
                data = _new_key()
                _write(path, data)
                _logger.info("Created the receipt signing key %s in %s", data["kid"], path)
    return _as_key(data)


def rotate(dbname):
    """Replace the private key by a new one; returns the new key. The old private key is gone
    from the file (it signs nothing any more); its public half stays published."""
    path = key_file_path(dbname)
    with _locked(path):
        data = _new_key()
        _write(path, data)
    _logger.info("Rotated the receipt signing key to %s in %s", data["kid"], path)
    return _as_key(data)


def public_jwk(key):
    """The public JWK of a key (kty, crv, x, kid, alg, use)."""
    return dict(key.as_dict(private=False), alg=ALG, use="sig")


def sign(key, payload):
    """The compact JWS of ``payload`` (bytes), its kid in the protected header."""
    return jws.serialize_compact({"alg": ALG, "kid": key.kid}, payload, key, algorithms=[ALG])


def header(token):
    """The protected header of a compact JWS, unverified (raises joserfc's DecodeError)."""
    return jws.extract_compact(token.encode()).headers()


def verify(token, jwk):
    """The payload (bytes) of a compact JWS signed by the public ``jwk`` (a dict); raises
    joserfc's JoseError when the signature or the form is wrong."""
    return jws.deserialize_compact(token, OKPKey.import_key(jwk), algorithms=[ALG]).payload
