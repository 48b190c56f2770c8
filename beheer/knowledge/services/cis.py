"""Which configuration items an article documents.

The same people may change the links as may edit the article (operators; administrators for articles
for administrators), not on an archived article. A link belongs to the article, not to one of its
versions, so linking does not change the article's `version` (like attachments). Every added or
removed link is written in the CI's history, in the transaction of the change; an article for
administrators only is named there by its number, since operators read a CI's history too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import CiAction, CiHistoryEntry, ConfigurationItem
from beheer.core import clock, history
from beheer.core.errors import DomainError, ReadOnly

from ..models import MAX_CIS, Article, ArticleCi, ArticleStatus, Audience
from . import articles

HISTORY_FIELD = "documents"


def _refuse(message: str) -> DomainError:
    return DomainError(message, field_errors={"cis": message})


def _wanted(ci_ids: Iterable[int]) -> list[ConfigurationItem]:
    wanted = list(dict.fromkeys(int(pk) for pk in ci_ids))
    if len(wanted) > MAX_CIS:
        raise _refuse(_("An article documents at most %(n)d configuration items.") % {"n": MAX_CIS})
    found = {ci.pk: ci for ci in ConfigurationItem.objects.filter(pk__in=wanted).only("pk", "name")}
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        raise _refuse(_("Unknown configuration item: %(ids)s.") % {"ids": ", ".join(unknown)})
    return [found[pk] for pk in wanted]


def article_label(article: Article) -> str:
    """How the CI's history names the article: its title, or only its number when it is for
    administrators (operators read the CI's history)."""
    if article.audience == Audience.ADMINISTRATORS:
        return f"#{article.pk}"
    return f"#{article.pk} {article.title}"


def link_cis(article: Article, ci_ids: Iterable[int], *, actor: User) -> Article:
    """Inside a service's transaction, with `article` locked: make the article document exactly the
    CIs `ci_ids`, recording each added and removed link in that CI's history."""
    cis = _wanted(ci_ids)
    current = dict(ArticleCi.objects.filter(article=article).values_list("ci_id", "id"))
    wanted = {ci.pk for ci in cis}
    removed = [pk for pk in current if pk not in wanted]
    added = [ci for ci in cis if ci.pk not in current]
    if not removed and not added:
        return article
    now = clock.now()
    label = article_label(article)
    if removed:
        ArticleCi.objects.filter(article=article, ci_id__in=removed).delete()
        for ci in ConfigurationItem.objects.filter(pk__in=removed).only("pk", "name"):
            history.record(
                CiHistoryEntry,
                ci,
                actor=actor,
                action=CiAction.CHANGED,
                field=HISTORY_FIELD,
                old=label,
                at=now,
            )
    if added:
        ArticleCi.objects.bulk_create(
            [ArticleCi(article=article, ci=ci, linked_at=now, linked_by=actor) for ci in added]
        )
        for ci in added:
            history.record(
                CiHistoryEntry,
                ci,
                actor=actor,
                action=CiAction.CHANGED,
                field=HISTORY_FIELD,
                new=label,
                at=now,
            )
    return article


@transaction.atomic
def set_article_cis(article: Article, *, actor: User, ci_ids: Iterable[int]) -> Article:
    """The configuration items the article documents, replaced by `ci_ids` (unknown ids refused)."""
    articles._require_editor(actor)
    locked = articles._lock(article, actor, None)
    articles._require_editor(actor, locked.audience)
    if locked.status == ArticleStatus.ARCHIVED:
        raise ReadOnly(_("An archived article cannot be edited."))
    return link_cis(locked, ci_ids, actor=actor)
