"""Portal deflection records: shown, clicked, submitted (see models/deflection.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from beheer.accounts.models import User
from beheer.core import clock

from ..models import DEFLECTION_RETENTION_DAYS, DeflectionEvent
from ..models.deflection import QUERY_MAX

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # models.deflection.TOKEN_MAX
SETTLE_MINUTES = 60  # a session younger than this may still end in a submit: not counted yet


def valid_token(token: str | None) -> bool:
    return bool(token) and bool(_TOKEN.match(token or ""))


def _event(user: User, token: str) -> DeflectionEvent | None:
    return DeflectionEvent.objects.select_for_update().filter(user=user, token=token).first()


@transaction.atomic
def record_shown(token: str, *, user: User, query: str, article_ids: list[int]) -> DeflectionEvent | None:
    """Suggestions were shown for this form session; first time creates the record, later showings
    add the new article ids. Nothing is recorded for an invalid token or when nothing was shown."""
    if not valid_token(token) or not article_ids or not getattr(user, "is_authenticated", False):
        return None
    now = clock.now()
    event = _event(user, token)
    if event is None:
        try:
            with transaction.atomic():
                return DeflectionEvent.objects.create(
                    user=user,
                    token=token,
                    query=" ".join(query.split())[:QUERY_MAX],
                    shown_article_ids=list(dict.fromkeys(article_ids)),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # a parallel request created it first
            event = _event(user, token)
            if event is None:
                return None
    if event.submitted:
        return event
    shown = list(dict.fromkeys([*event.shown_article_ids, *article_ids]))[:200]
    if shown != event.shown_article_ids:
        event.shown_article_ids = shown
        event.query = " ".join(query.split())[:QUERY_MAX]
        event.updated_at = now
        event.save(update_fields=["shown_article_ids", "query", "updated_at"])
    return event


@transaction.atomic
def record_click(token: str, *, user: User, article_id: int) -> DeflectionEvent | None:
    """The caller opened a suggested article (only ids that were shown count)."""
    if not valid_token(token):
        return None
    event = _event(user, token)
    if event is None or article_id not in event.shown_article_ids or article_id in event.clicked_article_ids:
        return event
    event.clicked_article_ids = [*event.clicked_article_ids, article_id][:200]
    event.updated_at = clock.now()
    event.save(update_fields=["clicked_article_ids", "updated_at"])
    return event


@transaction.atomic
def record_submission(token: str, *, user: User, melding: Any) -> DeflectionEvent | None:
    """The caller submitted the form anyway (called by the portal's create view after registering)."""
    if not valid_token(token):
        return None
    event = _event(user, token)
    if event is None or event.submitted:
        return event
    event.submitted, event.melding = True, melding
    event.updated_at = clock.now()
    event.save(update_fields=["submitted", "melding", "updated_at"])
    return event


@dataclass(frozen=True)
class DeflectionFigures:
    days: int
    sessions: int  # form sessions in which suggestions were shown (settled)
    viewed: int  # ... in which the caller opened an article
    deflected: int  # ... that viewed an article and did not submit
    submitted: int

    @property
    def rate(self) -> float | None:
        return round(self.deflected / self.sessions, 3) if self.sessions else None


def deflection_figures(*, days: int = 30) -> DeflectionFigures:
    """Over the last `days`: sessions with suggestions shown, and the share that ended without a
    submit after viewing an article. Sessions younger than SETTLE_MINUTES are left out."""
    now = clock.now()
    qs = DeflectionEvent.objects.since(now - timedelta(days=days)).filter(
        created_at__lt=now - timedelta(minutes=SETTLE_MINUTES)
    )
    viewed = ~Q(clicked_article_ids=[])
    counts = qs.aggregate(
        sessions=Count("id"),
        viewed=Count("id", filter=viewed),
        deflected=Count("id", filter=viewed & Q(submitted=False)),
        submitted=Count("id", filter=Q(submitted=True)),
    )
    return DeflectionFigures(days=days, **counts)


def purge_deflection_events(*, days: int = DEFLECTION_RETENTION_DAYS) -> int:
    """Delete records older than the retention period; returns how many."""
    deleted, _rows = DeflectionEvent.objects.filter(
        created_at__lt=clock.now() - timedelta(days=days)
    ).delete()
    return deleted
