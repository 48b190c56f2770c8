"""The recurrence builder: one form field and widget for every recurring thing (maintenance windows,
preventive activity series).

People choose a frequency, every N, weekdays, a day of the month or "the first ... last <weekday>",
and an end; the field composes the RRULE (`core.recurrence.compose`). An existing rule is parsed
back into the builder; a rule the builder cannot express is kept unchanged (the "keep" choice) and
shown in words, never raw. The widget carries an HTMX "next dates" preview: `preview_url` is the
app's own view, which renders the next occurrences with the app's engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import recurrence
from .recurrence import BY_DAY, BY_WEEKDAY, COUNT, NEVER, UNTIL, Recurrence, RecurrenceError

KEEP = "keep"

FREQ_CHOICES = [
    ("", _("Does not repeat")),
    (recurrence.DAILY, _("Daily")),
    (recurrence.WEEKLY, _("Weekly")),
    (recurrence.MONTHLY, _("Monthly")),
    (recurrence.YEARLY, _("Yearly")),
]
WEEKDAY_CHOICES = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
MONTHLY_CHOICES = [(BY_DAY, _("on day")), (BY_WEEKDAY, _("on the"))]
ORDINAL_CHOICES = [
    ("1", _("first")),
    ("2", _("second")),
    ("3", _("third")),
    ("4", _("fourth")),
    ("-1", _("last")),
]
MONTH_CHOICES = [
    ("", _("the first date's month")),
    ("1", _("January")),
    ("2", _("February")),
    ("3", _("March")),
    ("4", _("April")),
    ("5", _("May")),
    ("6", _("June")),
    ("7", _("July")),
    ("8", _("August")),
    ("9", _("September")),
    ("10", _("October")),
    ("11", _("November")),
    ("12", _("December")),
]
END_CHOICES = [(NEVER, _("never")), (UNTIL, _("on a date")), (COUNT, _("after a number of times"))]

# subwidget index -> name (the widget's data are name_<index> in the POST)
PARTS = (
    "freq",
    "interval",
    "weekdays",
    "monthly",
    "month_day",
    "ordinal",
    "ordinal_weekday",
    "month",
    "end",
    "until",
    "count",
    "kept",
)


class RecurrenceWidget(forms.MultiWidget):
    template_name = "core/widgets/recurrence.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, preview_url: Any = "") -> None:
        self.preview_url = preview_url
        widgets = [
            forms.Select(choices=FREQ_CHOICES, attrs={"data-recurrence": "freq"}),
            forms.NumberInput(
                attrs={"min": "1", "max": str(recurrence.MAX_INTERVAL), "class": "input-narrow"}
            ),
            forms.CheckboxSelectMultiple(choices=WEEKDAY_CHOICES),
            forms.RadioSelect(choices=MONTHLY_CHOICES),
            forms.NumberInput(attrs={"min": "1", "max": "31", "class": "input-narrow"}),
            forms.Select(choices=ORDINAL_CHOICES),
            forms.Select(choices=WEEKDAY_CHOICES),
            forms.Select(choices=MONTH_CHOICES),
            forms.RadioSelect(choices=END_CHOICES),
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            forms.NumberInput(attrs={"min": "1", "max": str(recurrence.MAX_COUNT), "class": "input-narrow"}),
            forms.HiddenInput(),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        rule = value if isinstance(value, str) else ""
        rec = recurrence.parse(rule)
        if rec is None:  # kept as it is, described in words
            return [KEEP, 1, [], BY_DAY, None, "1", "MO", "", NEVER, None, None, rule]
        return [
            rec.freq,
            rec.interval,
            list(rec.weekdays),
            rec.monthly,
            rec.month_day,
            str(rec.ordinal) if rec.ordinal else "1",
            rec.ordinal_weekday or "MO",
            str(rec.month) if rec.month else "",
            rec.end,
            rec.until,
            rec.count,
            "",
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list) else self.decompress(value)
        freq = values[0] if values else ""
        kept = str(values[11] or "") if len(values) > 11 else ""
        sub = {part: context["widget"]["subwidgets"][i] for i, part in enumerate(PARTS)}
        if kept:
            # The rule the builder cannot express is offered as a choice of its own, in words.
            words = recurrence.describe(kept)
            select = forms.Select(
                choices=[(KEEP, _("Keep: %(rule)s") % {"rule": words}), *FREQ_CHOICES],
                attrs={"data-recurrence": "freq"},
            )
            sub["freq"] = select.get_context(f"{name}_0", freq or KEEP, dict(sub["freq"]["attrs"]))["widget"]
        end = values[8] if len(values) > 8 else NEVER
        context["widget"].update(
            parts=sub,
            preview_url=self.preview_url,
            kept_words=recurrence.describe(kept) if kept else "",
            freq=freq or "",
            end=end or NEVER,
        )
        return context


class RecurrenceField(forms.MultiValueField):
    """Cleans to an RRULE body ("" when it does not repeat)."""

    def __init__(self, *, preview_url: Any = "", **kwargs: Any) -> None:
        fields = (
            forms.CharField(required=False),
            forms.IntegerField(required=False, min_value=1, max_value=recurrence.MAX_INTERVAL),
            forms.MultipleChoiceField(required=False, choices=WEEKDAY_CHOICES),
            forms.CharField(required=False),
            forms.IntegerField(required=False, min_value=1, max_value=31),
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.DateField(required=False),
            forms.IntegerField(required=False, min_value=1, max_value=recurrence.MAX_COUNT),
            forms.CharField(required=False, max_length=500),
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, widget=RecurrenceWidget(preview_url=preview_url), **kwargs)

    def clean(self, value: Any) -> Any:
        # A sub-field's own error (a non-number) is reported for the whole builder.
        try:
            return super().clean(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def compress(self, data_list: list[Any]) -> str:
        if not data_list:
            return ""
        values = dict(zip(PARTS, data_list, strict=False))
        freq = values.get("freq") or ""
        if freq == KEEP:
            kept = str(values.get("kept") or "").strip()
            if not kept:
                raise ValidationError(_("Choose how often it repeats."))
            return kept
        try:
            ordinal = int(values.get("ordinal") or 1)
            month = int(values["month"]) if values.get("month") else None
        except ValueError:
            raise ValidationError(_("Choose which weekday of the month.")) from None
        until = values.get("until")
        rec = Recurrence(
            freq=freq,
            interval=values.get("interval") or 1,
            weekdays=tuple(values.get("weekdays") or ()),
            monthly=values.get("monthly") or BY_DAY,
            month_day=values.get("month_day"),
            ordinal=ordinal,
            ordinal_weekday=values.get("ordinal_weekday") or "MO",
            month=month,
            end=values.get("end") or NEVER,
            until=until if isinstance(until, date) else None,
            count=values.get("count"),
        )
        try:
            return recurrence.compose(rec)
        except RecurrenceError as exc:
            raise ValidationError(str(exc)) from None
