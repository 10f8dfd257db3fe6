# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every router shares: the documented problem responses."""

from ..errors import PROBLEM_MEDIA_TYPE
from ..schemas import Problem


def _problem(description):
    return {
        "model": Problem,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


PROBLEM_RESPONSES = {
    400: _problem("Malformed request"),
    401: _problem("Missing, unknown, revoked or expired API key"),
    403: _problem("The key's user may not do this"),
    404: _problem("Not found, or not visible to the key's user"),
    409: _problem("A request with the same Idempotency-Key is in progress"),
    422: _problem("Invalid request, or refused by a business rule"),
    429: _problem("Too many requests (public intake rate limit)"),
}
