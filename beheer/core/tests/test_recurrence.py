"""The recurrence builder: compose, parse back, describe in words; the field and its widget."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from dateutil import rrule as du
from django import forms
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.core import recurrence
from beheer.core.recurrence import Recurrence, RecurrenceError, compose, describe, parse
from beheer.core.recurrence_field import RecurrenceField


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    freq = draw(st.sampled_from(recurrence.FREQUENCIES))
    values: dict[str, object] = {"freq": freq, "interval": draw(st.integers(1, 12))}
    if freq == recurrence.WEEKLY:
        values["weekdays"] = tuple(
            d for d in recurrence.DAY_CODES if d in draw(st.sets(st.sampled_from(recurrence.DAY_CODES)))
        )
    if freq == recurrence.YEARLY and draw(st.booleans()):
        values["month"] = draw(st.integers(1, 12))
    if freq in (recurrence.MONTHLY, recurrence.YEARLY):
        if draw(st.booleans()) and (freq == recurrence.MONTHLY or "month" in values):
            values.update(
                monthly=recurrence.BY_WEEKDAY,
                ordinal=draw(st.sampled_from(recurrence.ORDINALS)),
                ordinal_weekday=draw(st.sampled_from(recurrence.DAY_CODES)),
            )
        else:
            values["month_day"] = draw(st.none() | st.integers(1, 28))
    end = draw(st.sampled_from([recurrence.NEVER, recurrence.UNTIL, recurrence.COUNT]))
    values["end"] = end
    if end == recurrence.UNTIL:
        values["until"] = draw(st.dates(date(2026, 1, 1), date(2040, 12, 31)))
    if end == recurrence.COUNT:
        values["count"] = draw(st.integers(1, 1000))
    return Recurrence(**values)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(rec=recurrences())
def test_every_builder_choice_round_trips_and_is_a_valid_rule(rec: Recurrence) -> None:
    rule = compose(rec)
    assert parse(rule) == rec
    assert compose(parse(rule)) == rule  # type: ignore[arg-type]
    # dateutil, the engine of windows and series, accepts it and it occurs.
    parsed = du.rrulestr(rule, dtstart=datetime(2026, 1, 5, 9, 0))
    assert parsed.after(datetime(2026, 1, 4), inc=True) is not None or rec.end == recurrence.UNTIL
    words = describe(rule)
    assert words
    assert "FREQ" not in words
    assert "BY" not in words


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "FREQ=MONTHLY;BYDAY=1TU",
            Recurrence(freq="MONTHLY", monthly="weekday", ordinal=1, ordinal_weekday="TU"),
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            Recurrence(freq="MONTHLY", monthly="weekday", ordinal=-1, ordinal_weekday="FR"),
        ),
        ("RRULE:FREQ=WEEKLY;BYDAY=SU", Recurrence(freq="WEEKLY", weekdays=("SU",))),
        ("FREQ=DAILY;INTERVAL=2;COUNT=10", Recurrence(freq="DAILY", interval=2, end="count", count=10)),
        (
            "FREQ=WEEKLY;UNTIL=20261231T225959Z",
            Recurrence(freq="WEEKLY", end="until", until=date(2026, 12, 31)),
        ),
        ("", Recurrence()),
    ],
)
def test_existing_rules_are_read_back_into_the_builder(rule: str, expected: Recurrence) -> None:
    assert parse(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY;INTERVAL=4",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
        "FREQ=WEEKLY;WKST=SU",
        "FREQ=YEARLY;BYDAY=1MO",
        "not a rule at all",
    ],
)
def test_rules_the_builder_cannot_express_are_kept_and_described_in_words(rule: str) -> None:
    assert parse(rule) is None
    with translation.override("en"):
        words = describe(rule)
    assert words
    assert rule not in words
    assert "FREQ" not in words


def test_words_in_the_readers_language() -> None:
    with translation.override("en"):
        assert describe("FREQ=MONTHLY;BYDAY=1TU") == "every month, on the first Tuesday"
        assert describe("FREQ=HOURLY;INTERVAL=4") == "every 4 hours"
        assert (
            describe("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3")
            == "every week, on Monday and Thursday, 3 times in all"
        )
    with translation.override("nl"):
        assert describe("FREQ=MONTHLY;BYDAY=1TU") == "elke maand, op de eerste dinsdag"


def test_incomplete_choices_are_refused() -> None:
    with pytest.raises(RecurrenceError) as caught:
        compose(Recurrence(freq="WEEKLY", end="until"))
    assert caught.value.part == "until"
    with pytest.raises(RecurrenceError):
        compose(Recurrence(freq="MONTHLY", month_day=32))
    with pytest.raises(RecurrenceError):
        compose(Recurrence(freq="DAILY", interval=0))


class Builder(forms.Form):
    rule = RecurrenceField(label="Repeats", preview_url="/preview/")


def test_the_field_composes_the_rule_from_the_builders_inputs() -> None:
    form = Builder(
        {
            "rule_0": "MONTHLY",
            "rule_1": "2",
            "rule_3": "weekday",
            "rule_5": "-1",
            "rule_6": "FR",
            "rule_8": "count",
            "rule_10": "6",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rule"] == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=6"
    once = Builder({"rule_0": "", "rule_8": "never"})
    assert once.is_valid()
    assert once.cleaned_data["rule"] == ""
    missing = Builder({"rule_0": "WEEKLY", "rule_8": "until", "rule_9": ""})
    assert not missing.is_valid()


def test_a_kept_rule_stays_as_it_is_and_is_never_shown_raw() -> None:
    rule = "FREQ=HOURLY;INTERVAL=6;BYMINUTE=30"
    with translation.override("en"):
        html = Builder(initial={"rule": rule}).as_p()
        form = Builder({"rule_0": "keep", "rule_8": "never", "rule_11": rule})
        assert form.is_valid()
        assert form.cleaned_data["rule"] == rule
    assert "Keep: every 6 hours" in html
    visible = html.replace(f'value="{rule}"', "")  # the hidden input carries it back unchanged
    assert "FREQ=" not in visible
    assert 'hx-post="/preview/"' in html


def test_an_existing_simple_rule_fills_the_builder() -> None:
    html = Builder(initial={"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"}).as_p()
    assert '<option value="WEEKLY" selected>' in html
    assert 'name="rule_1" value="2"' in html
    assert 'value="MO"' in html
    assert 'value="FR"' in html
    assert "FREQ=" not in html
