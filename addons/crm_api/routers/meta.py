# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from fastapi import APIRouter

from ..dependencies import ApiEnv
from ..schemas import Me
from .common import PROBLEM_RESPONSES

router = APIRouter(tags=["account"], responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=Me, summary="The user of the API key")
def get_me(env: ApiEnv):
    """Who the API key belongs to."""
    user = env.user
    return {
        "user_id": user.id,
        "name": user.name,
        "login": user.login,
        "partner_id": user.partner_id.id,
        "is_internal": user._is_internal(),
        "is_portal": user._is_portal(),
    }
