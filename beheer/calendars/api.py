"""JSON adapter for the business calendars, under /api/v1/sla/calendars (coordinators, administrators).

The same services as the screens (`services.py`), so the same validation. Mounted by beheer/api.py
next to the servicedesk's service-level routes, under the operation ids they were first published
with.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router
from ninja.responses import Status as Answer

from beheer.core import access
from beheer.core.api_helpers import ConfigRows
from beheer.core.schemas import Id, Int64, TextLine, errors

from . import services
from .models import BusinessCalendar
from .schemas import CalendarIn, CalendarOut, CalendarPage

PUBLISHED_IN = "beheer.servicedesk.sla_api"  # the operation ids of before the move (beheer/api.py)
router = access.declare(Router(tags=["service levels"]), access.COORDINATORS)


def _actor(request: HttpRequest) -> Any:
    user = request.user
    services.ensure_may_configure(user)
    return user


def _calendar_out(cal: BusinessCalendar) -> dict[str, Any]:
    return {
        "id": cal.pk,
        "name": cal.name,
        "time_zone": cal.time_zone,
        "always_open": cal.always_open,
        "public_holidays": cal.public_holidays,
        "liberation_day_every_year": cal.liberation_day_every_year,
        "school_holidays_region": cal.school_holidays_region,
        "hours": [{"weekday": h.weekday, "start": h.start, "end": h.end} for h in cal.opening_hours.all()],
        "closing_days": [{"date": d.date, "name": d.name} for d in cal.closing_days.all()],
        "active": cal.active,
    }


def _calendar_data(body: CalendarIn) -> services.CalendarData:
    return services.CalendarData(
        name=body.name,
        time_zone=body.time_zone,
        always_open=body.always_open,
        public_holidays=body.public_holidays,
        liberation_day_every_year=body.liberation_day_every_year,
        school_holidays_region=body.school_holidays_region,
        hours=[services.Period(h.weekday, h.start, h.end) for h in body.hours],
        closing_days=[services.ClosingDate(d.date, d.name) for d in body.closing_days],
    )


CALENDARS = ConfigRows(
    BusinessCalendar,
    out=_calendar_out,
    not_found=gettext_lazy("Business calendar not found."),
    prefetch=("opening_hours", "closing_days"),
)


@router.get("/calendars", response={200: CalendarPage, **errors(400, 403)}, summary="Business calendars")
def calendar_list(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    _actor(request)
    return CALENDARS.page(cursor=cursor, limit=limit)


@router.post(
    "/calendars", response={201: CalendarOut, **errors(400, 403)}, summary="Create a business calendar"
)
def calendar_create(request: HttpRequest, body: CalendarIn) -> Answer[dict[str, Any]]:
    cal = services.create_calendar(data=_calendar_data(body), actor=_actor(request))
    return Answer(201, CALENDARS.detail(cal.pk))


@router.get(
    "/calendars/{calendar_id}",
    response={200: CalendarOut, **errors(403, 404)},
    summary="One business calendar",
)
def calendar_detail(request: HttpRequest, calendar_id: Id) -> dict[str, Any]:
    _actor(request)
    return CALENDARS.detail(calendar_id)


@router.put(
    "/calendars/{calendar_id}",
    response={200: CalendarOut, **errors(400, 403, 404, 409)},
    summary="Replace a business calendar",
)
def calendar_update(request: HttpRequest, calendar_id: Id, body: CalendarIn) -> dict[str, Any]:
    actor = _actor(request)
    return CALENDARS.change(calendar_id, services.update_calendar, data=_calendar_data(body), actor=actor)


@router.post(
    "/calendars/{calendar_id}/archive",
    response={200: CalendarOut, **errors(403, 404, 409)},
    summary="Archive a business calendar",
)
def calendar_archive(request: HttpRequest, calendar_id: Id) -> dict[str, Any]:
    return CALENDARS.change(calendar_id, services.archive_calendar, actor=_actor(request))
