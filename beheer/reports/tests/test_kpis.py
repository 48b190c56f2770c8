"""Every KPI on a small hand-built month, with the expected answers worked out in comments.

The month is October 2026 in Europe/Amsterdam (summer time until Sunday 25 October). The default
SLA policy "Standaard" uses the office calendar: Monday to Friday 08:00-17:00, Dutch holidays (none
in October 2026). 1 October 2026 is a Thursday.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.reports import kpis
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding, SlaPolicy, Status

AMS = ZoneInfo("Europe/Amsterdam")
OCTOBER = kpis.ReportFilter(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


@dataclass
class Month:
    ids: dict[str, int]
    first_line: OperatorGroup
    second_line: OperatorGroup


def _open(actor: User, caller: User, group: OperatorGroup, when: datetime, **kw: Any) -> Melding:
    with clock.frozen(when):
        return services.open_melding(
            actor=actor,
            brief_description=kw.pop("brief", "Printer doet het niet"),
            entry_type=kw.pop("entry_type", EntryType.PHONE),
            caller=caller,
            operator_group=group,
            now=when,
            **kw,
        )


def _resolve(m: Melding, actor: User, when: datetime) -> Melding:
    with clock.frozen(when):
        return services.resolve_melding(
            Melding.objects.get(pk=m.pk), solution="Opgelost.", actor=actor, expected_version=None
        )


def build_month(
    operator: User, specialist: User, caller: User, first: OperatorGroup, second: OperatorGroup
) -> Month:
    """The data set described in the module docstring and the comments below."""
    ids: dict[str, int] = {}
    # H: registered Wed 30 Sep 09:00, resolved Thu 1 Oct 09:00 (outflow in October, not registered).
    h = _open(operator, caller, first, at(9, 30, 9))
    _resolve(h, operator, at(10, 1, 9))
    # K: registered Wed 30 Sep 23:30 local (21:30 UTC): September, still open.
    k = _open(operator, caller, first, at(9, 30, 23, 30))
    # A: Thu 1 Oct 09:00 -> resolved 11:00 by the first line. FCR.
    a = _open(operator, caller, first, at(10, 1, 9))
    _resolve(a, operator, at(10, 1, 11))
    # B: Thu 1 Oct 10:00, escalated 10:30 to the second line, resolved Fri 2 Oct 10:00.
    b = _open(operator, caller, first, at(10, 1, 10))
    with clock.frozen(at(10, 1, 10, 30)):
        services.escalate_melding(b, to_group=second, reason="Server", actor=operator, expected_version=None)
    _resolve(b, specialist, at(10, 2, 10))
    # C: Fri 2 Oct 16:00, resolved Mon 5 Oct 09:00, reopened 10:00, resolved again 12:00.
    c = _open(operator, caller, first, at(10, 2, 16))
    _resolve(c, operator, at(10, 5, 9))
    with clock.frozen(at(10, 5, 10)):
        services.reopen_melding(Melding.objects.get(pk=c.pk), reason="Nog steeds kapot", actor=caller)
    _resolve(c, operator, at(10, 5, 12))
    # D: Mon 5 Oct 09:00 by e-mail, waiting for the caller 10:00-14:00 (pauses), resolved 15:00.
    d = _open(operator, caller, first, at(10, 5, 9), entry_type=EntryType.EMAIL)
    with clock.frozen(at(10, 5, 10)):
        services.change_status(
            Melding.objects.get(pk=d.pk),
            status=Status.objects.get(code="waiting_caller"),
            actor=operator,
            expected_version=None,
        )
    with clock.frozen(at(10, 5, 14)):
        services.change_status(
            Melding.objects.get(pk=d.pk),
            status=Status.objects.get(code="in_progress"),
            actor=operator,
            expected_version=None,
        )
    _resolve(d, operator, at(10, 5, 15))
    # E: Tue 6 Oct 09:00, a partial incident P at 09:30 (resolved 10:00), E resolved 11:00.
    e = _open(operator, caller, first, at(10, 6, 9))
    with clock.frozen(at(10, 6, 9, 30)):
        p = services.create_partial(
            Melding.objects.get(pk=e.pk), brief_description="Kabel", operator_group=second, actor=operator
        )
    _resolve(p, specialist, at(10, 6, 10))
    _resolve(e, operator, at(10, 6, 11))
    # F: Wed 7 Oct 09:00, still open; G registered 09:05 and merged into F at 09:10 (left out).
    f = _open(operator, caller, first, at(10, 7, 9))
    g = _open(operator, caller, first, at(10, 7, 9, 5))
    with clock.frozen(at(10, 7, 9, 10)):
        services.merge_melding(
            Melding.objects.get(pk=g.pk), into=Melding.objects.get(pk=f.pk), actor=operator
        )
    # I: Sat 31 Oct 23:30 local (22:30 UTC, winter time) through the portal: October, open.
    i = _open(operator, caller, first, at(10, 31, 23, 30), entry_type=EntryType.PORTAL)
    # J: Sun 1 Nov 00:30 local (Sat 31 Oct 23:30 UTC): November, left out.
    j = _open(operator, caller, first, at(11, 1, 0, 30))
    # Time: 30 min on A (first line, 1 Oct), 45 min on B (second line, 2 Oct), 10 min on H (30 Sep).
    with clock.frozen(at(10, 1, 11, 30)):
        services.register_time(Melding.objects.get(pk=a.pk), minutes=30, actor=operator)
    with clock.frozen(at(10, 2, 11)):
        services.register_time(Melding.objects.get(pk=b.pk), minutes=45, actor=specialist)
    with clock.frozen(at(9, 30, 12)):
        services.register_time(Melding.objects.get(pk=h.pk), minutes=10, actor=operator)
    for name, m in {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "f": f,
        "g": g,
        "h": h,
        "i": i,
        "j": j,
        "k": k,
        "p": p,
    }.items():
        ids[name] = m.pk
    return Month(ids=ids, first_line=first, second_line=second)


def set_sla_outcomes(month: Month) -> None:
    """Resolved in October: A, C, E met, B and H breached (3 of 5), D without an SLA outcome.
    Open at the end of October: F (due 10 October) and K (due 2 October) past their target, I (due
    3 November) not."""
    policy = SlaPolicy.objects.first()
    ids = month.ids
    for key, met in (("a", True), ("c", True), ("e", True), ("b", False), ("h", False), ("d", None)):
        Melding.objects.filter(pk=ids[key]).update(resolution_met=met)
    for key, due in (("f", at(10, 10, 9)), ("k", at(10, 2, 9)), ("i", at(11, 3, 9))):
        Melding.objects.filter(pk=ids[key]).update(sla_policy=policy, resolution_due=due, resolution_met=None)


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


# --------------------------------------------------------------------------------------------------
# parsing


def test_parse_filter_accepts_dates_and_ids() -> None:
    f = kpis.parse_filter({"date_from": "2026-10-01", "date_to": "2026-10-31", "operator_group": "3"})
    assert f.date_from == date(2026, 10, 1)
    assert f.operator_group == 3
    assert f.category is None
    assert f.start == datetime(2026, 10, 1, tzinfo=AMS)
    assert f.end == datetime(2026, 11, 1, tzinfo=AMS)
    assert f.params() == {"date_from": "2026-10-01", "date_to": "2026-10-31", "operator_group": "3"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date_from": "2026-13-01", "date_to": "2026-10-31"}, "date_from"),
        ({"date_from": "2026-10-01"}, "date_to"),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
        ({"date_from": "2020-01-01", "date_to": "2026-10-01"}, "date_to"),
        ({"date_from": "2026-10-01", "date_to": "2026-10-31", "priority": "x"}, "priority"),
        ({"date_from": "2026-10-01", "date_to": "2026-10-31", "category": "0"}, "category"),
    ],
)
def test_parse_filter_refuses_bad_input(data: dict[str, str], field: str) -> None:
    with pytest.raises(DomainError) as info:
        kpis.parse_filter(data)
    assert field in info.value.field_errors


# --------------------------------------------------------------------------------------------------
# the figures


def test_volume(month: Month, coordinator: User) -> None:
    v = kpis.volume(coordinator, OCTOBER)
    # Registered in October: A, B, C, D, E, F, I = 7 (G merged, P partial, H and K September, J November)
    assert v["registered"] == 7
    # D by e-mail, I through the portal, the other five by phone
    assert {r["key"]: r["count"] for r in v["by_entry_type"]} == {"phone": 5, "email": 1, "portal": 1}
    assert sum(r["count"] for r in v["by_call_type"]) == 7
    assert v["per_month"] == [{"month": "2026-10", "count": 7}]
    # ISO weeks (Mondays): 28 Sep: A, B, C (Thu/Fri) = 3; 5 Oct: D, E, F = 3; 26 Oct: I = 1
    assert v["per_week"] == [
        {"week": "2026-09-28", "count": 3},
        {"week": "2026-10-05", "count": 3},
        {"week": "2026-10-26", "count": 1},
    ]


def test_resolution_counts(month: Month, coordinator: User) -> None:
    r = kpis.resolution_counts(coordinator, OCTOBER)
    # Resolved in October: H, A, B, C (last resolution 5 Oct), D, E = 6 (P is a partial incident)
    assert r["resolved"] == 6
    # First-line resolution: all but the escalated B = 5 of 6 = 83.3 %
    assert r["first_line_resolution"] == {"numerator": 5, "denominator": 6, "percent": 83.3}
    # First contact: also never reopened (not C) and without partials (not E): A, D, H = 3 of 6 = 50 %
    assert r["first_contact_resolution"] == {"numerator": 3, "denominator": 6, "percent": 50.0}
    # Reopened: C = 1 of 6 = 16.7 %
    assert r["reopen_rate"] == {"numerator": 1, "denominator": 6, "percent": 16.7}


def test_escalation_rate(month: Month, coordinator: User) -> None:
    # Registered 7, escalated B = 1 of 7 = 14.3 %
    assert kpis.escalation_rate(coordinator, OCTOBER) == {"numerator": 1, "denominator": 7, "percent": 14.3}


def test_resolution_time(month: Month, coordinator: User) -> None:
    r = kpis.resolution_time(coordinator, OCTOBER)
    assert r["count"] == 6
    # Business hours (Mon-Fri 08-17):
    #   A 09-11 = 2; B Thu 10-17 (7) + Fri 08-10 (2) = 9; C Fri 16-17 (1) + Mon 08-09 (1), reopened
    #   10-12 (2) = 4; D 09-10 (1) + paused 10-14 + 14-15 (1) = 2; E 09-11 = 2;
    #   H Wed 09-17 (8) + Thu 08-09 (1) = 9
    #   mean = (2 + 9 + 4 + 2 + 2 + 9) / 6 = 28 / 6 = 4.67; median of 2 2 2 4 9 9 = (2 + 4) / 2 = 3
    assert r["business_hours"] == {"mean": 4.67, "median": 3.0}
    # Wall clock: A 2, B 24, C Fri 16:00 -> Mon 12:00 = 68, D 6, E 2, H 24
    #   mean = 126 / 6 = 21; median of 2 2 6 24 24 68 = (6 + 24) / 2 = 15
    assert r["wall_clock_hours"] == {"mean": 21.0, "median": 15.0}


def test_resolution_time_matches_the_sla_engine(month: Month, coordinator: User) -> None:
    """The report's business hours equal the SLA engine's own reading of each melding."""
    hours = []
    for key in ("a", "b", "c", "d", "e", "h"):
        m = Melding.objects.get(pk=month.ids[key])
        assert m.resolved_at is not None
        ev = services.evaluate(m, now=m.resolved_at)
        assert ev is not None
        hours.append(ev.resolution.reading.elapsed.total_seconds() / 3600)
    r = kpis.resolution_time(coordinator, OCTOBER)
    assert r["business_hours"] == {
        "mean": round(statistics.fmean(hours), 2),
        "median": round(statistics.median(hours), 2),
    }


def test_backlog(month: Month, coordinator: User) -> None:
    b = kpis.backlog(coordinator, OCTOBER)
    # At the start (1 Oct 00:00): H (resolved 1 Oct) and K (open) = 2
    assert b["at_start"] == 2
    assert b["granularity"] == "day"
    points = {p["date"]: p["open"] for p in b["points"]}
    assert len(points) == 31
    # 1 Oct: +A +B -A -H = 2; 2 Oct: +C -B = 2; 5 Oct: +D -C -D = 1; 6 Oct: +E -E = 1; 7 Oct: +F = 2
    assert [points[f"2026-10-0{d}"] for d in (1, 2, 3, 4, 5, 6, 7)] == [2, 2, 2, 2, 1, 1, 2]
    # 31 Oct: +I = 3 (F, I, K); J belongs to November
    assert points["2026-10-30"] == 2
    assert points["2026-10-31"] == 3
    assert b["at_end"] == 3
    weeks = {w["week"]: w for w in b["flow_per_week"]}
    # week of 28 Sep (1-4 Oct): in A B C = 3, out H A B = 3; week of 5 Oct: in D E F = 3, out C D E = 3
    assert (weeks["2026-09-28"]["inflow"], weeks["2026-09-28"]["outflow"]) == (3, 3)
    assert (
        weeks["2026-10-05"]["inflow"],
        weeks["2026-10-05"]["outflow"],
        weeks["2026-10-05"]["open_at_end"],
    ) == (
        3,
        3,
        2,
    )
    assert weeks["2026-10-26"]["inflow"] == 1
    assert weeks["2026-10-26"]["open_at_end"] == 3


def test_backlog_weekly_for_long_periods(month: Month, coordinator: User) -> None:
    f = kpis.ReportFilter(date_from=date(2026, 9, 1), date_to=date(2026, 12, 31))
    b = kpis.backlog(coordinator, f)
    assert b["granularity"] == "week"
    assert b["at_start"] == 0
    # Every Sunday plus the last day; the level at the end equals the count at that instant: F, I, J, K
    assert all(date.fromisoformat(p["date"]).weekday() == 6 for p in b["points"][:-1])
    assert b["at_end"] == 4


def test_sla_compliance(month: Month, coordinator: User) -> None:
    ids = month.ids
    set_sla = [
        # key, first response, response met, resolution met
        ("a", at(10, 1, 9, 10), True, True),
        ("b", at(10, 1, 10, 5), True, False),
        ("c", at(10, 2, 16, 30), False, True),
        ("d", at(10, 5, 9, 30), None, None),
        ("e", at(10, 6, 9, 10), True, True),
        ("f", at(10, 7, 9, 30), False, None),
        ("h", at(9, 30, 9, 30), True, False),
    ]
    for key, responded, response_met, resolution_met in set_sla:
        Melding.objects.filter(pk=ids[key]).update(
            first_response_at=responded, response_met=response_met, resolution_met=resolution_met
        )
    s = kpis.sla_compliance(coordinator, OCTOBER)
    # Response clock stopped in October: A, B, E met; C, F breached; D without SLA; H stopped in
    # September -> 3 of 5 = 60 %
    assert s["response"] == {"numerator": 3, "denominator": 5, "percent": 60.0}
    # Resolved in October: A, C, E met; B, H breached; D without SLA -> 3 of 5 = 60 %
    assert s["resolution"] == {"numerator": 3, "denominator": 5, "percent": 60.0}


def test_open_breached_next_to_the_resolution_percentage(month: Month, coordinator: User) -> None:
    set_sla_outcomes(month)
    s = kpis.sla_compliance(coordinator, OCTOBER)
    assert s["resolution"] == {"numerator": 3, "denominator": 5, "percent": 60.0}
    # open at the end of October and past the deadline then: F and K; I is due in November
    assert s["open_breached"] == {"count": 2, "at": "2026-11-01T00:00:00+01:00"}
    # a period that runs on: counted now (8 October 12:00): K only; F is due on the 10th
    running = kpis.ReportFilter(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    with clock.frozen(at(10, 8, 12)):
        assert kpis.open_breached(coordinator, running)["count"] == 1
    # resolved after the end of September but late by then: H (resolved 1 October, due 30 September)
    Melding.objects.filter(pk=month.ids["h"]).update(
        sla_policy=SlaPolicy.objects.first(), resolution_due=at(9, 30, 12)
    )
    september = kpis.ReportFilter(date_from=date(2026, 9, 1), date_to=date(2026, 9, 30))
    assert kpis.open_breached(coordinator, september)["count"] == 1  # H; K is due 2 October


def test_time_spent(month: Month, coordinator: User) -> None:
    t = kpis.time_spent(coordinator, OCTOBER)
    # 30 (A, first line) + 45 (B, second line); H's 10 minutes are dated 30 September
    assert t["total_minutes"] == 75
    assert {r["key"]: r["minutes"] for r in t["by_line"]} == {"first": 30, "second": 45}
    groups = {r["id"]: r["minutes"] for r in t["by_group"]}
    assert groups == {month.first_line.pk: 30, month.second_line.pk: 45}


def test_per_group_and_group_filter(month: Month, coordinator: User) -> None:
    rows = {r["id"]: r for r in kpis.per_group(coordinator, OCTOBER)}
    first, second = rows[month.first_line.pk], rows[month.second_line.pk]
    # B is in the second-line group now; everything else in the first-line group
    assert (first["registered"], first["resolved"], first["open_at_end"], first["minutes"]) == (6, 5, 3, 30)
    assert (second["registered"], second["escalated"], second["resolved"], second["minutes"]) == (1, 1, 1, 45)
    assert first["reopened"] == 1
    only_first = kpis.ReportFilter(
        date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, operator_group=month.first_line.pk
    )
    data = kpis.compute(coordinator, only_first)
    assert data["volume"]["registered"] == 6
    assert data["resolved"] == 5
    # A, C, D, E, H resolved by the first line; FCR: A, D, H = 3 of 5
    assert data["first_contact_resolution"]["percent"] == 60.0
    assert data["escalation_rate"]["numerator"] == 0


def test_compute_everything(month: Month, coordinator: User) -> None:
    data = kpis.compute(coordinator, OCTOBER)
    assert data["satisfaction"]["measured"] is False
    assert data["period"] == {
        "date_from": "2026-10-01",
        "date_to": "2026-10-31",
        "days": 31,
        "time_zone": "Europe/Amsterdam",
    }
    assert data["volume"]["registered"] == 7
    assert data["backlog"]["at_end"] == 3


def test_empty_period(db: Any, coordinator: User) -> None:
    data = kpis.compute(coordinator, kpis.ReportFilter(date_from=date(2030, 1, 1), date_to=date(2030, 1, 31)))
    assert data["volume"]["registered"] == 0
    assert data["first_contact_resolution"]["percent"] is None
    assert data["resolution_time"]["business_hours"] == {"mean": None, "median": None}


def test_open_time_table_equals_calendar_between() -> None:
    from datetime import time

    from beheer.calendars.business_time import Calendar

    cal = Calendar.weekly([(time(8), time(12)), (time(13), time(17))], closed=frozenset({date(2026, 10, 27)}))
    table = kpis._OpenTime(cal, date(2026, 10, 20), date(2026, 11, 3))
    start = datetime(2026, 10, 21, 7, 13, tzinfo=AMS)
    for k in range(0, 400, 7):
        for span in (timedelta(minutes=5), timedelta(hours=9), timedelta(days=3, hours=2)):
            low = start + timedelta(hours=k * 0.5)
            expected = cal.between(low, low + span).total_seconds()
            got = table.seconds(low.timestamp(), (low + span).timestamp())
            assert abs(got - expected) < 1e-3


def test_query_count_does_not_grow_with_the_data(
    month: Month, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    # grouped queries plus a few lookups; one history query per batch of resolved meldingen
    with django_assert_max_num_queries(30):
        kpis.compute(coordinator, OCTOBER)


def test_satisfaction_counts_the_ratings_given_when_confirming_in_the_period(
    db: Any, operator: User, caller: User, first_line: OperatorGroup
) -> None:
    def solved_and_confirmed(when: datetime, rating: int | None) -> None:
        m = _resolve(_open(operator, caller, first_line, when - timedelta(hours=2)), operator, when)
        with clock.frozen(when + timedelta(hours=1)):
            services.confirm_resolution(Melding.objects.get(pk=m.pk), actor=caller, rating=rating)

    solved_and_confirmed(at(10, 5, 10), 5)
    solved_and_confirmed(at(10, 12, 10), 2)
    solved_and_confirmed(at(10, 19, 10), None)  # confirmed without a rating
    solved_and_confirmed(at(11, 3, 10), 1)  # next month: not in October
    _resolve(_open(operator, caller, first_line, at(10, 20, 9)), operator, at(10, 20, 10))  # not confirmed
    sat = kpis.satisfaction(operator, OCTOBER)
    assert sat["measured"] is True
    assert (sat["confirmed"], sat["rated"]) == (3, 2)
    assert sat["average"] == 3.5  # (5 + 2) / 2
    assert sat["response_rate"] == 66.7  # 2 of 3 confirmations carried a rating
    assert {d["rating"]: d["count"] for d in sat["distribution"]} == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert kpis.satisfaction(
        operator, kpis.parse_filter({"date_from": "2026-09-01", "date_to": "2026-09-30"})
    ) == {
        "measured": False,
        "confirmed": 0,
        "rated": 0,
        "average": None,
        "response_rate": None,
        "distribution": [{"rating": n, "count": 0} for n in range(1, 6)],
    }


def test_ola_attainment_per_group_over_the_period(
    db: Any, operator: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> None:
    from beheer.calendars.models import BusinessCalendar
    from beheer.servicedesk.models import OlaTarget

    always = BusinessCalendar.objects.get(always_open=True)
    OlaTarget.objects.create(operator_group=first_line, minutes=60, calendar=always)
    quick = _open(operator, caller, first_line, at(10, 6, 9))
    _resolve(quick, operator, at(10, 6, 9, 30))  # 30 minutes with the first line: met
    slow = _open(operator, caller, first_line, at(10, 7, 9))
    with clock.frozen(at(10, 7, 11)):  # two hours with the first line: breached
        services.escalate_melding(
            Melding.objects.get(pk=slow.pk),
            to_group=second_line,
            reason="Hardware",
            actor=operator,
            expected_version=None,
        )
    rows = {r["group_id"]: r for r in kpis.ola(OCTOBER)}
    first = rows[first_line.pk]
    assert (first["total"], first["met"], first["breached"]) == (2, 1, 1)
    assert first["met_percent"] == 50.0
    assert first["average_minutes"] == 75.0  # (30 + 120) / 2
    assert second_line.pk not in rows  # no OLA target for the second line
    only_second = kpis.ReportFilter(
        date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, operator_group=second_line.pk
    )
    assert kpis.ola(only_second) == []


def test_time_stays_with_the_group_that_spent_it(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> None:
    """Time booked before an escalation counts for the first-line group, also once the melding is
    in the second-line group (before, the melding's current group took all of it)."""
    m = _open(operator, caller, first_line, at(10, 6, 9))
    with clock.frozen(at(10, 6, 9, 30)):
        services.register_time(Melding.objects.get(pk=m.pk), minutes=20, actor=operator)
    with clock.frozen(at(10, 6, 10)):
        services.escalate_melding(
            Melding.objects.get(pk=m.pk),
            to_group=second_line,
            reason="Server",
            actor=operator,
            expected_version=None,
        )
    with clock.frozen(at(10, 6, 11)):
        services.register_time(Melding.objects.get(pk=m.pk), minutes=50, actor=specialist)
    t = kpis.time_spent(operator, OCTOBER)
    assert {r["id"]: r["minutes"] for r in t["by_group"]} == {first_line.pk: 20, second_line.pk: 50}
    rows = {r["id"]: r["minutes"] for r in kpis.per_group(operator, OCTOBER)}
    assert (rows[first_line.pk], rows[second_line.pk]) == (20, 50)
    only_first = kpis.ReportFilter(
        date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, operator_group=first_line.pk
    )
    assert kpis.time_spent(operator, only_first)["total_minutes"] == 20
