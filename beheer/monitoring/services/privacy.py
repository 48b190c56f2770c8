"""Retention of raw monitoring results (AVG/BIO), for the security app's retention job.

Only results whose time the roll-up has closed are removed (the minute, hour and day buckets keep
the figures), so availability reports stay as they were."""

from __future__ import annotations

from datetime import datetime

from ..models import CheckResult, RollupProgress


def expire_results(*, before: datetime, batch: int = 5000) -> int:
    """Remove up to `batch` raw results older than `before` and already rolled up; the caller
    repeats until it returns 0."""
    progress = RollupProgress.objects.order_by("closed_until").values_list("closed_until", flat=True).first()
    if progress is None:
        return 0
    limit = min(before, progress)
    ids = list(
        CheckResult.objects.filter(at__lt=limit).order_by("at", "pk").values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return 0
    deleted, _detail = CheckResult.objects.filter(pk__in=ids).delete()
    return deleted
