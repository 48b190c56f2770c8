"""The risk register and the matrix: scoring, bands, numbers never reused, the acceptance rule,
versions, field errors (nothing half-saved) and the trail."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beheer.accounts.models import Role
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.security.models import (
    Band,
    Risk,
    RiskHistoryEntry,
    RiskMatrixHistoryEntry,
    RiskSettings,
    RiskStatus,
)
from beheer.security.services import risks as services
from tests.helpers import make_person

from .risks_helpers import controls, make_ci, officer

pytestmark = pytest.mark.django_db


def _data(**kw: Any) -> services.RiskData:
    values: dict[str, Any] = {"title": "Ransomware op de bestandsserver", "likelihood": 3, "impact": 4}
    values.update(kw)
    return services.RiskData(**values)


@given(st.integers(1, 5), st.integers(1, 5))
def test_a_score_falls_in_exactly_one_band_and_bands_rise_with_the_score(
    likelihood: int, impact: int
) -> None:
    settings = RiskSettings(medium_from=5, high_from=10, critical_from=16)
    value = services.score(likelihood, impact)
    band = settings.band_of(value)
    low, high = settings.band_range(band)
    assert low <= value <= high
    order = list(Band.values)
    if value < 25:
        assert order.index(settings.band_of(value + 1)) >= order.index(band)


def test_the_shipped_matrix_and_its_cells() -> None:
    settings = services.current_settings()
    assert (settings.medium_from, settings.high_from, settings.critical_from) == (5, 10, 16)
    grid = services.cells(settings)
    assert grid[0][4].score == 25
    assert grid[0][4].band == Band.CRITICAL
    assert grid[4][0].band == Band.LOW
    assert len(services.level_names()) == 10


def test_only_coordinators_change_the_matrix_and_bands_must_rise() -> None:
    operator, coordinator = make_person(Role.OPERATOR), make_person(Role.COORDINATOR)
    settings = services.current_settings()
    names = {("impact", 5): ("Catastrofaal", "Catastrophic")}
    with pytest.raises(PermissionDenied):
        services.change_matrix(
            settings, actor=operator, medium_from=4, high_from=9, critical_from=15, names=names
        )
    with pytest.raises(DomainError) as caught:
        services.change_matrix(
            settings, actor=coordinator, medium_from=9, high_from=9, critical_from=26, names={}
        )
    assert {"high_from", "critical_from"} <= set(caught.value.field_errors)
    changed = services.change_matrix(
        settings,
        actor=coordinator,
        medium_from=4,
        high_from=9,
        critical_from=15,
        names=names,
        expected_version=1,
    )
    assert changed.version == 2
    assert changed.band_of(15) == Band.CRITICAL
    assert services.level_names()[("impact", 5)].name_en == "Catastrophic"
    fields = set(RiskMatrixHistoryEntry.objects.values_list("field", flat=True))
    assert fields == {"medium_from", "high_from", "critical_from", "impact.5"}
    with pytest.raises(Conflict):
        services.change_matrix(
            settings,
            actor=coordinator,
            medium_from=5,
            high_from=9,
            critical_from=15,
            names={},
            expected_version=1,
        )


def test_numbers_are_handed_out_once() -> None:
    operator = make_person(Role.OPERATOR)
    first = services.register_risk(actor=operator, data=_data())
    second = services.register_risk(actor=operator, data=_data(title="Phishing"))
    assert (first.code, second.code) == ("RSK-1", "RSK-2")
    Risk.objects.filter(pk=second.pk).delete()  # even when the last one is gone
    assert services.register_risk(actor=operator, data=_data()).code == "RSK-3"


def test_a_risk_with_controls_cis_and_a_residual_risk() -> None:
    operator = make_person(Role.OPERATOR)
    fs01 = make_ci(operator, "fs01", "virtual_machine")
    backup, malware = controls("8.13", "8.7")
    risk = services.register_risk(
        actor=operator,
        data=_data(
            likelihood=3,
            impact=5,
            cis=[fs01],
            treatment="reduce",
            controls=[backup, malware],
            residual_likelihood=2,
            residual_impact=3,
            owner=operator,
            review_date=date(2027, 3, 1),
            status=RiskStatus.TREATED,
        ),
    )
    assert (risk.inherent_score, risk.residual_score, risk.score) == (15, 6, 6)
    assert set(risk.controls.all()) == {backup, malware}
    assert RiskHistoryEntry.objects.filter(risk=risk, action="created").count() == 1
    changed = services.change_risk(
        risk,
        actor=operator,
        data=_data(
            likelihood=3,
            impact=5,
            cis=[],
            treatment="reduce",
            controls=[backup],
            residual_likelihood=2,
            residual_impact=3,
            status=RiskStatus.TREATED,
        ),
        expected_version=1,
    )
    assert changed.version == 2
    trail = {e.field: e for e in RiskHistoryEntry.objects.filter(risk=risk, action="changed")}
    assert trail["controls"].old_value == "8.13, 8.7"
    assert trail["controls"].new_value == "8.13"
    assert trail["cis"].old_value == "fs01"
    assert trail["cis"].new_value == ""
    assert "owner" in trail
    assert "review_date" in trail
    with pytest.raises(Conflict):
        services.change_risk(risk, actor=operator, data=_data(), expected_version=1)


def test_bad_input_is_named_per_field_and_nothing_is_saved() -> None:
    operator = make_person(Role.OPERATOR)
    caller = make_person(Role.CALLER)
    with pytest.raises(DomainError) as caught:
        services.register_risk(
            actor=operator,
            data=_data(
                title=" ", likelihood=6, impact=0, residual_likelihood=2, treatment="ignore", owner=caller
            ),
        )
    assert {"title", "likelihood", "impact", "residual_impact", "treatment", "owner"} <= set(
        caught.value.field_errors
    )
    with pytest.raises(DomainError) as caught:
        services.register_risk(
            actor=operator, data=_data(likelihood=2, impact=2, residual_likelihood=3, residual_impact=3)
        )
    assert "residual_likelihood" in caught.value.field_errors  # residual above inherent
    with pytest.raises(DomainError) as caught:
        services.register_risk(actor=operator, data=_data(status=RiskStatus.TREATED))
    assert "treatment" in caught.value.field_errors
    assert not Risk.objects.exists()
    assert RiskSettings.objects.get(pk=1).risk_counter == 0


def test_callers_may_not_register_risks() -> None:
    with pytest.raises(PermissionDenied):
        services.register_risk(actor=make_person(Role.CALLER), data=_data())


def test_accepting_a_high_risk_takes_an_officer_and_a_reason() -> None:
    operator, sec = make_person(Role.OPERATOR), officer()
    high = _data(likelihood=4, impact=4, treatment="accept", status=RiskStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.register_risk(actor=operator, data=high)
    with pytest.raises(DomainError) as caught:
        services.register_risk(actor=sec, data=high)
    assert "acceptance_reason" in caught.value.field_errors
    accepted = services.register_risk(
        actor=sec,
        data=_data(
            likelihood=4,
            impact=4,
            treatment="accept",
            status=RiskStatus.ACCEPTED,
            acceptance_reason="Budget volgt in 2027",
        ),
    )
    assert accepted.accepted_by == sec
    assert RiskHistoryEntry.objects.filter(risk=accepted, action="accepted").exists()
    low = services.register_risk(
        actor=operator, data=_data(likelihood=1, impact=2, treatment="accept", status=RiskStatus.ACCEPTED)
    )
    assert low.status == RiskStatus.ACCEPTED
    assert low.accepted_by == operator
    with pytest.raises(PermissionDenied):  # raising an accepted risk to high is accepting it again
        services.change_risk(
            low,
            actor=operator,
            data=_data(
                likelihood=4, impact=4, treatment="accept", status=RiskStatus.ACCEPTED, acceptance_reason="x"
            ),
            expected_version=1,
        )
    low.refresh_from_db()
    assert low.likelihood == 1
    assert low.version == 1


def test_a_coordinator_accepts_an_open_high_risk_on_edit() -> None:
    operator, coordinator = make_person(Role.OPERATOR), make_person(Role.COORDINATOR)
    risk = services.register_risk(actor=operator, data=_data(likelihood=5, impact=5))
    accepted = services.change_risk(
        risk,
        actor=coordinator,
        data=_data(
            likelihood=5,
            impact=5,
            treatment="accept",
            status=RiskStatus.ACCEPTED,
            acceptance_reason="Tijdelijk",
        ),
        expected_version=1,
    )
    assert accepted.status == RiskStatus.ACCEPTED
    assert accepted.accepted_by == coordinator
