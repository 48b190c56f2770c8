"""Small helpers the views of every app share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from .errors import DomainError

if TYPE_CHECKING:
    from beheer.accounts.models import User


def current_user(request: HttpRequest) -> User:
    """The signed-in user (the views that call this are behind a login check)."""
    return request.user  # type: ignore[return-value]


def place_domain_errors(form: Any, exc: DomainError) -> None:
    """A service's field errors on the form fields that exist; the message as a form error when
    none of them has a field on this form."""
    placed = False
    for name, message in exc.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
