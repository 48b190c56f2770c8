"""Suggestion quality on the labelled set (suggest_set.py). The floors sit just below the measured
figures (docs/benchmarks.md), so a change that makes the ranking worse fails here."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User

from .suggest_set import evaluate, load

FLOORS = {"precision_at_5": 0.85, "hit_at_5": 0.92, "mrr": 0.88, "recall_at_5": 0.88}


@pytest.mark.django_db
def test_suggestion_quality_on_the_labelled_set(operator: User, caller: User) -> None:
    corpus = load(operator, caller)
    quality = evaluate(corpus, operator)
    print(quality.as_dict())
    assert quality.lists >= 45
    for name, floor in FLOORS.items():
        assert getattr(quality, name) >= floor, (name, quality.as_dict())
