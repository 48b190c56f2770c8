"""Shared read logic of the knowledge lists: the UI, the portal and the API filter alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from beheer.accounts.models import User, UserQuerySet
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.forms import parse_id
from beheer.core.pagination import SortKey

from .models import (
    MAX_CIS,
    ApprovalRole,
    Article,
    ArticleAcknowledgement,
    ArticleAttachment,
    ArticleCi,
    ArticleQuerySet,
    ArticleVersion,
    Kind,
    KnowledgeCategory,
    VersionApproval,
    expected_readers,
)
from .rendering import AttachmentRef, render_markdown

ORDER = [SortKey("updated_at", descending=True), SortKey("id", descending=True)]


@dataclass
class ArticleFilter:
    q: str = ""
    kind: str = ""
    status: str = ""
    audience: str = ""
    category: int | None = None
    review_overdue: bool = False
    ci: int | None = None  # the articles documenting this configuration item (staff)
    today: date | None = None  # for review_overdue; the local date when not given


def category_and_descendants(pk: int) -> list[int]:
    """The category and every category below it (the tree is small; read it once)."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in KnowledgeCategory.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [pk]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def filter_articles(user: Any, f: ArticleFilter) -> ArticleQuerySet:
    qs = Article.objects.visible_to(user)
    if f.q:
        qs = qs.search(f.q)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.audience:
        qs = qs.filter(audience=f.audience)
    if f.category:
        qs = qs.filter(category_id__in=category_and_descendants(f.category))
    if f.review_overdue:
        qs = qs.stale(f.today or timezone.localdate(clock.now()))
    if f.ci:
        qs = qs.filter(ci_links__ci_id=f.ci) if access.is_staff(user) else qs.none()
    return qs


def visible_article(user: Any, pk: int) -> Article:
    article = Article.objects.visible_to(user).select_related("category", "owner").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def shown_version(article: Article, user: Any) -> ArticleVersion | None:
    """What a reader sees: the published version; staff see the draft of a never-published article."""
    if article.current_version_id:
        return article.current_version
    return visible_draft(article, user)


def versions_for(article: Article, user: Any) -> list[ArticleVersion]:
    """The versions `user` may read (ArticleVersion.visible_to: each version's own audience), for
    staff only: callers see only the published text."""
    if not access.is_staff(user):
        raise Http404
    qs = ArticleVersion.objects.visible_to(user).filter(article=article)
    return list(qs.select_related("author", "approved_by").order_by("-number")[:500])


def visible_version(article: Article, user: Any, number: Any) -> ArticleVersion | None:
    """One version of the article by number, if `user` may read it (staff only)."""
    if not access.is_staff(user):
        return None
    try:
        n = int(number)
    except (TypeError, ValueError):
        return None
    if not 1 <= n <= 2**31 - 1:
        return None
    qs = ArticleVersion.objects.visible_to(user).filter(article=article, number=n)
    return qs.select_related("author", "approved_by").first()


def visible_draft(article: Article, user: Any) -> ArticleVersion | None:
    """The pending draft, if `user` may read it (not an administrators-only draft for operators)."""
    if article.draft_version_id is None or not access.is_staff(user):
        return None
    return ArticleVersion.objects.visible_to(user).filter(pk=article.draft_version_id).first()


def attachment_url(attachment_id: int) -> str:
    return reverse("knowledge-attachment", args=[attachment_id])


def attachment_ref(a: ArticleAttachment) -> AttachmentRef:
    return AttachmentRef(id=a.pk, name=a.original_name, url=attachment_url(a.pk), is_image=a.is_image)


def attachments_of(article: Article, user: Any) -> list[ArticleAttachment]:
    """The article's attachments `user` may see, oldest first (the caller has already checked that
    the article is visible; see ArticleAttachmentQuerySet.for_reader)."""
    files = article.attachments.for_reader(user).select_related("uploaded_by")
    return list(files.order_by("created_at", "id")[:500])


def render_body(text: str, attachments: list[ArticleAttachment]) -> str:
    """An article text as safe HTML, its attachment references resolved."""
    return render_markdown(text, [attachment_ref(a) for a in attachments])


# --------------------------------------------------------------------------------------------------
# approvals per version (design documents)


def approvals_of(article: Article, user: Any) -> list[VersionApproval]:
    """The decisions on the article's versions `user` may see, newest version first."""
    qs = VersionApproval.objects.visible_to(user).filter(version__article=article)
    return list(qs.select_related("approver", "version").order_by("-version__number", "at", "id")[:500])


@dataclass(frozen=True)
class ClientApproval:
    """Which version the client last approved, and whether that is the newest version."""

    approved_number: int | None
    newest_number: int | None

    @property
    def newest_approved(self) -> bool:
        return self.approved_number is not None and self.approved_number == self.newest_number


def client_approval(article: Article, approvals: list[VersionApproval], newest: Any) -> ClientApproval | None:
    """For a design with a client: the client's newest approved version against the newest version
    (`newest`: the draft if there is one, else the published version)."""
    if not article.is_design or article.client_id is None:
        return None
    numbers = [
        a.version.number
        for a in approvals
        if a.role == ApprovalRole.CLIENT and a.approver_id == article.client_id and a.approved
    ]
    return ClientApproval(max(numbers, default=None), getattr(newest, "number", None))


def client_versions(user: Any) -> list[ArticleVersion]:
    """The design versions waiting for `user`'s decision as client or decided by them, newest first;
    each with `my_decision` (their approval record or None)."""
    rows = list(
        ArticleVersion.objects.for_client(user).select_related("article").order_by("-created_at", "-id")[:200]
    )
    mine = {
        a.version_id: a
        for a in VersionApproval.objects.filter(
            version__in=[v.pk for v in rows], approver=user, role=ApprovalRole.CLIENT
        )
    }
    for v in rows:
        v.my_decision = mine.get(v.pk)  # type: ignore[attr-defined]
    return rows


def client_version(user: Any, pk: int) -> tuple[ArticleVersion, VersionApproval | None]:
    """One version as its client sees it (404 for anybody else), with their decision."""
    version = (
        ArticleVersion.objects.for_client(user).select_related("article", "author").filter(pk=pk).first()
    )
    if version is None:
        raise Http404
    decision = VersionApproval.objects.filter(
        version=version, approver=user, role=ApprovalRole.CLIENT
    ).first()
    return version, decision


# --------------------------------------------------------------------------------------------------
# read acknowledgements of the current version

PENDING_ORDER = [SortKey("last_name"), SortKey("first_name"), SortKey("id")]
ACKNOWLEDGED_ORDER = [SortKey("acknowledged_at", descending=True), SortKey("id", descending=True)]


@dataclass(frozen=True)
class AcknowledgementCounts:
    expected: int  # subscribers who may read the article
    acknowledged: int  # of them, those who confirmed the current version
    pending: int
    total: int  # every confirmation of the current version, subscriber or not


def _acknowledged_user_ids(article: Article) -> Any:
    return ArticleAcknowledgement.objects.filter(version_id=article.current_version_id).values("user_id")


def acknowledgement_counts(article: Article) -> AcknowledgementCounts:
    """Two aggregate queries, whatever the number of readers."""
    if article.current_version_id is None:
        return AcknowledgementCounts(0, 0, 0, 0)
    figures = expected_readers(article).aggregate(
        expected=Count("pk"), acknowledged=Count("pk", filter=Q(pk__in=_acknowledged_user_ids(article)))
    )
    total = ArticleAcknowledgement.objects.filter(version_id=article.current_version_id).count()
    expected, acknowledged = figures["expected"], figures["acknowledged"]
    return AcknowledgementCounts(expected, acknowledged, expected - acknowledged, total)


def pending_readers(article: Article) -> UserQuerySet:
    """Expected readers who have not confirmed the current version (page with PENDING_ORDER)."""
    if article.current_version_id is None:
        return User.objects.none()
    return expected_readers(article).exclude(pk__in=_acknowledged_user_ids(article))


def acknowledgements_of(article: Article) -> QuerySet[ArticleAcknowledgement]:
    """Confirmations of the current version (page with ACKNOWLEDGED_ORDER)."""
    return ArticleAcknowledgement.objects.filter(version_id=article.current_version_id).select_related("user")


def has_acknowledged(article: Article, user: Any) -> bool:
    pk = getattr(user, "pk", None)
    return bool(
        article.current_version_id
        and pk is not None
        and ArticleAcknowledgement.objects.filter(version_id=article.current_version_id, user_id=pk).exists()
    )


# --------------------------------------------------------------------------------------------------
# the configuration items an article documents

CI_DOCUMENTS_SHOWN = 50  # articles listed in a CI page's section


def cis_of(article: Article, user: Any) -> list[ConfigurationItem]:
    """The CIs `article` documents, for staff (callers: none); one query."""
    if not access.is_staff(user):
        return []
    return list(
        ConfigurationItem.objects.filter(article_links__article=article)
        .select_related("ci_type")
        .order_by("name", "pk")[:MAX_CIS]
    )


def documents_of(ci: Any, user: Any) -> list[Article]:
    """The articles documenting `ci` that `user` may read (staff only), system documentation first,
    then by title; one query."""
    if not access.is_staff(user):
        return []
    rows = Article.objects.visible_to(user).filter(ci_links__ci_id=ci.pk)
    system_first = Case(
        When(kind=Kind.SYSTEM_DOC, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        rows.annotate(doc_order=system_first).order_by("doc_order", "title", "id")[:CI_DOCUMENTS_SHOWN]
    )


def ci_references(article: Article) -> str:
    """The article's CIs as the edit form takes them: each by its number (names may repeat)."""
    ids = ArticleCi.objects.filter(article=article).order_by("id").values_list("ci_id", flat=True)
    return ", ".join(str(pk) for pk in ids)


def ci_ids_from_text(text: str) -> list[int]:
    """The CIs typed in the edit form, comma-separated, each by its number (#12 or 12) or exact name
    (when one CI has it, case-insensitive); ValueError naming the ones not found."""
    parts = [p.strip() for p in (text or "").replace("\n", ",").split(",") if p.strip()]
    numbers = {p: parse_id(p.removeprefix("#")) for p in parts}
    names = [p for p, n in numbers.items() if n is None]
    by_pk = set(
        ConfigurationItem.objects.filter(pk__in=[n for n in numbers.values() if n]).values_list(
            "pk", flat=True
        )
    )
    by_name: dict[str, list[int]] = {}
    if names:
        lowered = {n.lower() for n in names}
        for pk, name in (
            ConfigurationItem.objects.annotate(lname=Lower("name"))
            .filter(lname__in=lowered)
            .values_list("pk", "name")
        ):
            by_name.setdefault(name.lower(), []).append(pk)
    found: list[int] = []
    unknown: list[str] = []
    for p in parts:
        number = numbers[p]
        if number is not None and number in by_pk:
            found.append(number)
        elif number is None and len(by_name.get(p.lower(), [])) == 1:
            found.append(by_name[p.lower()][0])
        else:
            unknown.append(p)
    if unknown:
        raise ValueError(", ".join(unknown))
    return list(dict.fromkeys(found))
