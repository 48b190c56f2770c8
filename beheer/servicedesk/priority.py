"""Impact x urgency -> priority, without the ORM.

Levels count from 1 (highest). The matrix maps (impact level, urgency level) to a priority level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Matrix = Mapping[tuple[int, int], int]


def suggested_level(impact_level: int, urgency_level: int, *, priority_levels: int) -> int:
    """The classic ITIL sum rule: impact + urgency - 1, clamped to the available priorities."""
    if impact_level < 1 or urgency_level < 1 or priority_levels < 1:
        raise ValueError("levels start at 1")
    return max(1, min(priority_levels, impact_level + urgency_level - 1))


def default_matrix(
    impact_levels: Iterable[int], urgency_levels: Iterable[int], *, priority_levels: int
) -> dict[tuple[int, int], int]:
    urgencies = list(urgency_levels)
    return {
        (i, u): suggested_level(i, u, priority_levels=priority_levels)
        for i in impact_levels
        for u in urgencies
    }


def lookup(matrix: Matrix, impact_level: int, urgency_level: int) -> int | None:
    return matrix.get((impact_level, urgency_level))


def missing_cells(
    matrix: Matrix, impact_levels: Iterable[int], urgency_levels: Iterable[int]
) -> list[tuple[int, int]]:
    """Cells an administrator still has to fill for the matrix to be complete."""
    urgencies = list(urgency_levels)
    return [(i, u) for i in impact_levels for u in urgencies if (i, u) not in matrix]


def is_monotonic(matrix: Matrix) -> bool:
    """Higher impact or urgency (a lower level number) never gives a lower priority (higher number)."""
    for (i, u), p in matrix.items():
        for (i2, u2), p2 in matrix.items():
            if i2 <= i and u2 <= u and p2 > p:
                return False
    return True
