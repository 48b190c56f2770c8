"""API input and output shapes for the business calendars (shape only; rules live in services)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from beheer.core.schemas import Schema, TextLine, WallTime

from . import services


class PeriodIO(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday")
    start: WallTime
    end: WallTime = Field(description="00:00 means midnight at the end of the day")


class ClosingDayIO(Schema):
    date: date
    name: TextLine = Field("", max_length=100)


class CalendarIn(Schema):
    name: TextLine = Field(min_length=1, max_length=100)
    time_zone: TextLine = Field("", max_length=64, description="Empty: the installation's time zone")
    always_open: bool = False
    public_holidays: bool = True
    liberation_day_every_year: bool = False
    school_holidays_region: TextLine = Field("", max_length=10)
    hours: list[PeriodIO] = Field(default_factory=list, max_length=7 * services.MAX_PERIODS_PER_DAY)
    closing_days: list[ClosingDayIO] = Field(default_factory=list, max_length=services.MAX_CLOSING_DAYS)


class CalendarOut(CalendarIn):
    id: int
    active: bool


class CalendarPage(Schema):
    items: list[CalendarOut]
    next_cursor: str | None
