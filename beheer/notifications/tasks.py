"""Background tasks of the notifications app (django-tasks). Tasks take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import sending


@task()
def send_pending(message_ids: list[int]) -> dict[str, int]:
    """Send these outbox messages if they are still due (queued after the commit that wrote them)."""
    return sending.send_messages([int(pk) for pk in message_ids])
