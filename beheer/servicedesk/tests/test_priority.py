"""Impact x urgency -> priority: the pure rules (property-based) and the seeded, database-backed matrix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beheer.servicedesk import priority, services
from beheer.servicedesk.models import Impact, Priority, PriorityMatrixCell, Urgency

levels = st.integers(min_value=1, max_value=6)


@given(impacts=levels, urgencies=levels, priorities=levels)
def test_default_matrix_is_total_and_monotonic(impacts, urgencies, priorities):
    matrix = priority.default_matrix(
        range(1, impacts + 1), range(1, urgencies + 1), priority_levels=priorities
    )
    assert priority.missing_cells(matrix, range(1, impacts + 1), range(1, urgencies + 1)) == []
    assert len(matrix) == impacts * urgencies
    assert priority.is_monotonic(matrix)
    assert all(1 <= p <= priorities for p in matrix.values())
    # the highest impact and urgency always give the highest priority
    assert priority.lookup(matrix, 1, 1) == 1
    # explicit monotonicity: raising impact or urgency (a lower number) never lowers the priority
    for (i, u), p in matrix.items():
        if i > 1:
            assert matrix[(i - 1, u)] <= p
        if u > 1:
            assert matrix[(i, u - 1)] <= p


@given(impact=levels, urgency=levels, priorities=levels)
def test_suggested_level_within_range(impact, urgency, priorities):
    level = priority.suggested_level(impact, urgency, priority_levels=priorities)
    assert 1 <= level <= priorities
    assert level == min(priorities, impact + urgency - 1)


@given(bad=st.integers(max_value=0), good=levels)
def test_levels_start_at_one(bad, good):
    for args in ((bad, good, good), (good, bad, good), (good, good, bad)):
        with pytest.raises(ValueError, match="levels start at 1"):
            priority.suggested_level(args[0], args[1], priority_levels=args[2])


def test_is_monotonic_detects_a_violation():
    assert not priority.is_monotonic({(1, 1): 2, (2, 2): 1})
    assert priority.missing_cells({(1, 1): 1}, [1, 2], [1]) == [(2, 1)]
    assert priority.lookup({}, 1, 1) is None


EXPECTED = {  # (impact level, urgency level) -> priority level, as seeded
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 4,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("impact_level", "urgency_level"), sorted(EXPECTED))
def test_priority_for_agrees_with_seeded_matrix(impact_level, urgency_level):
    imp = Impact.objects.get(level=impact_level)
    urg = Urgency.objects.get(level=urgency_level)
    prio = services.priority_for(imp, urg)
    assert prio.level == EXPECTED[(impact_level, urgency_level)]
    assert prio.level == priority.suggested_level(impact_level, urgency_level, priority_levels=4)
    cell = PriorityMatrixCell.objects.get(impact=imp, urgency=urg)
    assert cell.priority == prio


@pytest.mark.django_db
def test_seeded_matrix_is_total_and_monotonic():
    matrix = {
        (c.impact.level, c.urgency.level): c.priority.level
        for c in PriorityMatrixCell.objects.select_related("impact", "urgency", "priority")
    }
    impacts = Impact.objects.values_list("level", flat=True)
    urgencies = Urgency.objects.values_list("level", flat=True)
    assert priority.missing_cells(matrix, impacts, urgencies) == []
    assert priority.is_monotonic(matrix)
    assert matrix == EXPECTED


@pytest.mark.django_db
def test_configured_cell_wins_over_sum_rule():
    imp, urg = Impact.objects.get(level=3), Urgency.objects.get(level=3)
    PriorityMatrixCell.objects.filter(impact=imp, urgency=urg).update(priority=Priority.objects.get(level=2))
    assert services.priority_for(imp, urg).level == 2
