"""The portal's changes: a caller submits a change request and sees the changes they requested or
are the client of, with the phase and status only, nothing internal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError

from .. import services
from ..forms import PortalRequestForm
from ..models import Change
from .changes import place_errors

ACCESS = access.SIGNED_IN


@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    changes = Change.objects.filter(pk__in=_own(request))
    return render(
        request,
        "changes/portal/list.html",
        {"changes": list(changes.select_related("phase").order_by("-created_at", "-id")[:100])},
    )


def portal_change_for(request: HttpRequest, pk: int) -> Change | None:
    """One of the person's own changes, with what the portal shows of it only."""
    return (
        Change.objects.filter(pk=pk)
        .filter(pk__in=_own(request))
        .select_related("phase")
        .only(
            "pk", "title", "description", "status", "phase", "created_at", "kind", "requester_id", "client_id"
        )
        .first()
    )


def render_portal_detail(
    request: HttpRequest, change: Change, *, needs_form: Any = None, plan_form: Any = None, status: int = 200
) -> HttpResponse:
    from .portal_needs import portal_needs_context
    from .portal_plan import portal_plan_context

    context = {
        "change": change,
        **portal_needs_context(request, change, needs_form),
        **portal_plan_context(request, change, plan_form),
    }
    return render(request, "changes/portal/detail.html", context, status=status)


@require_GET
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = portal_change_for(request, pk)
    if change is None:
        raise Http404
    return render_portal_detail(request, change)


def _own(request: HttpRequest) -> Any:
    """The changes the person requested or is the client of (for staff too: the portal is theirs)."""
    return Change.objects.filter(Q(requester_id=request.user.pk) | Q(client_id=request.user.pk)).values("pk")


@require_http_methods(["GET", "POST"])
def portal_request(request: HttpRequest) -> HttpResponse:
    form = PortalRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.submit_change_request(
                actor=current_user(request),
                title_text=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                ci=form.cleaned_data["ci"],
            )
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(
                request, _("Your change request %(number)s has been sent.") % {"number": change.number}
            )
            return redirect("portal-change", pk=change.pk)
    return render(request, "changes/portal/request.html", {"form": form})
