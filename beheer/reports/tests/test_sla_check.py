"""The SLA check: hand-computed replays, the screen, the API, permissions and bad input.

The scenario: an office-hours calendar (Monday to Friday 08:00-17:00), P1 meldingen registered on
Monday 30 November 2026 and Tuesday 1 December 2026, the check run on Tuesday 1 December at 12:00.

    melding  history (all times local)                                   business time
    A        09:00 registered, 09:15 reply, 10:30 resolved                1.5 h
    B        09:00 registered, 12:00 resolved (first response)            3 h
    C        09:00, 09:30 waiting for caller, 14:00 in progress, 15:00    0.5 h + 1 h = 1.5 h
             resolved (first response 09:30: exactly 30 minutes)
    D        09:00, 10:00 resolved, 13:00 reopened, 15:00 resolved        1 h + 2 h = 3 h
    E        Monday 09:00, still open on Tuesday 12:00                    8 h + 4 h = 12 h (open)
    F        Tuesday 11:45, still open                                    0.25 h (open)
    G        Tuesday 09:30, 09:40 reply, still open                       2.5 h (open)
    H        a duplicate merged into A                                    left out
    I        a partial incident of E                                      left out
    K        priority P4 (no proposed target)                             counted apart
    L        registered two weeks earlier                                 outside a 1-week check

Resolution within 2 h: met A, C; breached B, D, E, G; undecided F -> 2/6 = 33.3 %, 2/7 = 28.6 %.
Resolution within 4 h: met A, B, C, D; breached E; undecided F, G -> 4/5 = 80.0 %, 4/7 = 57.1 %.
Response within 30 min: met A, C, G; breached B, D (at resolution), E (still none, 12 h late);
undecided F (15 minutes so far) -> 3/6 = 50.0 %, 3/7 = 42.9 %.
"""

from __future__ import annotations

import time as perf
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import OperatorGroup, Role
from beheer.calendars.business_time import Calendar
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import calendar_for
from beheer.core.clock import frozen
from beheer.core.errors import DomainError, PermissionDenied
from beheer.core.norms import DAYS, HOURS, Norm, NormField
from beheer.reports import sla_check
from beheer.reports.forms import SlaCheckForm
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    Category,
    EntryType,
    Impact,
    Melding,
    Priority,
    SlaPolicy,
    SlaTarget,
    Status,
    Urgency,
    Visibility,
)
from beheer.servicedesk.services.service_level import clock_events
from tests.helpers import client_for as _client_for
from tests.helpers import make_person

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=AMS)
URL = "/api/v1/reports/sla-check"


def client_for(user: Any) -> Any:
    """A logged-in client that asks for English pages (the assertions use the source strings)."""
    client = _client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def at(d: int, h: int, mi: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, d, h, mi, tzinfo=AMS)


def tue(h: int, mi: int = 0) -> datetime:
    return at(1, h, mi, month=12)


@pytest.fixture
def p1() -> Priority:
    return Priority.objects.get(level=1)


@pytest.fixture
def office(db: Any) -> BusinessCalendar:
    return BusinessCalendar.objects.get(name__startswith="Kantooruren")


@pytest.fixture
def balie(db: Any) -> OperatorGroup:
    return OperatorGroup.objects.create(name="Balie", is_first_line=True)


def _register(operator, caller, group, when: datetime, *, p1_cells: bool = True, **kw) -> Melding:
    cells: dict[str, Any] = (
        {
            "impact": Impact.objects.get(code="organisation"),
            "urgency": Urgency.objects.get(code="cannot_work"),
        }
        if p1_cells
        else {}
    )
    with frozen(when):
        return services.open_melding(
            actor=operator,
            brief_description="Netwerk ligt eruit",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            **cells,
            **kw,
        )


def _fresh(m: Melding) -> Melding:
    return Melding.objects.get(pk=m.pk)


def _reply(m: Melding, actor, when: datetime) -> None:
    with frozen(when):
        services.add_note(m, text="We kijken ernaar", visibility=Visibility.CALLER, actor=actor)


def _resolve(m: Melding, actor, when: datetime) -> Melding:
    m = _fresh(m)
    with frozen(when):
        return services.resolve_melding(m, solution="Opgelost", actor=actor, expected_version=m.version)


def _status(m: Melding, code: str, actor, when: datetime) -> Melding:
    m = _fresh(m)
    with frozen(when):
        return services.change_status(
            m, status=Status.objects.get(code=code), actor=actor, expected_version=m.version
        )


@pytest.fixture
def scenario(operator, specialist, caller, first_line, second_line, balie) -> dict[str, Melding]:
    balie.members.add(operator)
    ms: dict[str, Melding] = {}
    ms["A"] = _register(operator, caller, first_line, at(30, 9))
    _reply(ms["A"], operator, at(30, 9, 15))
    _resolve(ms["A"], operator, at(30, 10, 30))
    ms["B"] = _register(operator, caller, first_line, at(30, 9))
    _resolve(ms["B"], operator, at(30, 12))
    ms["C"] = _register(operator, caller, first_line, at(30, 9))
    _status(ms["C"], "waiting_caller", operator, at(30, 9, 30))
    _status(ms["C"], "in_progress", operator, at(30, 14))
    _resolve(ms["C"], operator, at(30, 15))
    ms["D"] = _register(operator, caller, first_line, at(30, 9))
    _resolve(ms["D"], operator, at(30, 10))
    with frozen(at(30, 13)):
        services.reopen_melding(_fresh(ms["D"]), reason="Weer stuk", actor=caller)
    _resolve(ms["D"], operator, at(30, 15))
    ms["E"] = _register(operator, caller, first_line, at(30, 9))
    ms["F"] = _register(operator, caller, balie, tue(11, 45))
    ms["G"] = _register(operator, caller, balie, tue(9, 30))
    _reply(ms["G"], operator, tue(9, 40))
    ms["H"] = _register(operator, caller, first_line, at(30, 9, 5))
    with frozen(at(30, 9, 10)):
        services.merge_melding(_fresh(ms["H"]), into=_fresh(ms["A"]), actor=operator)
    with frozen(at(30, 10)):
        ms["I"] = services.create_partial(
            _fresh(ms["E"]), brief_description="Switch vervangen", operator_group=second_line, actor=operator
        )
    ms["K"] = _register(
        operator,
        caller,
        first_line,
        at(30, 9),
        p1_cells=False,
        impact=Impact.objects.order_by("-level").first(),
        urgency=Urgency.objects.order_by("-level").first(),
    )
    ms["L"] = _register(operator, caller, first_line, at(16, 9))
    with frozen(at(30, 17)):
        services.register_time(_fresh(ms["A"]), minutes=90, actor=operator)
        services.register_time(_fresh(ms["E"]), minutes=60, actor=specialist)
        services.register_time(_fresh(ms["L"]), minutes=30, on=date(2026, 11, 16), actor=operator)
    return ms


def _check(
    user, resolution: int, *, response: int | None = 30, weeks: int = 1, **kw
) -> sla_check.CheckResult:
    p1 = Priority.objects.get(level=1)
    with frozen(NOW):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        proposal = sla_check.build_proposal(
            calendar_id=kw.pop("calendar_id", office.pk),
            targets=[sla_check.TargetInput(p1.pk, response, resolution)],
            weeks=weeks,
            **kw,
        )
        return sla_check.run_check(proposal, user=user)


# --------------------------------------------------------------------------------------------------
# The replay, worked out by hand


def test_a_two_hour_resolution_target(scenario, coordinator, first_line, balie):
    result = _check(coordinator, 120)
    assert result.total == 8  # A-G and K; not the merged H, the partial I or the older L
    assert result.without_target == 1  # K
    res = result.overall.resolution
    assert (res.met, res.breached, res.undecided) == (2, 4, 1)
    assert res.met_percent == 33.3
    assert res.met_percent_all == 28.6
    resp = result.overall.response
    assert (resp.met, resp.breached, resp.undecided) == (3, 3, 1)
    assert resp.met_percent == 50.0
    assert resp.met_percent_all == 42.9
    # at risk from 75 % of 2 h = 1.5 h: A and C stopped exactly there, the others went beyond
    assert result.overall.reached_at_risk == 6
    [p1_row] = result.per_priority
    assert p1_row.count == 7
    groups = {row.label: row for row in result.per_group}
    assert list(groups) == ["Balie", "Servicedesk"]
    assert groups["Servicedesk"].count == 5
    sd = groups["Servicedesk"].resolution
    assert (sd.met, sd.breached, sd.undecided, sd.met_percent) == (2, 3, 0, 40.0)
    bl = groups["Balie"].resolution
    assert (bl.met, bl.breached, bl.undecided, bl.met_percent, bl.met_percent_all) == (0, 1, 1, 0.0, 0.0)


def test_a_four_hour_resolution_target(scenario, coordinator):
    result = _check(coordinator, 240)
    res = result.overall.resolution
    assert (res.met, res.breached, res.undecided) == (4, 1, 2)
    assert res.met_percent == 80.0
    assert res.met_percent_all == 57.1
    # 75 % of 4 h = 3 h: B and D (3 h), E (12 h)
    assert result.overall.reached_at_risk == 3


def test_each_melding_replays_as_worked_out(scenario, coordinator, office, p1):
    calendar = calendar_for(office, years=range(2025, 2028))
    statuses = sla_check._status_map()
    expected = {
        "A": (timedelta(hours=1.5), sla_check.Outcome.MET),
        "B": (timedelta(hours=3), sla_check.Outcome.BREACHED),
        "C": (timedelta(hours=1.5), sla_check.Outcome.MET),
        "D": (timedelta(hours=3), sla_check.Outcome.BREACHED),
        "E": (timedelta(hours=12), sla_check.Outcome.BREACHED),
        "F": (timedelta(minutes=15), sla_check.Outcome.UNDECIDED),
        "G": (timedelta(hours=2.5), sla_check.Outcome.BREACHED),
    }
    target = sla_check.Target(p1.pk, 30, 120)
    for name, (elapsed, outcome) in expected.items():
        m = _fresh(scenario[name])
        rows = m.history.filter(action__in=sla_check.CLOCK_ACTIONS, field="status").order_by("at", "id")
        events = sla_check.events_from_history(rows.values_list("at", "action", "new_ref"), statuses)
        with frozen(NOW):
            assert events == clock_events(m)  # the same translation as the live engine
        facts = sla_check.Facts(
            m.pk,
            m.created_at,
            m.priority_id,
            m.operator_group_id,
            m.first_response_at,
            m.is_open,
            m.resolved_at,
            tuple(events),
        )
        got = sla_check.replay(facts, target, calendar, at_risk_percent=75, now=NOW)
        assert (got.resolution_elapsed, got.resolution) == (elapsed, outcome), name


def test_the_replay_agrees_with_the_live_engine_for_the_current_policy(scenario, coordinator, p1):
    """Replaying the existing Standaard policy gives the same met/breached as stored on the meldingen."""
    target = SlaTarget.objects.get(policy__name="Standaard", priority=p1)
    result = _check(coordinator, target.resolution_minutes, response=target.response_minutes)
    stored = Melding.objects.filter(pk__in=[scenario[n].pk for n in "ABCD"])
    assert result.overall.resolution.met == sum(1 for m in stored if m.resolution_met)


def test_conditions_narrow_the_meldingen(scenario, coordinator, balie):
    result = _check(coordinator, 120, operator_group_ids=[balie.pk])
    assert result.total == 2
    assert result.overall.count == 2
    network = Category.objects.create(name="Netwerk")
    none = _check(coordinator, 120, category_ids=[network.pk])
    assert none.total == 0
    assert none.overall.resolution.met_percent is None


def test_custom_hours_and_24x7(scenario, coordinator, p1):
    # Monday to Friday 09:00-12:00: A 1.5 h, B 3 h, C 0.5 h (14:00-15:00 is closed), D 1 h,
    # E 3 h + 3 h = 6 h (breached), F 0.25 h and G 2.5 h (open, undecided).
    hours = [sla_check.HoursInput(d, time(9), time(12)) for d in range(5)]
    result = _check(coordinator, 240, calendar_id=None, hours=hours)
    res = result.overall.resolution
    assert (res.met, res.breached, res.undecided) == (4, 1, 2)
    always = _check(coordinator, 240, calendar_id=None, always_open=True)
    # E: Monday 09:00 to Tuesday 12:00 is 27 h; everything else as on office hours
    assert (always.overall.resolution.met, always.overall.resolution.breached) == (4, 1)
    assert always.calendar_label == "24x7"


def test_workload_per_week(scenario, coordinator):
    result = _check(coordinator, 120)
    [week] = result.workload
    assert (week.first_day, week.last_day) == (date(2026, 11, 25), date(2026, 12, 1))
    assert week.meldingen == 8
    assert week.registered_minutes == 150
    assert week.people == 2
    # Wed, Thu, Fri, Mon 9 h each; Tuesday 08:00-12:00 so far
    assert week.business_minutes == 40 * 60
    assert week.staffing_ratio == 0.06
    three = _check(coordinator, 120, weeks=3)
    assert [w.meldingen for w in three.workload] == [1, 0, 8]  # L two weeks earlier
    assert [w.registered_minutes for w in three.workload] == [30, 0, 150]
    assert three.workload[1].business_minutes == 45 * 60


def test_too_many_meldingen_gives_a_clear_message(scenario, coordinator, monkeypatch):
    monkeypatch.setattr(sla_check, "MAX_MELDINGEN", 3)
    with translation.override("en"), pytest.raises(DomainError) as info:
        _check(coordinator, 120)
    assert "limit is 3" in info.value.message
    assert "weeks" in info.value.field_errors


def test_only_coordinators_can_run_a_check(scenario, operator):
    with pytest.raises(PermissionDenied):
        _check(operator, 120)


# --------------------------------------------------------------------------------------------------
# Input rules


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weeks": 0}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"at_risk_percent": 100}, "at_risk_percent"),
        ({"calendar_id": 999999}, "calendar_id"),
        ({"calendar_id": None}, "calendar_id"),
        ({"calendar_id": None, "hours": [sla_check.HoursInput(0, time(17), time(8))]}, "hours"),
        ({"targets": [sla_check.TargetInput(999999, None, 60)]}, "targets.0.priority_id"),
        ({"targets": [sla_check.TargetInput(-1, -5, 60)]}, "targets.0.response_minutes"),
        ({"targets": []}, "targets"),
        ({"operator_group_ids": [999999]}, "operator_group_ids"),
    ],
)
def test_bad_input_names_the_field(db, p1, office, kwargs, field):
    args: dict[str, Any] = {"calendar_id": office.pk, "targets": [sla_check.TargetInput(p1.pk, 30, 120)]}
    args.update(kwargs)
    with pytest.raises(DomainError) as info:
        sla_check.build_proposal(**args)
    assert field in info.value.field_errors


def test_a_calendar_without_opening_hours_is_refused(db, p1):
    empty = BusinessCalendar.objects.create(name="Leeg")
    with translation.override("en"), pytest.raises(DomainError) as info:
        sla_check.build_proposal(calendar_id=empty.pk, targets=[sla_check.TargetInput(p1.pk, None, 60)])
    assert "no opening hours" in info.value.field_errors["calendar_id"]


# --------------------------------------------------------------------------------------------------
# The API


def _payload(**kw: Any) -> dict[str, Any]:
    p1 = Priority.objects.get(level=1)
    office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
    body: dict[str, Any] = {
        "calendar_id": office.pk,
        "targets": [{"priority_id": p1.pk, "response_minutes": 30, "resolution_minutes": 240}],
        "weeks": 1,
    }
    body.update(kw)
    return body


def test_api_returns_the_figures(scenario, coordinator, balie):
    client = client_for(coordinator)
    with frozen(NOW):
        r = client.post(URL, _payload(), content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["total"] == 8
    assert data["overall"]["resolution"] == {
        "met": 4,
        "breached": 1,
        "undecided": 2,
        "met_percent": 80.0,
        "met_percent_all": 57.1,
    }
    assert [row["name"] for row in data["per_group"]] == ["Balie", "Servicedesk"]
    assert data["workload"][0]["meldingen"] == 8
    with frozen(NOW):
        r = client.post(
            URL,
            _payload(
                hours=[{"weekday": 0, "start": "09:00", "end": "12:00"}],
                calendar_id=None,
                filters={"operator_group_ids": [balie.pk]},
            ),
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    assert r.json()["total"] == 2


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CALLER])
def test_api_is_for_coordinators_only(db, role):
    client = client_for(make_person(role))
    r = client.post(URL, _payload(), content_type="application/json")
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


def test_api_requires_authentication(db):
    from django.test import Client

    assert Client().post(URL, _payload(), content_type="application/json").status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"weeks": 0}, 422, "weeks"),
        ({"weeks": 53}, 422, "weeks"),
        ({"targets": [{"priority_id": 1, "resolution_minutes": -5}]}, 422, "targets.0.resolution_minutes"),
        ({"targets": []}, 422, "targets"),
        ({"calendar_id": 999999}, 400, "calendar_id"),
        ({"calendar_id": None}, 400, "calendar_id"),
        ({"targets": [{"priority_id": 999999, "resolution_minutes": 60}]}, 400, "targets.0.priority_id"),
        ({"filters": {"category_ids": [999999]}}, 400, "category_ids"),
        ({"calendar_id": None, "hours": [{"weekday": 0, "start": "17:00", "end": "08:00"}]}, 400, "hours"),
        (
            {"calendar_id": None, "hours": [{"weekday": 9, "start": "08:00", "end": "17:00"}]},
            422,
            "hours.0.weekday",
        ),
    ],
)
def test_api_bad_input(coordinator, change, status, field):
    r = client_for(coordinator).post(URL, _payload(**change), content_type="application/json")
    assert r.status_code == status, r.content
    assert field in r.json()["fields"]


def test_api_refuses_a_calendar_without_opening_hours(coordinator):
    empty = BusinessCalendar.objects.create(name="Leeg")
    r = client_for(coordinator).post(URL, _payload(calendar_id=empty.pk), content_type="application/json")
    assert r.status_code == 400
    assert "no opening hours" in r.json()["fields"]["calendar_id"]


def test_api_malformed_json_is_a_4xx(coordinator):
    r = client_for(coordinator).post(URL, "{not json", content_type="application/json")
    assert 400 <= r.status_code < 500


# --------------------------------------------------------------------------------------------------
# The screen


def _form_data(**kw: Any) -> dict[str, Any]:
    p1 = Priority.objects.get(level=1)
    office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
    data: dict[str, Any] = {
        "run": "1",
        "calendar": office.pk,
        f"response_{p1.pk}_0": "0.5",
        f"response_{p1.pk}_1": "hours",
        f"resolution_{p1.pk}_0": "2",
        f"resolution_{p1.pk}_1": "hours",
        "at_risk_percent": 75,
        "weeks": 1,
    }
    data.update(kw)
    return data


def test_the_screen_shows_the_form_and_then_the_results(scenario, coordinator):
    client = client_for(coordinator)
    page = client.get(reverse("sla-check"))
    assert page.status_code == 200
    assert b"Targets per priority" in page.content
    assert b'id="results"' not in page.content
    with frozen(NOW):
        page = client.get(reverse("sla-check"), _form_data())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="results"' in html
    assert "33.3%" in html
    assert "28.6%" in html
    assert "Balie" in html
    assert Melding.objects.count() == 11  # nothing was saved
    assert "style=" not in html  # CSP: no inline styles


def test_the_screen_with_custom_hours(scenario, coordinator):
    data = _form_data(calendar="", weekdays=["0", "1", "2", "3", "4"], opens="09:00", closes="12:00")
    with frozen(NOW):
        page = client_for(coordinator).get(reverse("sla-check"), data)
    assert page.status_code == 200
    assert 'id="results"' in page.content.decode()
    assert "Custom hours: Mon 09:00-12:00" in page.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"weeks": "99"},
        {"weeks": "abc"},
        {"calendar": "999999"},
        {"calendar": "", "weekdays": [], "opens": ""},
        {"calendar": "", "weekdays": ["0"], "opens": "17:00", "closes": "08:00"},
        {"resolution_1": "-4"},
    ],
)
def test_the_screen_shows_bad_input_as_messages(coordinator, change):
    data = _form_data()
    if "resolution_1" in change:
        p1 = Priority.objects.get(level=1)
        data[f"resolution_{p1.pk}_0"] = change.pop("resolution_1")
    data.update(change)
    page = client_for(coordinator).get(reverse("sla-check"), data)
    assert page.status_code == 200
    assert b"The check could not run" in page.content
    assert b'id="results"' not in page.content


def test_the_screen_refuses_a_calendar_without_hours(coordinator):
    empty = BusinessCalendar.objects.create(name="Leeg")
    page = client_for(coordinator).get(reverse("sla-check"), _form_data(calendar=empty.pk))
    assert page.status_code == 200
    assert b"no opening hours" in page.content


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CALLER])
def test_the_screen_is_for_coordinators_only(db, role):
    assert client_for(make_person(role)).get(reverse("sla-check")).status_code == 403


def test_the_screen_asks_anonymous_visitors_to_log_in(db):
    from django.test import Client

    r = Client().get(reverse("sla-check"))
    assert r.status_code == 302


def test_the_form_is_prefilled_from_a_policy(coordinator, p1):
    cal247 = BusinessCalendar.objects.get(name="24x7")
    policy = SlaPolicy.objects.create(name="Netwerk", calendar=cal247, at_risk_percent=60)
    network = Category.objects.create(name="Netwerk")
    policy.categories.add(network)
    SlaTarget.objects.create(policy=policy, priority=p1, response_minutes=15, resolution_minutes=90)
    page = client_for(coordinator).get(reverse("sla-check"), {"policy": policy.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["calendar"] == cal247.pk
    assert form.initial["at_risk_percent"] == 60
    assert form.initial[f"response_{p1.pk}"] == Norm(Decimal("0.25"), HOURS)
    assert form.initial[f"resolution_{p1.pk}"] == Norm(Decimal("1.5"), HOURS)
    assert form.initial["categories"] == [network.pk]
    html = page.content.decode()
    assert 'value="1.5"' in html
    assert "Filled in from the SLA policy" in html
    missing = client_for(coordinator).get(reverse("sla-check"), {"policy": "999999"})
    assert missing.status_code == 200
    assert b"does not exist" in missing.content
    assert client_for(coordinator).get(reverse("sla-check"), {"policy": "x"}).status_code == 200


def _figures(result: sla_check.CheckResult) -> tuple[Any, ...]:
    o = result.overall
    return (result.total, o.response, o.resolution, o.reached_at_risk)


@pytest.mark.parametrize(
    ("amount", "unit", "minutes"),
    [("4", HOURS, 240), ("2", DAYS, 2 * 540), ("1,5", HOURS, 90), ("0.5", DAYS, 270)],
)
def test_the_screen_takes_hours_and_business_days(scenario, coordinator, amount, unit, minutes):
    """ "4 hours" and "2 business days" (of the office calendar, 9 hours a day) check the same as the
    equivalent business minutes."""
    p1 = Priority.objects.get(level=1)
    data = _form_data(**{f"resolution_{p1.pk}_0": amount, f"resolution_{p1.pk}_1": unit})
    with frozen(NOW):
        page = client_for(coordinator).get(reverse("sla-check"), data)
    assert page.status_code == 200
    result = page.context["result"]
    assert result is not None, page.context["form"].errors
    assert _figures(result) == _figures(_check(coordinator, minutes))
    with frozen(NOW):
        proposal = SlaCheckForm(data).proposal()
    assert proposal is not None
    assert proposal.targets[p1.pk].resolution_minutes == minutes
    assert proposal.targets[p1.pk].response_minutes == 30


def test_business_days_follow_the_chosen_hours(scenario, coordinator):
    """With custom hours 09:00-12:00 a business day is three hours; with 24x7 it is 24."""
    p1 = Priority.objects.get(level=1)
    custom = _form_data(
        calendar="",
        weekdays=["0", "1", "2", "3", "4"],
        opens="09:00",
        closes="12:00",
        **{f"resolution_{p1.pk}_0": "1", f"resolution_{p1.pk}_1": DAYS},
    )
    with frozen(NOW):
        form = SlaCheckForm(custom)
        proposal = form.proposal()
    assert proposal is not None, form.errors
    assert proposal.targets[p1.pk].resolution_minutes == 180
    assert proposal.targets[p1.pk].response_minutes == 30
    always = dict(custom, always_open="on")
    with frozen(NOW):
        proposal = SlaCheckForm(always).proposal()
    assert proposal is not None
    assert proposal.targets[p1.pk].resolution_minutes == 24 * 60


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("vier", HOURS, "Enter a number"),
        ("0", HOURS, "more than zero"),
        ("-2", DAYS, "more than zero"),
        ("0.001", HOURS, "more than zero"),
        ("9999", DAYS, "too long"),
        ("1e400", HOURS, "too long"),
        ("NaN", HOURS, "more than zero"),
    ],
)
def test_bad_norms_are_field_messages(scenario, coordinator, amount, unit, message):
    p1 = Priority.objects.get(level=1)
    data = _form_data(**{f"resolution_{p1.pk}_0": amount, f"resolution_{p1.pk}_1": unit})
    with frozen(NOW):
        page = client_for(coordinator).get(reverse("sla-check"), data)
    assert page.status_code == 200
    assert page.context["result"] is None
    errors = page.context["form"].errors
    assert list(errors) == [f"resolution_{p1.pk}"], errors
    assert message in errors[f"resolution_{p1.pk}"][0]
    assert b"The check could not run" in page.content


def test_days_without_business_days_ask_for_hours(coordinator):
    p1 = Priority.objects.get(level=1)
    empty = BusinessCalendar.objects.create(name="Leeg")
    data = _form_data(calendar=empty.pk, **{f"resolution_{p1.pk}_0": "1", f"resolution_{p1.pk}_1": DAYS})
    with translation.override("en"):
        form = SlaCheckForm(data)
        assert form.proposal() is None
        assert "enter hours" in form.errors[f"resolution_{p1.pk}"][0]


def test_no_target_field_asks_for_minutes(db, p1):
    """Norms are entered in hours or days here, as on the SLA policy screens."""
    form = SlaCheckForm()
    for name in (f"response_{p1.pk}", f"resolution_{p1.pk}"):
        assert isinstance(form.fields[name], NormField)
        assert "minute" not in str(form.fields[name].label).lower()
    html = client_for(make_person(Role.COORDINATOR)).get(reverse("sla-check")).content.decode()
    assert "minutes" not in html


# --------------------------------------------------------------------------------------------------
# Performance: many meldingen, history in a few queries


def test_replaying_many_meldingen_uses_a_few_queries(
    coordinator, operator, caller, first_line, p1, django_assert_max_num_queries
):
    n = 200
    for i in range(n):
        m = _register(operator, caller, first_line, tue(8) - timedelta(hours=i % 48, minutes=i))
        if i % 3 == 0:
            _resolve(m, operator, tue(9))
    with frozen(NOW):
        proposal = sla_check.build_proposal(
            calendar_id=BusinessCalendar.objects.get(name__startswith="Kantooruren").pk,
            targets=[sla_check.TargetInput(p1.pk, 30, 240)],
            weeks=1,
        )
        started = perf.perf_counter()
        # count, meldingen, statuses, history (one chunk), time per day, people, priorities, groups
        with django_assert_max_num_queries(8):
            result = sla_check.run_check(proposal, user=coordinator)
    assert result.total == n
    assert perf.perf_counter() - started < 10


def test_the_calendar_between_matches_business_time(db):
    cal = Calendar.weekly([(time(8), time(17))])
    assert cal.between(at(30, 9), tue(12)) == timedelta(hours=12)


def test_the_api_documents_the_unit_of_its_targets() -> None:
    from beheer.api import api

    target = api.get_openapi_schema()["components"]["schemas"]["TargetIn"]["properties"]
    for name in ("response_minutes", "resolution_minutes"):
        assert "business minutes" in target[name]["description"]
