"""The client's e-mail when a version of a design waits for their approval: sent (through the
outbox, after the commit) when the version is submitted for review or published, once per version."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from beheer.notifications import services as notifications

from ..models import Article, ArticleVersion, VersionApproval

EVENT = "design_client_approval_waiting"


def announce_client_approval_waiting(article: Article, version: ArticleVersion) -> int:
    """Ask the client named on a design to decide on `version`; nothing when the design has no
    (active) client or the client already decided on this version. Returns the messages written."""
    client = article.client
    if not article.is_design or client is None or not client.is_active:
        return 0
    if VersionApproval.objects.filter(version=version, approver=client, role="client").exists():
        return 0
    kind = {}
    for language in ("nl", "en"):
        with translation.override(language):
            kind[language] = str(article.get_kind_display())
    context = {
        "article_title": version.title,
        "article_kind": kind,
        "version_number": version.number,
        "author_name": str(version.author) if version.author_id else "",
        "link_url": str(settings.SITE_URL).rstrip("/") + reverse("portal-design", args=[version.pk]),
    }
    return len(
        notifications.enqueue(
            EVENT,
            key=f"knowledge:design:{article.pk}:version:{version.pk}:client",
            recipients=[client],
            context=context,
            object_ref=("knowledge.article", article.pk),
        )
    )
