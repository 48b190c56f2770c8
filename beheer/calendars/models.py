"""Business calendars: when a clock counts. Opening hours per weekday, closing days, holidays.

Configuration rows only; the arithmetic is in `business_time.py` and `holidays.py` (no ORM), and
`services.calendar_for` turns a row into that module's Calendar. The calendars know no domain: the
apps that count in them (the servicedesk's SLA policies and OLA targets) point at them.

The models came from the servicedesk and keep its tables (`db_table`), without copying.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core.timezones import installation_time_zone

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class SchoolRegion(models.TextChoices):
    NONE = "", _("No school holidays")
    NORTH = "Noord", _("Region North")
    MIDDLE = "Midden", _("Region Middle")
    SOUTH = "Zuid", _("Region South")


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class BusinessCalendar(models.Model):
    """Servicevenster: when the SLA clock runs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=installation_time_zone, validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("24x7"), default=False, help_text=_("Every hour counts; opening hours and holidays are ignored.")
    )
    public_holidays = models.BooleanField(_("closed on Dutch public holidays"), default=True)
    liberation_day_every_year = models.BooleanField(
        _("Liberation Day every year"),
        default=False,
        help_text=_("Closed on 5 May every year instead of only every fifth year (2025, 2030, ...)."),
    )
    school_holidays_region = models.CharField(
        _("closed in the school holidays of"), max_length=10, choices=SchoolRegion.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "servicedesk_businesscalendar"
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        db_table = "servicedesk_openinghours"
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) | Q(end=time(0)), name="hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{dict(WEEKDAYS)[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"


class ClosingDay(models.Model):
    """An extra day the desk is closed: a study day, a bridge day, a CAO holiday."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closing_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        db_table = "servicedesk_closingday"
        ordering = ["calendar", "date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_closing_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()
