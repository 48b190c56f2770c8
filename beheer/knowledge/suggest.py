"""Article suggestions for a piece of text (a melding being registered or handled, a portal
question), and the scoring that the servicedesk's similar-melding suggestions share.

Read-only. Method (measured on the labelled set in knowledge/tests/suggest_set.py, see
docs/benchmarks.md):

1. Candidates from the full-text index, never a scan: `search.ranked_ids` with an OR of the
   significant words of the brief description and the request (Dutch and English stop words dropped),
   ranked by FTS5 bm25 (title x4) or PostgreSQL ts_rank_cd, with a LIMIT (CANDIDATES). Only the
   newest matching documents are scored (search.RANK_WINDOW for meldingen), so a common word in a
   million meldingen costs a bounded amount of work.
2. The permission filter (`visible_to`) and, for meldingen, "solved" (not open, with a solution) on
   that bounded id list, one query per kind.
3. A rerank of the bounded set in Python: the index score normalised to the best candidate, plus the
   share of the query's (lightly stemmed) words found in the title, plus their share in the text
   (article body and tags; melding request and solution). Top MAX_RESULTS per kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from beheer.core import access, search

from .models import Article, ArticleStatus, Audience

MAX_RESULTS = 5
ARTICLE_CANDIDATES = 50
ARTICLE_WINDOW = 20_000  # effectively every article; meldingen: the newest search.RANK_WINDOW matches
SNIPPET = 180
MAX_QUERY = 5000  # characters of brief description + request used for a suggestion query
TEXT_FOR_SCORING = 4000
WEIGHT_INDEX, WEIGHT_TITLE, WEIGHT_TEXT = 0.5, 0.3, 0.2
# A suggestion is shown only when its score reaches MIN_SCORE and RELATIVE_CUT x the best one's:
# better three good suggestions than five with two unrelated ones.
MIN_SCORE = 0.2
RELATIVE_CUT = 0.6

_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")  # [text](url), ![alt](src), [text][ref]
_BLOCK_MARK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)+", re.MULTILINE)  # heading and quote marks
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE)
_EMPHASIS = re.compile(r"[*`~]+|(?<!\w)_+|_+(?!\w)|\|")  # keeps the _ inside snake_case words
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([.,;:!?)\]…%])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")


@dataclass(frozen=True)
class ArticleSuggestion:
    id: int
    reference: str
    title: str
    kind: str
    kind_label: str
    audience: str
    for_callers: bool
    tags: list[str]
    snippet: str
    score: float


def article_reference(pk: int) -> str:
    return f"KB-{pk}"


def snippet(text: str, length: int = SNIPPET) -> str:
    """Plain text: Markdown marks removed (a link keeps its text), no space before punctuation, cut at
    a word."""
    plain = _LINK.sub(r"\1", (text or "")[: length * 20])
    plain = _EMPHASIS.sub("", _RULE.sub(" ", _BLOCK_MARK.sub("", plain)))
    plain = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", plain))).strip()
    if len(plain) <= length:
        return plain
    cut = plain[:length].rsplit(" ", 1)[0]
    return cut + " …"


def stems(text: str, limit: int = 400) -> set[str]:
    return {search.prefix_stem(w) for w in search.significant_tokens(text[:TEXT_FOR_SCORING], limit=limit)}


def _share(query: set[str], words: set[str]) -> float:
    """The share of query stems found in `words` (also as a prefix either way: 'print' ~ 'printer')."""
    if not query or not words:
        return 0.0
    found = 0
    for q in query:
        if q in words or any(
            len(q) >= 4 and len(w) >= 4 and (w.startswith(q) or q.startswith(w)) for w in words
        ):
            found += 1
    return found / len(query)


def combined_score(index_score: float, best: float, query: set[str], title: str, text: str) -> float:
    normalised = index_score / best if best > 0 else 0.0
    return (
        WEIGHT_INDEX * normalised
        + WEIGHT_TITLE * _share(query, stems(title))
        + WEIGHT_TEXT * _share(query, stems(text))
    )


def best_of(found: list[Any], limit: int) -> list[Any]:
    found.sort(key=lambda s: (-s.score, -s.id))
    if not found:
        return []
    floor = max(MIN_SCORE, RELATIVE_CUT * found[0].score)
    return [s for s in found if s.score >= floor][:limit]


def query_text(brief_description: str, request: str = "") -> str:
    return f"{brief_description or ''}\n{request or ''}"[:MAX_QUERY].replace("\x00", "")


def suggest_articles(
    text: str, user: Any, *, limit: int = MAX_RESULTS, callers_only: bool = False
) -> list[ArticleSuggestion]:
    """Articles `user` may read; `callers_only` (the portal): published caller articles only, whoever
    is looking."""
    ranked = search.ranked_ids("article", text, ARTICLE_CANDIDATES, window=ARTICLE_WINDOW)
    if not ranked:
        return []
    scores = dict(ranked)
    qs = Article.objects.visible_to(user)
    if callers_only:
        qs = qs.filter(audience=Audience.CALLERS, status=ArticleStatus.PUBLISHED)
    is_staff = bool(access.is_staff(user)) and not callers_only
    rows = (
        qs.filter(pk__in=list(scores))
        .select_related("current_version", "draft_version")
        .only(
            "id",
            "kind",
            "audience",
            "status",
            "title",
            "tags",
            "current_version__body",
            "current_version__title",
            "draft_version__body",
            "draft_version__title",
        )
    )
    articles = list(rows)
    query = stems(text, limit=search.RANKED_TOKENS)
    # normalised over what the user may see, so hidden articles cannot be inferred from the scores
    best = max((scores[a.pk] for a in articles), default=0.0)
    found: list[ArticleSuggestion] = []
    for article in articles:
        shown = article.current_version or (article.draft_version if is_staff else None)
        if shown is None:
            continue
        body = f"{shown.body}\n{' '.join(article.tag_list)}"
        score = combined_score(scores[article.pk], best, query, shown.title, body)
        found.append(
            ArticleSuggestion(
                id=article.pk,
                reference=article_reference(article.pk),
                title=shown.title,
                kind=article.kind,
                kind_label=str(article.get_kind_display()),
                audience=article.audience,
                for_callers=article.audience == Audience.CALLERS,
                tags=article.tag_list,
                snippet=snippet(shown.body),
                score=round(score, 4),
            )
        )
    return best_of(found, limit)
