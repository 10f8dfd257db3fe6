# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""FastAPI dependencies of the API: API-key authentication, the per-request savepoint,
pagination, the caller's address, rate limits and the Idempotency-Key handling of POST requests."""

import json
from typing import Annotated

import psycopg2
from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from odoo import http
from odoo.api import Environment

from odoo.addons.fastapi.dependencies import odoo_env

from .errors import ApiProblem

# Keys made in Preferences > Account Security have no scope and are accepted for every scope;
# "rpc" is the scope Odoo itself checks for external calls.
API_KEY_SCOPE = "rpc"

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="Odoo API key",
    description="An Odoo API key (Preferences > Account Security > New API Key), sent as "
    "`Authorization: Bearer <key>`. Every call runs with that user's access rights.",
)

_WWW_AUTH = {"WWW-Authenticate": 'Bearer realm="crm-api"'}


def authenticated_uid(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> int:
    """Return the id of the user owning the presented API key, or answer 401."""
    if credentials is None:
        raise ApiProblem(401, "Send an API key as 'Authorization: Bearer <key>'.", headers=_WWW_AUTH)
    # A raw-SQL lookup of the key's hash: no record access involved, nothing to sudo.
    uid = env["res.users.apikeys"]._check_credentials(scope=API_KEY_SCOPE, key=credentials.credentials)
    if not uid:
        raise ApiProblem(401, "The API key is unknown, revoked or expired.", headers=_WWW_AUTH)
    return uid


def api_env(
    uid: Annotated[int, Depends(authenticated_uid)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> Environment:
    """The environment of the key's owner (no superuser), inside a savepoint.

    When the operation fails, the savepoint undoes its writes before the error handler answers, so
    a refused call leaves nothing behind although the HTTP transaction commits.
    """
    context = {k: v for k, v in env.context.items() if k != "allowed_company_ids"}
    user_env = env(user=uid, su=False, context=context)
    with user_env.cr.savepoint():
        yield user_env


def public_env(env: Annotated[Environment, Depends(odoo_env)]) -> Environment:
    """The public user's environment for anonymous operations, inside a savepoint."""
    public = env(user=env.ref("base.public_user").id, su=False)
    with public.cr.savepoint():
        yield public


ApiEnv = Annotated[Environment, Depends(api_env, scope="function")]
PublicEnv = Annotated[Environment, Depends(public_env, scope="function")]


def client_address(request: Request) -> str | None:
    """The caller's IP address as Odoo's own pages see it (``request.httprequest.remote_addr``).

    With ``proxy_mode`` Odoo has already applied werkzeug's ProxyFix to the request (when the proxy
    sends X-Forwarded-Host), so this is the client the proxy saw; without it X-Forwarded-For is
    never read here, so a caller cannot choose their address by sending the header.
    """
    odoo_request = http.request
    if odoo_request:
        return odoo_request.httprequest.remote_addr or None
    return request.client.host if request.client else None


def rate_limit(bucket, param, default, minutes=10):
    """A route dependency refusing (429) a caller's address beyond ``param`` requests (system
    parameter, ``default`` when unset; 0 disables) in ``minutes``, for anonymous operations."""

    def check_rate_limit(request: Request, env: Annotated[Environment, Depends(odoo_env)]) -> None:
        limit = int(env["ir.config_parameter"].sudo().get_param(param, default))
        # Counted outside the operation's savepoint: a refused or failing call counts too.
        if env["crm.api.rate.limit"].sudo()._hit(bucket, client_address(request), limit, minutes):
            raise ApiProblem(429, "Too many requests from your connection. Please try again later.")

    return Depends(check_rate_limit)


class Paging:
    """limit/offset query parameters."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
    ):
        self.limit = limit
        self.offset = offset

    def page(self, items, total):
        """Return the page envelope."""
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


PagingDep = Annotated[Paging, Depends()]


class Idempotency:
    """The ``Idempotency-Key`` of a POST: the first response is stored and replayed on repeats."""

    def __init__(self, key, method, path, body, address=None):
        self.key = key
        self.method = method
        self.path = path
        self.body = body
        self.address = address

    def _caller(self, env):
        """Whose keys these are: the API key's user, or for anonymous callers (who all act as the
        public user) their address, so one visitor never gets another's stored response."""
        if env.user._is_public():
            return f"address:{self.address}" if self.address else None
        return f"user:{env.uid}"

    def run(self, env, operation, model=None, status_code=200):
        """Run ``operation()`` once per key; return its (validated) result as a JSON response.

        A repeat with the same request returns the stored response with the header
        ``Idempotency-Replayed: true``; the same key with a different request is refused (422).
        """
        store = env["crm.api.idempotency"]
        caller = self._caller(env)
        if caller is None:
            # An anonymous caller without an address cannot be told from another: nothing is stored
            # that could hand their response (an access token) to someone else.
            result = operation()
            if model is not None:
                result = model.model_validate(result).model_dump(mode="json")
            return JSONResponse(result, status_code=status_code, headers={"Idempotency-Replayed": "false"})
        store._lock(caller, self.key)
        request_hash = store._request_hash(self.method, self.path, self.body)
        # Scoped to the caller's own keys: the store holds no ACL for API users.
        stored_sudo = store.sudo().search([("caller", "=", caller), ("key", "=", self.key)], limit=1)
        if stored_sudo:
            if stored_sudo.request_hash != request_hash:
                raise ApiProblem(
                    422,
                    "This Idempotency-Key was already used with a different request; use a new key.",
                    title="Idempotency-Key reused",
                )
            return JSONResponse(
                json.loads(stored_sudo.response_body),
                status_code=stored_sudo.status_code,
                headers={"Idempotency-Replayed": "true"},
            )
        result = operation()
        if model is not None:
            result = model.model_validate(result).model_dump(mode="json")
        try:
            with env.cr.savepoint():
                store.sudo().create(
                    {
                        "user_id": env.uid,
                        "caller": caller,
                        "key": self.key,
                        "request_hash": request_hash,
                        "method": self.method,
                        "path": self.path,
                        "status_code": status_code,
                        "response_body": json.dumps(result),
                    }
                )
        except psycopg2.IntegrityError as exc:  # unique violation: a concurrent request with this key won
            raise ApiProblem(
                409, "A request with this Idempotency-Key is being processed; retry later.", title="Conflict"
            ) from exc
        return JSONResponse(result, status_code=status_code, headers={"Idempotency-Replayed": "false"})


async def idempotency(
    request: Request,
    key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="A unique key per operation (e.g. a UUID). Repeating a POST with the same key "
            "returns the stored response instead of doing it twice.",
        ),
    ],
) -> Idempotency:
    """Read the Idempotency-Key header, the raw body and the caller's address of a POST."""
    return Idempotency(key, request.method, request.url.path, await request.body(), client_address(request))


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]


async def reject_nul(request: Request) -> None:
    """Refuse NUL characters anywhere in the request: PostgreSQL cannot store them in text."""
    body = await request.body()
    if (
        "\x00" in request.scope.get("path", "")
        or any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items())
        or any("\x00" in v for v in request.headers.values())
        or b"\x00" in body
        or b"\\u0000" in body
    ):
        raise ApiProblem(400, "The request contains a NUL character.")
