# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every error of the API as ``application/problem+json`` (RFC 9457), without stack traces.

Business errors are answered inside the FastAPI app; the request's savepoint (see
``dependencies.api_env``) has already undone their writes. Anything else (a bug, a database error)
still reaches Odoo's dispatcher, which rolls back, retries serialisation failures and logs it.
"""

import logging
from http import HTTPStatus

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError

_logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemResponse(JSONResponse):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE


class ApiProblem(Exception):
    """An error the API answers with a problem document."""

    def __init__(self, status, detail, title=None, headers=None, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers
        self.extra = extra


def problem_response(request, status, detail, title=None, headers=None, **extra):
    """Build the problem+json response (and log it at INFO: client errors are not server errors)."""
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    _logger.info("API %s %s -> %s %s", request.method, request.url.path, status, detail)
    return ProblemResponse(jsonable_encoder(body), status_code=status, headers=headers)


async def _api_problem(request: Request, exc: ApiProblem):
    return problem_response(request, exc.status, exc.detail, exc.title, exc.headers, **exc.extra)


async def _http_exception(request: Request, exc: StarletteHTTPException):
    return problem_response(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError):
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return problem_response(request, 422, "The request does not match the API schema.", errors=errors)


async def _access_error(request: Request, exc: Exception):
    return problem_response(request, 403, "You are not allowed to do this with this API key.")


async def _missing_error(request: Request, exc: MissingError):
    return problem_response(request, 404, "The record does not exist or was deleted.")


async def _user_error(request: Request, exc: UserError):
    return problem_response(request, 422, str(exc.args[0]) if exc.args else "The request was refused.")


def exception_handlers():
    """The handlers the crm_api FastAPI app installs."""
    return {
        ApiProblem: _api_problem,
        StarletteHTTPException: _http_exception,
        RequestValidationError: _validation_error,
        AccessError: _access_error,
        AccessDenied: _access_error,
        MissingError: _missing_error,
        UserError: _user_error,
    }
