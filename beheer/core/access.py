"""Who may reach a route: every view module and API router declares its audience once, here.

An audience is the lowest role a route admits: anonymous visitors, callers (anyone signed in),
staff (operators and up), coordinators (and administrators) or administrators. A view module
declares it as a module constant::

    ACCESS = access.Gate(access.Audience.STAFF, hidden=True)

and an API router through ``access.declare(router, Gate(...))``. A view or an API operation that
differs from its module or router says so with the ``@access.gate(...)`` decorator. The URLconf
(beheer/urls.py) and the API root (beheer/api.py) wrap every route with its gate when they are
built and refuse to start when a route has none, so a new route cannot be added without saying
who it is for. The gate checks the role only; which objects a person sees is decided by the
querysets' ``visible_to``.

``hidden`` gates refuse with "not found" instead of "forbidden": for pages whose very existence a
lower role must not learn (an internal article, a check's page).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from beheer.accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])
GATE_ATTR = "beheer_gate"


class Audience(enum.IntEnum):
    """The lowest role a route admits; each admits everyone above it too."""

    ANONYMOUS = 0
    CALLER = 1
    STAFF = 2
    COORDINATOR = 3
    ADMINISTRATOR = 4


REFUSALS: dict[Audience, Promise] = {
    Audience.STAFF: gettext_lazy("This page is for operators."),
    Audience.COORDINATOR: gettext_lazy("This is for coordinators and administrators."),
    Audience.ADMINISTRATOR: gettext_lazy("Only administrators can do this."),
}


@dataclass(frozen=True)
class Gate:
    """An audience and how a person below it is refused."""

    audience: Audience
    hidden: bool = False
    message: str | Promise = ""

    def refusal_message(self) -> str:
        return str(self.message or REFUSALS.get(self.audience, ""))


PUBLIC = Gate(Audience.ANONYMOUS)
SIGNED_IN = Gate(Audience.CALLER)
STAFF = Gate(Audience.STAFF)
STAFF_HIDDEN = Gate(Audience.STAFF, hidden=True)
OPERATORS_ONLY = Gate(Audience.STAFF, message=gettext_lazy("Only operators may do this."))
COORDINATORS = Gate(Audience.COORDINATOR)
ADMINISTRATORS = Gate(Audience.ADMINISTRATOR)


def audience_of(user: Any) -> Audience:
    """The highest audience a person belongs to (inactive people are nobody)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Audience.ANONYMOUS
    if getattr(user, "is_administrator", False):
        return Audience.ADMINISTRATOR
    if getattr(user, "is_coordinator", False):
        return Audience.COORDINATOR
    if getattr(user, "is_staff_member", False):
        return Audience.STAFF
    return Audience.CALLER


def admits(audience: Audience, user: Any) -> bool:
    return audience_of(user) >= audience


def is_staff(user: Any) -> bool:
    """Operators, coordinators and administrators (any object, also an anonymous user or None)."""
    return admits(Audience.STAFF, user)


def is_coordinator(user: Any) -> bool:
    return admits(Audience.COORDINATOR, user)


def is_administrator(user: Any) -> bool:
    return admits(Audience.ADMINISTRATOR, user)


def ensure_staff(actor: Any) -> None:
    """The check of a service that only operators (and coordinators and administrators) may call."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only operators may do this."))


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a request behind a gate that admits callers or more."""
    return request.user  # type: ignore[return-value]


def gate(audience: Audience | Gate, *, hidden: bool = False, message: str | Promise = "") -> Callable[[F], F]:
    """Mark one view or API operation with an audience other than its module's or router's."""
    declared = audience if isinstance(audience, Gate) else Gate(audience, hidden=hidden, message=message)

    def mark(view: F) -> F:
        setattr(view, GATE_ATTR, declared)
        return view

    return mark


def declare(router: Any, declared: Gate) -> Any:
    """Declare the audience of every operation of a django-ninja router (see beheer/api.py)."""
    setattr(router, GATE_ATTR, declared)
    return router


def declared_gate(view: Any, module_name: str | None = None) -> Gate | None:
    """The gate of a view: its own mark, else its module's ``ACCESS`` constant."""
    own = getattr(view, GATE_ATTR, None)
    if own is None and hasattr(view, "view_class"):
        own = getattr(view.view_class, GATE_ATTR, None)
    if own is not None:
        return own
    import sys

    module = sys.modules.get(module_name or getattr(view, "__module__", "") or "")
    found = getattr(module, "ACCESS", None)
    return found if isinstance(found, Gate) else None


def refuse_view(declared: Gate, request: HttpRequest) -> HttpResponseBase | None:
    """None when the request may pass the gate of a page; else the answer (a redirect to the login
    page for an anonymous visitor; 404 or 403 for a role below the audience)."""
    if declared.audience == Audience.ANONYMOUS:
        return None
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        from django.contrib.auth.views import redirect_to_login  # not at import: models import this module

        return redirect_to_login(request.get_full_path())
    if admits(declared.audience, user):
        return None
    if declared.hidden:
        raise Http404(_("Page not found."))
    raise DjangoPermissionDenied(declared.refusal_message())


def guard_view(view: Callable[..., HttpResponseBase], declared: Gate) -> Callable[..., HttpResponseBase]:
    """The view behind its gate (done once, by the URLconf)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refused = refuse_view(declared, request)
        if refused is not None:
            return refused
        return view(request, *args, **kwargs)

    setattr(guarded, GATE_ATTR, declared)
    guarded.beheer_guarded = True  # type: ignore[attr-defined]
    return guarded


def check_api(declared: Gate, user: Any) -> None:
    """Raise the API's refusal when an authenticated API user is below the operation's audience."""
    if admits(declared.audience, user):
        return
    if declared.hidden:
        raise NotFound(_("Not found."))
    raise PermissionDenied(declared.refusal_message())


def missing_gate(where: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"{where} declares no audience: give its module an ACCESS gate or the view an @access.gate(...) "
        "(beheer/core/access.py)."
    )


def guard_urlpatterns(patterns: list[Any], *, skip: Callable[[Any], bool], strict: bool = True) -> list[str]:
    """Wrap every view of a URLconf with its gate, once; the views that have none are refused with
    ImproperlyConfigured (``strict``) or returned by their lookup names. ``skip(resolver)`` leaves
    out included URLconfs that guard themselves (the Django admin, the API)."""
    from django.urls import URLPattern, URLResolver

    missing: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if not skip(entry):
                missing += guard_urlpatterns(entry.url_patterns, skip=skip, strict=strict)
        elif isinstance(entry, URLPattern):
            view = entry.callback
            if getattr(view, "beheer_guarded", False):
                continue
            declared = declared_gate(view)
            if declared is None:
                if strict:
                    raise missing_gate(entry.lookup_str)
                missing.append(entry.lookup_str)
                continue
            entry.callback = guard_view(view, declared)
    return missing


class RoleQuerySet:
    """For models whose rows are all visible to one audience and to nobody below it (checks for
    staff, the outbox for coordinators, mailboxes for administrators): a mixin before
    ``models.QuerySet[...]`` with ``audience`` set. Objects with an owner or a finer rule write their
    own ``visible_to``."""

    audience: Audience = Audience.ADMINISTRATOR

    def visible_to(self, user: Any) -> Self:
        queryset: Any = self
        return self if admits(self.audience, user) else queryset.none()
