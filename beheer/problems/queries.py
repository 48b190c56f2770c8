"""Reads of the problem lists, shared by the screens and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from beheer.core.pagination import SortKey

from .models import OPEN_PROBLEM_STATUSES, Problem, ProblemMelding, ProblemQuerySet

ORDER = [SortKey("updated_at", True), SortKey("id", True)]


def filter_problems(qs: ProblemQuerySet, data: dict[str, Any]) -> ProblemQuerySet:
    """The list filters, shared by the screen and the API: status, group, operator, linked melding, text."""
    status = data.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=OPEN_PROBLEM_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("operator_group") is not None:
        qs = qs.filter(operator_group=data["operator_group"])
    if data.get("operator") is not None:
        qs = qs.filter(operator=data["operator"])
    if data.get("melding") is not None:
        qs = qs.filter(melding_links__melding=data["melding"])
    if (data.get("q") or "").strip():
        qs = qs.search(data["q"])
    return qs


def open_counts(problem_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(open, total) linked meldingen per problem, in one query."""
    rows = (
        ProblemMelding.objects.filter(problem_id__in=problem_ids)
        .values("problem_id")
        .annotate(total=Count("melding_id"), open=Count("melding_id", filter=Q(melding__is_open=True)))
    )
    return {row["problem_id"]: (row["open"], row["total"]) for row in rows}


CHOICES_SHOWN = 50


def link_choices(user: Any) -> list[Problem]:
    """The open problems offered when a melding is linked to one: the most recently changed first."""
    return list(
        Problem.objects.visible_to(user)
        .filter(status__in=OPEN_PROBLEM_STATUSES)
        .only("id", "title")
        .order_by("-updated_at", "-id")[:CHOICES_SHOWN]
    )
