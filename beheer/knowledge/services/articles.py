"""Every write of the knowledge base. The history of an article is its versions.

Each service takes the article first, keyword-only arguments after and an explicit `actor`; it locks
the article row, checks the rules, writes and re-indexes the search document in the same transaction.
Editing services take `expected_version` (optimistic locking): a stale form raises `Conflict`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, search
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from ..models import (
    DESIGN_KINDS,
    Article,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Kind,
    KindSetting,
    KnowledgeCategory,
    VersionState,
    audiences_for,
)
from .cis import link_cis
from .design_notices import announce_client_approval_waiting
from .designs import check_mandatory_sections, record_review_approval, template_body

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_BODY = 200_000
KEEP = object()  # save_draft: leave the category as it is
_TAG_SPLIT = re.compile(r"[,;\n]+")
_SPACES = re.compile(r"\s+")


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "").strip()


def normalise_tags(value: str | list[str] | None) -> str:
    """Comma-separated, lower case, single spaces, without duplicates, in the given order."""
    parts = value if isinstance(value, list) else _TAG_SPLIT.split(value or "")
    seen: list[str] = []
    for part in parts:
        tag = _SPACES.sub(" ", _clean(str(part)).replace(",", " ")).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise DomainError(
                _("A tag may be at most %(n)d characters.") % {"n": MAX_TAG_LENGTH},
                field_errors={"tags": _("A tag may be at most %(n)d characters.") % {"n": MAX_TAG_LENGTH}},
            )
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise DomainError(
            _("At most %(n)d tags.") % {"n": MAX_TAGS},
            field_errors={"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}},
        )
    return ",".join(seen)


def review_required(kind: str) -> bool:
    return KindSetting.objects.filter(kind=kind, review_required=True).exists()


def _require_editor(actor: User, audience: str | None = None) -> None:
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators may edit knowledge articles."))
    audiences = audiences_for(actor)
    if audience is not None and audiences is not None and audience not in audiences:
        raise PermissionDenied(
            _("Only administrators may edit articles for administrators."),
            field_errors={"audience": _("Only administrators may edit articles for administrators.")},
        )


def _validate(
    *,
    title: str,
    body: str,
    kind: str,
    audience: str,
    review_interval_days: int | None,
    client: User | None = None,
) -> None:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > 200:
        errors["title"] = _("The title may be at most 200 characters.")
    if len(body) > MAX_BODY:
        errors["body"] = _("The text is too long.")
    if kind not in Kind.values:
        errors["kind"] = _("Unknown article kind.")
    if audience not in Audience.values:
        errors["audience"] = _("Unknown audience.")
    if review_interval_days is not None and not 1 <= review_interval_days <= 3650:
        errors["review_interval_days"] = _("The review interval must be between 1 and 3650 days.")
    if kind in DESIGN_KINDS and audience == Audience.CALLERS:
        errors["audience"] = _("A design is for operators; its client approves it in the portal.")
    if client is not None and kind not in DESIGN_KINDS:
        errors["client"] = _("Only a design document has a client.")
    elif client is not None and not client.is_active:
        errors["client"] = _("The client must be an active person.")
    if errors:
        raise DomainError(next(iter(errors.values())), field_errors=errors)


def _lock(article: Article, actor: User, expected_version: int | None) -> Article:
    locked = Article.objects.select_for_update().filter(pk=article.pk).first()
    if locked is None or not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise NotFound(_("Article not found."))
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Somebody else changed this article. Reload the page and try again."))
    return locked


def _reindex(article: Article) -> None:
    shown = article.current_version or article.draft_version
    if shown is None:
        search.remove_document("article", article.pk)
        return
    tags = " ".join(shown.tag_list)
    category = article.category.name_nl + " " + article.category.name_en if article.category else ""
    search.index_document("article", article.pk, title=shown.title, body=f"{shown.body}\n{tags}\n{category}")


def _touch(article: Article, now: Any, fields: list[str]) -> None:
    article.version += 1
    article.updated_at = now
    article.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def create_article(
    *,
    actor: User,
    title: str,
    body: str = "",
    kind: str = Kind.SOLUTION,
    audience: str = Audience.OPERATORS,
    category: KnowledgeCategory | None = None,
    tags: str | list[str] = "",
    owner: User | None = None,
    review_interval_days: int = 365,
    change_note: str = "",
    ci_ids: Iterable[int] | None = None,
    client: User | None = None,
) -> Article:
    """A new draft article with its first version (and the configuration items it documents); a
    design without text starts with its template's sections."""
    title, body = _clean(title), (body or "").replace("\x00", "")
    _require_editor(actor, audience)
    _validate(
        title=title,
        body=body,
        kind=kind,
        audience=audience,
        review_interval_days=review_interval_days,
        client=client,
    )
    if kind in DESIGN_KINDS and not body.strip():
        body = template_body(kind)
    tag_text = normalise_tags(tags)
    now = clock.now()
    article = Article.objects.create(
        kind=kind,
        audience=audience,
        title=title,
        category=category,
        tags=tag_text,
        owner=owner or actor,
        client=client,
        review_interval_days=review_interval_days,
        status=ArticleStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    draft = ArticleVersion.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        tags=tag_text,
        audience=audience,
        change_note=_clean(change_note)[:500],
        author=actor,
        created_at=now,
    )
    article.draft_version = draft
    article.save(update_fields=["draft_version"])
    if ci_ids:
        link_cis(article, ci_ids, actor=actor)
    _reindex(article)
    return article


@transaction.atomic
def save_draft(
    article: Article,
    *,
    actor: User,
    expected_version: int,
    title: str,
    body: str,
    change_note: str = "",
    tags: str | list[str] = "",
    audience: str | None = None,
    kind: str | None = None,
    category: KnowledgeCategory | object | None = KEEP,
    owner: User | None = None,
    review_interval_days: int | None = None,
    ci_ids: Iterable[int] | None = None,
    client: User | object | None = KEEP,
) -> Article:
    """Edit the pending draft, or start a new draft version from the published one; `ci_ids`, when
    given, replaces the configuration items the article documents (None leaves them).

    Title, text, tags and audience belong to the version (readers keep seeing the published one until
    the draft is published); kind, category, owner and review interval belong to the article.
    """
    _require_editor(actor)
    article = _lock(article, actor, expected_version)
    if article.status == ArticleStatus.ARCHIVED:
        raise DomainError(_("An archived article cannot be edited."))
    title, body = _clean(title), (body or "").replace("\x00", "")
    audience = audience or article.audience
    kind = kind or article.kind
    new_client = article.client if client is KEEP else client
    if not isinstance(new_client, User):
        new_client = None
    if kind not in DESIGN_KINDS and client is KEEP:
        new_client = None  # no longer a design: no client
    _require_editor(actor, audience)
    _validate(
        title=title,
        body=body,
        kind=kind,
        audience=audience,
        review_interval_days=review_interval_days,
        client=new_client,
    )
    tag_text = normalise_tags(tags)
    now = clock.now()
    draft = article.draft_version
    if draft is not None:
        _require_editor(actor, draft.audience)  # an administrators-only draft is theirs to change
    if draft is not None and draft.state == VersionState.REVIEW:
        # a change after submitting withdraws the request: it must be reviewed again
        draft.state = VersionState.DRAFT
    if draft is None:
        number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ArticleVersion(article=article, number=number, created_at=now, author=actor)
    draft.title, draft.body, draft.tags, draft.audience = title, body, tag_text, audience
    draft.change_note = _clean(change_note)[:500]
    draft.author = actor
    draft.created_at = now
    draft.save()
    article.draft_version = draft
    article.kind = kind
    article.client = new_client
    fields = ["draft_version", "kind", "client", "category", "owner", "review_interval_days"]
    if isinstance(category, KnowledgeCategory) or category is None:
        article.category = category
    if owner is not None:
        article.owner = owner
    if review_interval_days is not None:
        article.review_interval_days = review_interval_days
    if article.current_version_id is None:
        article.title, article.tags, article.audience = title, tag_text, audience
        fields += ["title", "tags", "audience"]
    _touch(article, now, fields)
    if ci_ids is not None:
        link_cis(article, ci_ids, actor=actor)
    _reindex(article)
    return article


def _pending(article: Article) -> ArticleVersion:
    draft = article.draft_version
    if draft is None:
        raise DomainError(_("There is no draft to publish."))
    return draft


@transaction.atomic
def submit_for_review(article: Article, *, actor: User, expected_version: int) -> Article:
    _require_editor(actor)
    article = _lock(article, actor, expected_version)
    draft = _pending(article)
    _require_editor(actor, draft.audience)
    if draft.state == VersionState.REVIEW:
        raise DomainError(_("This draft is already waiting for review."))
    check_mandatory_sections(article.kind, draft.body)
    draft.state = VersionState.REVIEW
    draft.save(update_fields=["state"])
    _touch(article, clock.now(), [])
    announce_client_approval_waiting(article, draft)
    return article


def _publish(article: Article, draft: ArticleVersion, *, approver: User | None) -> Article:
    now = clock.now()
    previous = article.current_version
    if previous is not None and previous.pk != draft.pk:
        previous.state = VersionState.SUPERSEDED
        previous.save(update_fields=["state"])
    draft.state = VersionState.PUBLISHED
    draft.published_at = now
    draft.approved_by = approver
    draft.save(update_fields=["state", "published_at", "approved_by"])
    if approver is not None:
        record_review_approval(draft, actor=approver)
    article.current_version = draft
    article.draft_version = None
    article.title, article.tags, article.audience = draft.title, draft.tags, draft.audience
    article.status = ArticleStatus.PUBLISHED
    article.next_review_on = timezone.localdate(now + timedelta(days=article.review_interval_days))
    _touch(
        article,
        now,
        ["current_version", "draft_version", "title", "tags", "audience", "status", "next_review_on"],
    )
    _reindex(article)
    from .notices import announce_new_version  # notices builds on this module

    announce_new_version(article, draft)
    announce_client_approval_waiting(article, draft)
    return article


@transaction.atomic
def publish(article: Article, *, actor: User, expected_version: int) -> Article:
    """Publish the draft directly; only for kinds that need no review."""
    _require_editor(actor)
    article = _lock(article, actor, expected_version)
    draft = _pending(article)
    _require_editor(actor, draft.audience)
    check_mandatory_sections(article.kind, draft.body)
    if review_required(article.kind):
        raise PermissionDenied(
            _("Articles of this kind must be approved by a second person before publishing.")
        )
    return _publish(article, draft, approver=None)


@transaction.atomic
def approve_and_publish(article: Article, *, actor: User, expected_version: int) -> Article:
    """A second person approves the submitted draft, which is then published."""
    _require_editor(actor)
    article = _lock(article, actor, expected_version)
    draft = _pending(article)
    _require_editor(actor, draft.audience)
    if draft.state != VersionState.REVIEW:
        raise DomainError(_("This draft has not been submitted for review."))
    if draft.author_id == actor.pk:
        raise PermissionDenied(_("You cannot approve your own change; a second person must approve it."))
    check_mandatory_sections(article.kind, draft.body)
    return _publish(article, draft, approver=actor)


@transaction.atomic
def archive(article: Article, *, actor: User, expected_version: int) -> Article:
    if not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators may archive articles."))
    article = _lock(article, actor, expected_version)
    if article.status == ArticleStatus.ARCHIVED:
        raise DomainError(_("This article is already archived."))
    article.status = ArticleStatus.ARCHIVED
    _touch(article, clock.now(), ["status"])
    _reindex(article)
    return article


@transaction.atomic
def restore_version(article: Article, *, actor: User, expected_version: int, number: int) -> Article:
    """Copy an old version into the draft (a new version); publishing it follows the normal rules."""
    _require_editor(actor)
    locked = _lock(article, actor, expected_version)
    # only a version the actor may read (its own audience counts, not the article's)
    old = ArticleVersion.objects.visible_to(actor).filter(article=locked, number=number).first()
    if old is None:
        raise NotFound(_("Version not found."), field_errors={"number": _("Version not found.")})
    return save_draft(
        locked,
        actor=actor,
        expected_version=locked.version,
        title=old.title,
        body=old.body,
        tags=old.tags,
        audience=old.audience,
        category=locked.category,
        change_note=_("Restored version %(n)d") % {"n": old.number},
    )
