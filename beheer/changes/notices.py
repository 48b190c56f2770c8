"""What the plan page shows of the notices sent to stakeholders: per recipient when they were
notified and whether they acknowledged the linked user instruction (from the knowledge base's read
acknowledgements: the version sent or a later one)."""

from __future__ import annotations

from dataclasses import dataclass

from beheer.knowledge.models import ArticleAcknowledgement

from .models import Change, PlanNotice, PlanNoticeRecipient

SHOWN = 20  # the latest notices on the plan page


@dataclass(frozen=True)
class RecipientRow:
    row: PlanNoticeRecipient
    acknowledged: bool | None  # None: no acknowledgement asked of this recipient


@dataclass(frozen=True)
class NoticeRow:
    notice: PlanNotice
    recipients: list[RecipientRow]


def notice_rows(change: Change, *, limit: int = SHOWN) -> list[NoticeRow]:
    """The latest notices of `change` with their recipients and acknowledgements: three queries."""
    notices = list(
        PlanNotice.objects.filter(change=change)
        .select_related("article", "sent_by")
        .order_by("-sent_at", "-id")[:limit]
    )
    if not notices:
        return []
    recipients: dict[int, list[PlanNoticeRecipient]] = {}
    for r in PlanNoticeRecipient.objects.filter(notice__in=[n.pk for n in notices]).order_by("id"):
        recipients.setdefault(r.notice_id, []).append(r)
    article_ids = {n.article_id for n in notices if n.article_id}
    people = {r.person_id for rows in recipients.values() for r in rows if r.person_id}
    acks: dict[tuple[int, int], int] = {}  # (article, person) -> highest version acknowledged
    if article_ids and people:
        for article_id, user_id, number in ArticleAcknowledgement.objects.filter(
            version__article_id__in=article_ids, user_id__in=people
        ).values_list("version__article_id", "user_id", "version__number"):
            key = (article_id, user_id)
            acks[key] = max(acks.get(key, 0), number)
    result = []
    for n in notices:
        rows = []
        for r in recipients.get(n.pk, []):
            acknowledged: bool | None = None
            if r.subscribed and n.article_id and r.person_id:
                acknowledged = acks.get((n.article_id, r.person_id), 0) >= (n.article_version or 1)
            rows.append(RecipientRow(r, acknowledged))
        result.append(NoticeRow(n, rows))
    return result
