"""Suggestions while registering or handling a melding: knowledge articles (from the knowledge
base's `suggest_articles`) and similar solved meldingen, scored the same way (see
beheer/knowledge/suggest.py for the method). Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beheer.core import access, search
from beheer.knowledge.suggest import (
    MAX_RESULTS,
    TEXT_FOR_SCORING,
    ArticleSuggestion,
    best_of,
    combined_score,
    query_text,
    snippet,
    stems,
    suggest_articles,
)

from ..models import Melding

MELDING_CANDIDATES = 100


@dataclass(frozen=True)
class MeldingSuggestion:
    id: int
    number: str
    brief_description: str
    solution: str
    snippet: str
    score: float


@dataclass
class Suggestions:
    query: str
    articles: list[ArticleSuggestion] = field(default_factory=list)
    meldingen: list[MeldingSuggestion] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.articles and not self.meldingen


def suggest_meldingen(
    text: str, user: Any, *, exclude: int | None = None, limit: int = MAX_RESULTS
) -> list[MeldingSuggestion]:
    """Similar solved meldingen, for operators only (callers never get meldingen suggested)."""
    if not access.is_staff(user):
        return []
    ranked = search.ranked_ids("melding", text, MELDING_CANDIDATES)
    scores = {pk: score for pk, score in ranked if pk != exclude}
    if not scores:
        return []
    rows = (
        Melding.objects.visible_to(user)
        .filter(pk__in=list(scores), is_open=False)
        .exclude(solution="")
        .only("id", "brief_description", "request", "solution")
    )
    solved = list(rows)
    query = stems(text, limit=search.RANKED_TOKENS)
    best = max((scores[m.pk] for m in solved), default=0.0)
    found: list[MeldingSuggestion] = []
    for m in solved:
        body = f"{m.request[:TEXT_FOR_SCORING]}\n{m.solution[:TEXT_FOR_SCORING]}"
        score = combined_score(scores[m.pk], best, query, m.brief_description, body)
        found.append(
            MeldingSuggestion(
                id=m.pk,
                number=m.number,
                brief_description=m.brief_description,
                solution=m.solution,
                snippet=snippet(m.solution),
                score=round(score, 4),
            )
        )
    return best_of(found, limit)


def suggest(
    brief_description: str,
    request: str,
    user: Any,
    *,
    exclude_melding: int | None = None,
    meldingen: bool = True,
) -> Suggestions:
    """Up to MAX_RESULTS articles `user` may read and (operators) similar solved meldingen."""
    text = query_text(brief_description, request)
    result = Suggestions(query=text.strip())
    if not search.significant_tokens(text):
        return result
    result.articles = suggest_articles(text, user)
    if meldingen:
        result.meldingen = suggest_meldingen(text, user, exclude=exclude_melding)
    return result
