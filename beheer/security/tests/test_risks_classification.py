"""The CIA classification: rules, the suggestion inherited down the CMDB (bounded, cycles), adoption
and the trail."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.accounts.models import Role
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.security.models import Classification, ClassificationHistoryEntry
from beheer.security.services import risks as services
from beheer.security.services.risks.inherit import above
from tests.helpers import make_person

from .risks_helpers import make_ci, officer, relate, school

pytestmark = pytest.mark.django_db


def _classify(ci: Any, actor: Any, a: int = 2, i: int = 2, c: int = 3, **kw: Any) -> Classification:
    return services.classify(
        ci,
        actor=actor,
        availability=a,
        integrity=i,
        confidentiality=c,
        justification="Leerlinggegevens",
        **kw,
    )


def test_an_officer_classifies_and_the_trail_says_so() -> None:
    sec = officer()
    cis = school(sec)
    made = _classify(cis["magister"], sec)
    assert made.code == "2-2-3"
    assert made.classified_by == sec
    trail = list(ClassificationHistoryEntry.objects.filter(ci=cis["magister"]))
    assert {e.field for e in trail} == {"availability", "integrity", "confidentiality", "justification"}
    changed = _classify(cis["magister"], sec, a=3, expected_version=1)
    assert changed.version == 2
    assert ClassificationHistoryEntry.objects.filter(
        ci=cis["magister"], action="changed", field="availability"
    ).exists()
    with pytest.raises(Conflict):
        _classify(cis["magister"], sec, a=1, expected_version=1)


def test_an_operator_who_is_not_an_officer_may_not_classify() -> None:
    operator = make_person(Role.OPERATOR)
    cis = school(operator)
    with pytest.raises(PermissionDenied):
        _classify(cis["magister"], operator)
    coordinator = make_person(Role.COORDINATOR)
    assert _classify(cis["magister"], coordinator).pk


def test_bad_levels_are_field_errors_and_nothing_is_saved() -> None:
    sec = officer()
    cis = school(sec)
    with pytest.raises(DomainError) as caught:
        _classify(cis["wifi"], sec, a=0, c=4)
    assert set(caught.value.field_errors) == {"availability", "confidentiality"}
    assert not Classification.objects.exists()


def test_the_suggestion_flows_down_to_what_a_service_rests_on() -> None:
    sec = officer()
    cis = school(sec)
    _classify(cis["magister"], sec, a=2, i=2, c=3)
    _classify(cis["app"], sec, a=3, i=1, c=1)
    host = services.suggestion_for(cis["host"].pk)
    assert host.values == {"availability": 3, "integrity": 2, "confidentiality": 3}
    assert host.sources["confidentiality"].name == "Magister"
    assert host.sources["availability"].name == "Magister (applicatie)"  # the higher value wins
    assert host.sources["availability"].depth == 2
    assert services.suggestion_for(cis["wifi"].pk).empty  # nothing above the Wi-Fi service
    assert services.suggestion_for(cis["ap"].pk).empty  # the access point serves only the Wi-Fi


def test_a_cycle_ends_the_walk_and_depth_is_bounded() -> None:
    sec = officer()
    cis = school(sec)
    _classify(cis["ad"], sec, a=3, i=3, c=2)
    for name in ("dc01", "dc02"):
        assert services.suggestion_for(cis[name].pk).values["availability"] == 3
    chain = [make_ci(sec, f"laag{n}", "virtual_machine") for n in range(10)]
    for upper, lower in itertools.pairwise(chain):
        relate(sec, upper, "runs_on", lower)
    _classify(chain[0], sec, a=3, i=3, c=3)
    reached = above([chain[-1].pk], max_depth=services.MAX_DEPTH)[chain[-1].pk]
    assert len(reached) == services.MAX_DEPTH
    assert services.suggestion_for(chain[-1].pk).empty  # chain[0] is nine relations up
    assert not services.suggestion_for(chain[services.MAX_DEPTH].pk).empty


def test_adopting_takes_the_higher_value_per_aspect() -> None:
    sec = officer()
    cis = school(sec)
    with pytest.raises(DomainError):
        services.adopt_suggestion(cis["host"], actor=sec)  # nothing to adopt yet
    _classify(cis["magister"], sec, a=2, i=2, c=3)
    adopted = services.adopt_suggestion(cis["host"], actor=sec)
    assert adopted.code == "2-2-3"
    assert "Magister" in adopted.justification
    _classify(cis["host"], sec, a=3, i=1, c=1, expected_version=adopted.version)
    again = services.adopt_suggestion(cis["host"], actor=sec, expected_version=adopted.version + 1)
    assert again.code == "3-2-3"  # availability stays the own, higher value
    assert ClassificationHistoryEntry.objects.filter(ci=cis["host"], action="adopted").exists()
    with pytest.raises(DomainError):
        services.adopt_suggestion(cis["host"], actor=sec)  # already meets it


def test_removing_keeps_the_trail() -> None:
    sec = officer()
    cis = school(sec)
    _classify(cis["wifi"], sec)
    services.remove_classification(cis["wifi"], actor=sec, expected_version=1)
    assert not Classification.objects.exists()
    assert ClassificationHistoryEntry.objects.filter(ci=cis["wifi"], action="removed").exists()
    with pytest.raises(NotFound):
        services.remove_classification(cis["wifi"], actor=sec)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=12))
def test_the_walk_ends_on_any_graph(edges: list[tuple[int, int]]) -> None:
    """Whatever the relations (cycles included), every CI's walk ends and reaches only CIs within
    MAX_DEPTH; a classified CI above always gives a suggestion at least as high as its values."""
    from beheer.cmdb.models import ConfigurationItem, Relation

    Relation.objects.all().delete()
    ConfigurationItem.objects.all().delete()
    sec = officer()
    nodes = [make_ci(sec, f"n{n}", "server") for n in range(6)]
    for a, b in set(edges):
        if a != b:
            relate(sec, nodes[a], "depends_on", nodes[b])
    _classify(nodes[0], sec, a=3, i=1, c=2)
    found = services.suggestions([n.pk for n in nodes])
    below = above([nodes[0].pk], max_depth=0)
    assert below[nodes[0].pk] == {}
    for node in nodes[1:]:
        suggestion = found[node.pk]
        if not suggestion.empty:
            assert suggestion.values == {"availability": 3, "integrity": 1, "confidentiality": 2}
            assert 1 <= suggestion.sources["availability"].depth <= services.MAX_DEPTH
