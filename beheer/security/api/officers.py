"""The security and privacy officers (staff read, administrators change), /api/v1/security/officers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from beheer.accounts import services as accounts
from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import NotFound
from beheer.core.schemas import Id, Schema, errors

from ..officers import officers_list

router = access.declare(Router(tags=["security"]), access.STAFF)


class OfficerOut(Schema):
    id: int
    name: str
    role: str
    security_officer: bool
    privacy_officer: bool


class OfficerMarksIn(Schema):
    security_officer: bool
    privacy_officer: bool


def _out(person: User) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": str(person),
        "role": person.role,
        "security_officer": person.security_officer,
        "privacy_officer": person.privacy_officer,
    }


@router.get(
    "/officers",
    response={200: list[OfficerOut], **errors(403)},
    summary="The security and privacy officers; staff",
)
def list_officers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(p) for p in officers_list()]


@access.gate(access.ADMINISTRATORS)
@router.put(
    "/officers/{person_id}",
    response={200: OfficerOut, **errors(400, 403, 404)},
    summary="Make a staff member security and/or privacy officer, or stop it; administrators",
)
def set_marks(request: HttpRequest, person_id: Id, payload: OfficerMarksIn) -> dict[str, Any]:
    person = User.objects.visible_to(current_user(request)).filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    person = accounts.set_officer_marks(
        person,
        security_officer=payload.security_officer,
        privacy_officer=payload.privacy_officer,
        actor=current_user(request),
    )
    return _out(person)
