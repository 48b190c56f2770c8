"""The business-calendar screens under /sla/calendars/ (coordinators and administrators): the list,
create, edit, archive or restore after a confirmation.

Thin adapters: the form checks shape, `services` checks every rule (the API calls the same
functions). The apps that count in calendars add the section's tabs, the history and the names of
what keeps a calendar in use (`extensions.py`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beheer.core import access, config_views
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

    def context(cal: BusinessCalendar | None) -> dict[str, Any]:
        history = extensions.history(cal.pk, HISTORY_ROWS) if cal else []
        return {"calendar": cal, "history": history, **_section()}

    return config_views.edit_page(
        request,
        CalendarForm(request.POST or None, calendar=cal),
        cal,
        create=services.create_calendar,
        update=services.update_calendar,
        created=_("The business calendar has been created."),
        saved=_("The business calendar has been saved."),
        edit_url="sla-calendar-edit",
        template="calendars/calendar_form.html",
        context=context,
    )


@require_http_methods(["GET", "POST"])
def calendar_archive(request: HttpRequest, pk: int) -> HttpResponse:
    cal = _get(pk)
    if request.method == "POST":
        return config_views.toggle_active(
            request,
            cal,
            archive=services.archive_calendar,
            restore=services.restore_calendar,
            archived=_("The business calendar has been archived."),
            restored=_("The business calendar is active again."),
            edit_url="sla-calendar-edit",
        )
    users = extensions.dependents(cal)
    return render(request, "calendars/confirm.html", {"object": cal, "users": users, **_section()})
