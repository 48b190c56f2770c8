"""The business-calendar screens under /sla/calendars/ (coordinators and administrators): the list,
create, edit, archive or restore after a confirmation.

Thin adapters: the form checks shape, `services` checks every rule (the API calls the same
functions). The apps that count in calendars add the section's tabs, the history and the names of
what keeps a calendar in use (`extensions.py`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.pagination import SortKey, page_for_request

from . import extensions, services
from .forms import CalendarForm
from .models import BusinessCalendar

ACCESS = access.COORDINATORS

PAGE_SIZE = 50
NAME_ORDER = (SortKey("name"), SortKey("id"))
HISTORY_ROWS = 50


def _get(pk: int) -> BusinessCalendar:
    row = BusinessCalendar.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _section() -> dict[str, str]:
    return {"tab": "calendars", "section_nav": extensions.nav_template()}


@require_http_methods(["GET"])
def calendar_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    qs = BusinessCalendar.objects.filter(active=show != "archived")
    page = page_for_request(request, qs, NAME_ORDER, size=PAGE_SIZE)
    return render(request, "calendars/calendar_list.html", {"page": page, "show": show, **_section()})


@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    cal = _get(pk) if pk is not None else None
    form = CalendarForm(request.POST or None, calendar=cal)
    if request.method == "POST" and form.is_valid():
        try:
            if cal is None:
                cal = services.create_calendar(data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The business calendar has been created."))
            else:
                services.update_calendar(cal, data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The business calendar has been saved."))
            return redirect("sla-calendar-edit", pk=cal.pk)
        except DomainError as exc:
            form.place(exc.field_errors, exc.message)
    status = 400 if request.method == "POST" else 200
    history = extensions.history(cal.pk, HISTORY_ROWS) if cal else []
    context = {"form": form, "calendar": cal, "history": history, **_section()}
    return render(request, "calendars/calendar_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def calendar_archive(request: HttpRequest, pk: int) -> HttpResponse:
    cal = _get(pk)
    if request.method == "POST":
        try:
            if cal.active:
                services.archive_calendar(cal, actor=current_user(request))
                messages.success(request, _("The business calendar has been archived."))
            else:
                services.restore_calendar(cal, actor=current_user(request))
                messages.success(request, _("The business calendar is active again."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("sla-calendar-edit", pk=cal.pk)
    users = extensions.dependents(cal)
    return render(request, "calendars/confirm.html", {"object": cal, "users": users, **_section()})
