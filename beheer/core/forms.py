"""Small helpers the views of every app share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase

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


View = Callable[..., HttpResponseBase]


def require_staff(refusal: Callable[[], Exception]) -> Callable[[View], View]:
    """A decorator for views of operators, coordinators and administrators: a login first, then
    `refusal()` is raised for anyone else (Http404 where even the page's existence is private, a
    PermissionDenied with a message elsewhere)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not getattr(request.user, "is_staff_member", False):
                raise refusal()
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
