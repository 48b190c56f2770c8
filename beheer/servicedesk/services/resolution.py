"""Resolving, confirming, closing and reopening."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.access import ensure_staff
from beheer.core.checks import checked_text
from beheer.core.errors import DomainError, PermissionDenied
from beheer.core.loops import isolated

from ..models import (
    ClosureCode,
    Melding,
    Note,
    StatusKind,
    Visibility,
    format_number,
)
from ..workflow import Action, Kind, allowed_status
from . import notify
from ._base import (
    _ensure_visible,
    _open_partials,
    _reindex,
    _save,
    default_status,
    lock_melding,
    record_history,
    servicedesk_settings,
)
from .knowledge_links import article_reference_text, visible_article
from .service_level import apply_sla

if TYPE_CHECKING:
    from beheer.knowledge.models import Article


@transaction.atomic
def resolve_melding(
    melding: Melding,
    *,
    solution: str,
    is_workaround: bool = False,
    closure_code: ClosureCode | None = None,
    actor: User,
    expected_version: int | None,
    article: Article | None = None,
) -> Melding:
    """Afmelden: record the solution; the caller is asked to confirm.

    With `article` the melding stores it as its solution article; when the caller may read the
    article, the solution text gets a reference with the portal address (an operator-only article is
    linked but never named in the text the caller reads)."""
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    now = clock.now()
    solution = checked_text(solution, field="solution", label=_("Solution"), required=True)
    if article is not None:
        article = visible_article(article.pk, actor)
        reference = article_reference_text(article, m)
        if reference and reference not in solution:
            solution = checked_text(f"{solution}\n\n{reference}", field="solution", label=_("Solution"))
    if not allowed_status(Action.RESOLVE, Kind(m.status.kind), Kind.RESOLVED):
        raise DomainError(_("This call is already resolved."))
    open_partials = _open_partials(m)
    if open_partials:
        message = _("%(count)d partial incident(s) are still open.") % {"count": open_partials}
        raise DomainError(message)
    resolved = default_status(StatusKind.RESOLVED)
    record_history(
        m,
        actor,
        "resolved",
        now=now,
        field="status",
        old=m.status,
        new=resolved,
        detail=solution,
        public=True,
    )
    m.status, m.is_open = resolved, False
    m.solution, m.is_workaround, m.closure_code = solution, is_workaround, closure_code
    m.resolved_at = now
    fields = ["status", "is_open", "solution", "is_workaround", "closure_code", "resolved_at"]
    if article is not None:
        m.solution_article = article
        fields.append("solution_article")
    if m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    fields += apply_sla(m, now=now)
    _save(m, fields, now=now)
    if m.parent_id is not None:
        parent = Melding.objects.get(pk=m.parent_id)
        record_history(parent, actor, "partial_resolved", now=now, new=m.number, detail=solution)
    notify.status_changed(m, resolved)  # please confirm
    return m


def _check_closable(m: Melding) -> None:
    if not allowed_status(Action.CLOSE, Kind(m.status.kind), Kind.CLOSED):
        raise DomainError(_("Only a resolved call can be closed."))


def _close(
    m: Melding, actor: User | None, *, now: datetime, detail: str = "", fields: tuple[str, ...] = ()
) -> Melding:
    _check_closable(m)
    closed = default_status(StatusKind.CLOSED)
    record_history(
        m, actor, "closed", now=now, field="status", old=m.status, new=closed, detail=detail, public=True
    )
    m.status, m.closed_at, m.is_open = closed, now, False
    _save(m, ["status", "closed_at", "is_open", *fields], now=now)
    return m


SATISFACTION_COMMENT_MAX = 2000


@transaction.atomic
def confirm_resolution(
    melding: Melding, *, actor: User, rating: int | None = None, comment: str = ""
) -> Melding:
    """The caller agrees with the solution: the melding is closed.

    The caller may rate the handling (1-5) and add a comment. A melding is confirmed once (it is
    closed and read-only afterwards), so its rating is given once and never changed; only the
    melding's own caller can give one.
    """
    _ensure_visible(melding, actor)
    m = lock_melding(melding, None)
    now = clock.now()
    comment = checked_text(comment, field="comment", label=_("Comment"), max_length=SATISFACTION_COMMENT_MAX)
    if rating is not None or comment:
        if m.caller_id is None or m.caller_id != actor.pk:
            raise PermissionDenied(_("Only the caller can rate the handling of this call."))
        if rating is None or isinstance(rating, bool) or not 1 <= rating <= 5:
            message = _("Choose a rating from 1 to 5.")
            raise DomainError(message, field_errors={"rating": message})
    _check_closable(m)
    fields: list[str] = []
    if m.caller_id is not None and m.caller_id == actor.pk:
        m.confirmed_at = now
        fields.append("confirmed_at")
    if rating is not None:
        m.satisfaction_rating, m.satisfaction_comment = rating, comment
        fields += ["satisfaction_rating", "satisfaction_comment"]
    m = _close(m, actor, now=now, detail=_("Confirmed by the caller."), fields=tuple(fields))
    if rating is not None:
        record_history(
            m, actor, "rated", now=now, field="satisfaction_rating", new=f"{rating}/5", detail=comment
        )
    return m


@transaction.atomic
def close_melding(melding: Melding, *, actor: User, expected_version: int | None) -> Melding:
    ensure_staff(actor)
    m = lock_melding(melding, expected_version)
    return _close(m, actor, now=clock.now())


@transaction.atomic
def reopen_melding(melding: Melding, *, reason: str, actor: User) -> Melding:
    """Back to work, within the reopen period after resolution."""
    _ensure_visible(melding, actor)
    m = lock_melding(melding, None)
    now = clock.now()
    reason = checked_text(reason, field="reason", label=_("Reason"), required=True, max_length=2000)
    if not allowed_status(Action.REOPEN, Kind(m.status.kind), Kind.OPEN) or m.resolved_at is None:
        raise DomainError(_("Only a resolved call can be reopened."))
    days = servicedesk_settings().reopen_days
    if now > m.resolved_at + timedelta(days=days):
        raise DomainError(
            _("The reopen period of %(days)d days has passed; register a new call instead.") % {"days": days}
        )
    status = default_status(StatusKind.OPEN)
    record_history(
        m, actor, "reopened", now=now, field="status", old=m.status, new=status, detail=reason, public=True
    )
    Note.objects.create(melding=m, author=actor, text=reason, visibility=Visibility.CALLER, created_at=now)
    m.status, m.is_open, m.resolved_at = status, True, None
    m.reopen_count = F("reopen_count") + 1
    _save(m, ["status", "is_open", "resolved_at", "reopen_count", *apply_sla(m, now=now)], now=now)
    m.refresh_from_db(fields=["reopen_count"])
    _reindex(m)
    return m


def auto_close_resolved(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close resolved meldingen whose reopen period has passed. Safe to run twice or concurrently."""
    now = now or clock.now()
    cfg = servicedesk_settings()
    if not cfg.auto_close:
        return 0
    cutoff = now - timedelta(days=cfg.reopen_days)
    closed = 0
    ids = list(
        Melding.objects.filter(is_open=False, closed_at__isnull=True, resolved_at__lt=cutoff)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        # a savepoint per melding: one that cannot be closed is rolled back alone, logged and
        # counted on the job's run, and the others are closed
        with isolated("melding", pk):
            m = Melding.objects.select_for_update(of=("self",)).select_related("status").filter(pk=pk).first()
            if m is None or m.closed_at is not None or m.status.kind != StatusKind.RESOLVED:
                continue
            _close(m, None, now=now, detail=_("Closed automatically after the reopen period."))
            closed += 1
    return closed


def number_of(pk: int) -> str:
    return format_number(pk)
