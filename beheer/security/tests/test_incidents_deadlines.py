"""The reporting clocks (security/deadlines.py): examples, and properties against a reference written
here separately, across the changes to and from summer time (Europe/Amsterdam) and month ends."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.security import deadlines as dl

AMS = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    """A local time in Amsterdam, as an aware moment."""
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def kinds(items: list[dl.Deadline]) -> list[str]:
    return [d.kind for d in items]


# -- examples --------------------------------------------------------------------------------------


def test_a_significant_incident_has_an_early_warning_a_notification_and_a_progress_report() -> None:
    items = dl.deadlines(dl.Facts(aware_at=at("2026-03-02T10:00"), significant=True))
    assert kinds(items) == [dl.EARLY_WARNING, dl.NOTIFICATION, dl.PROGRESS_REPORT, dl.FINAL_REPORT]
    early, notification, progress, final = items
    assert early.due == at("2026-03-03T10:00")
    assert notification.due == at("2026-03-05T10:00")
    assert progress.due == at("2026-04-05T10:00")  # across the change to summer time: same wall clock
    assert final.due is None  # one month after handling, which has not happened


def test_the_final_report_falls_a_month_after_the_notification_when_handled_before() -> None:
    facts = dl.Facts(aware_at=at("2026-03-02T10:00"), significant=True, handled_at=at("2026-03-20T12:00"))
    items = dl.deadlines(facts)
    assert kinds(items) == [dl.EARLY_WARNING, dl.NOTIFICATION, dl.FINAL_REPORT]
    assert items[-1].due == at("2026-04-05T10:00")


def test_still_ongoing_a_progress_report_then_the_final_one_a_month_after_handling() -> None:
    facts = dl.Facts(aware_at=at("2026-01-05T09:00"), significant=True, handled_at=at("2026-03-31T16:00"))
    items = dl.deadlines(facts)
    assert kinds(items) == [dl.EARLY_WARNING, dl.NOTIFICATION, dl.PROGRESS_REPORT, dl.FINAL_REPORT]
    assert items[2].due == at("2026-02-08T09:00")
    assert items[3].due == at("2026-04-30T16:00")  # 31 March -> 30 April


def test_the_final_report_counts_from_the_notification_actually_made() -> None:
    facts = dl.Facts(aware_at=at("2026-01-29T09:00"), significant=True, handled_at=at("2026-02-01T09:00"))
    made = {dl.NOTIFICATION: at("2026-01-31T08:00")}
    items = dl.deadlines(facts, made)
    assert items[1].met_at == at("2026-01-31T08:00")
    assert items[-1].kind == dl.FINAL_REPORT
    assert items[-1].due == at("2026-02-28T08:00")  # 31 January -> 28 February


def test_24_hours_across_the_change_to_summer_time_are_24_real_hours() -> None:
    aware = at("2026-03-28T12:00")  # CET; the clocks go forward on 29 March at 02:00
    early = dl.deadlines(dl.Facts(aware_at=aware, significant=True))[0]
    assert early.due is not None
    assert early.due - aware == timedelta(hours=24)
    assert early.due.astimezone(AMS).hour == 13  # not 12: an hour of wall clock was skipped


def test_72_hours_across_the_change_to_winter_time() -> None:
    aware = at("2026-10-24T12:00")  # CEST; back to CET on 25 October
    ap = dl.deadlines(dl.Facts(aware_at=aware, breach=True))[0]
    assert ap.kind == dl.AP_REPORT
    assert ap.due is not None
    assert ap.due - aware == timedelta(hours=72)
    assert ap.due.astimezone(AMS).hour == 11


def test_a_breach_unlikely_to_pose_a_risk_has_no_ap_report() -> None:
    assert dl.deadlines(dl.Facts(aware_at=at("2026-05-01T10:00"), breach=True, unlikely_risk=True)) == []


def test_a_high_risk_breach_tells_the_people_without_undue_delay() -> None:
    items = dl.deadlines(dl.Facts(aware_at=at("2026-05-01T10:00"), breach=True, high_risk=True))
    assert kinds(items) == [dl.AP_REPORT, dl.PEOPLE_NOTICE]
    notice = items[1]
    assert notice.due is None
    assert notice.immediate
    assert notice.passed(at("2026-05-01T10:01"))  # due now, until it is met
    assert dl.warning_level(notice, at("2026-06-01T10:00")) == dl.SOON  # told once: due now
    met = dl.deadlines(
        dl.Facts(aware_at=at("2026-05-01T10:00"), breach=True, high_risk=True),
        {dl.PEOPLE_NOTICE: at("2026-05-01T15:00")},
    )[1]
    assert met.met
    assert not met.passed(at("2026-06-01T10:00"))
    assert dl.warning_level(met, at("2026-06-01T10:00")) == dl.NONE


def test_a_deadline_is_met_when_its_report_is_recorded() -> None:
    facts = dl.Facts(aware_at=at("2026-05-01T10:00"), breach=True)
    assert not dl.all_met(dl.deadlines(facts))
    assert dl.all_met(dl.deadlines(facts, {dl.AP_REPORT: at("2026-05-02T10:00")}))


def test_warning_levels_a_quarter_or_six_hours_before() -> None:
    early = dl.deadlines(dl.Facts(aware_at=at("2026-05-01T10:00"), significant=True))[0]  # 24 h
    assert dl.warning_level(early, at("2026-05-02T03:59")) == dl.NONE
    assert dl.warning_level(early, at("2026-05-02T04:00")) == dl.SOON  # 6 h left (a quarter of 24 h)
    assert dl.warning_level(early, at("2026-05-02T10:00")) == dl.PASSED
    ap = dl.deadlines(dl.Facts(aware_at=at("2026-05-01T10:00"), breach=True))[0]  # 72 h
    assert dl.warning_level(ap, at("2026-05-03T15:59")) == dl.NONE
    assert dl.warning_level(ap, at("2026-05-03T16:00")) == dl.SOON  # 18 h left: a quarter of 72 h


def test_a_moment_without_its_time_zone_is_refused() -> None:
    with pytest.raises(ValueError):
        dl.deadlines(dl.Facts(aware_at=datetime(2026, 5, 1, 10), breach=True))


def test_a_month_after_a_local_time_skipped_in_spring_moves_forward() -> None:
    # summer time starts on 28 March 2027 at 02:00: 02:30 does not exist that day
    later = dl.add_month(at("2027-02-28T02:30"))
    assert later == datetime(2027, 3, 28, 3, 30, tzinfo=AMS)
    assert later == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_a_month_after_to_a_local_time_that_exists_twice_is_the_first() -> None:
    # winter time starts on 25 October 2026 at 03:00: 02:30 exists twice that day
    later = dl.add_month(at("2026-09-25T02:30"))
    assert later == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_month_clamps_to_the_last_day() -> None:
    assert dl.add_month(at("2026-01-31T14:00")) == at("2026-02-28T14:00")
    assert dl.add_month(at("2028-01-31T14:00")) == at("2028-02-29T14:00")
    assert dl.add_month(at("2026-12-31T23:30")) == at("2027-01-31T23:30")
    assert dl.add_month(at("2026-01-31T00:30")) == at("2026-02-28T00:30")  # the local day, not UTC's


# -- properties against a reference ----------------------------------------------------------------


def reference_hours(moment: datetime, hours: int) -> datetime:
    """Elapsed time counted in seconds since the epoch: no calendars, no zones."""
    return datetime.fromtimestamp(moment.timestamp() + hours * 3600, tz=UTC)


def reference_month(moment: datetime) -> datetime:
    """The same wall-clock time a month later on the Amsterdam calendar, day clamped; a skipped time
    moved forward by the gap; of a doubled one the first."""
    local = moment.astimezone(AMS)
    month = local.month % 12 + 1
    year = local.year + (1 if local.month == 12 else 0)
    last = calendar.monthrange(year, month)[1]
    wall = datetime(
        year, month, min(local.day, last), local.hour, local.minute, local.second, local.microsecond
    )
    for offset_hours in (2, 1):  # try summer time (+2) first: the earlier of two readings
        candidate = (wall - timedelta(hours=offset_hours)).replace(tzinfo=UTC)
        if candidate.astimezone(AMS).replace(tzinfo=None) == wall:
            return candidate
    return (wall - timedelta(hours=1)).replace(tzinfo=UTC)  # skipped: read with the winter offset


moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31), timezones=st.just(UTC)
)
# around the changes of summer time and the month ends, where the mistakes live
edges = st.sampled_from(
    [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        datetime(2027, 2, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 9, 25, 0, 30, tzinfo=UTC),
        datetime(2028, 1, 31, 22, 59, tzinfo=UTC),
        datetime(2026, 1, 30, 23, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
    ]
)
shifted = st.builds(lambda m, s: m + timedelta(seconds=s), edges, st.integers(-7200, 7200))
any_moment = st.one_of(moments, shifted)


@settings(max_examples=400, deadline=None)
@given(any_moment, st.sampled_from([24, 72]))
def test_hours_are_real_elapsed_hours(moment: datetime, hours: int) -> None:
    assert dl.add_hours(moment, hours) == reference_hours(moment, hours)
    assert dl.add_hours(moment.astimezone(AMS), hours) == reference_hours(moment, hours)


@settings(max_examples=400, deadline=None)
@given(any_moment)
def test_a_month_matches_the_reference(moment: datetime) -> None:
    assert dl.add_month(moment) == reference_month(moment)


@settings(max_examples=300, deadline=None)
@given(any_moment, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_the_clocks_follow_the_reference(
    aware: datetime, significant: bool, breach: bool, unlikely: bool, high: bool
) -> None:
    high = high and not unlikely
    items = {d.kind: d for d in dl.deadlines(dl.Facts(aware, significant, breach, unlikely, high))}
    if significant:
        assert items[dl.EARLY_WARNING].due == reference_hours(aware, 24)
        assert items[dl.NOTIFICATION].due == reference_hours(aware, 72)
        assert items[dl.PROGRESS_REPORT].due == reference_month(reference_hours(aware, 72))
    else:
        assert dl.EARLY_WARNING not in items
        assert dl.NOTIFICATION not in items
    assert (dl.AP_REPORT in items) == (breach and not unlikely)
    if dl.AP_REPORT in items:
        assert items[dl.AP_REPORT].due == reference_hours(aware, 72)
    assert (dl.PEOPLE_NOTICE in items) == (breach and high)
    for d in items.values():
        assert d.due is None or d.due > aware
        soon = d.soon_at()
        if soon is not None and d.due is not None:
            assert d.start <= soon < d.due
            assert d.due - soon >= min(timedelta(hours=6), d.due - d.start)
