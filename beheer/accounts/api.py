"""API for the current user and their API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Answer

from beheer.core import access
from beheer.core.errors import NotFound
from beheer.core.schemas import Id, errors

from . import services
from .backends import client_address
from .models import ApiToken, User
from .schemas import MeOut, PasswordIn, TokenCreatedOut, TokenIn, TokenOut

router = access.declare(Router(tags=["people"]), access.SIGNED_IN)


def token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    u: User = request.user  # type: ignore[assignment]
    return {
        "id": u.pk,
        "username": u.username,
        "name": str(u),
        "email": u.email,
        "role": u.role,
        "language": u.language,
        "operator_groups": list(u.operator_groups.values_list("name", flat=True)),
        "security_officer": bool(u.security_officer and u.is_staff_member),
        "privacy_officer": bool(u.privacy_officer and u.is_staff_member),
    }


@router.post("/me/password", response={204: None, **errors(400, 429)})
def change_own_password(request: HttpRequest, payload: PasswordIn) -> Any:
    """Change your own password: the current one is required. Your sessions in the browser end;
    API tokens keep working."""
    services.change_own_password(
        request.user,  # type: ignore[arg-type]
        current_password=payload.current_password,
        new_password=payload.new_password,
        address=client_address(request),
    )
    return Answer(204, None)


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(t) for t in ApiToken.objects.filter(user=request.user)[:200]]  # type: ignore[misc]


@router.post("/tokens", response={201: TokenCreatedOut, **errors(400)})
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    user: User = request.user  # type: ignore[assignment]
    token, secret = services.issue_api_token(
        user, name=payload.name, actor=user, expires_in_days=payload.expires_in_days
    )
    return Answer(201, {**token_out(token), "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None, **errors(404)})
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()  # type: ignore[misc]
    if token is None:
        raise NotFound(_("Token not found."))
    services.revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
    return Answer(204, None)
