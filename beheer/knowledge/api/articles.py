"""JSON adapter over the knowledge services, under /api/v1/knowledge. Thin: look up through
visible_to (hidden -> 404), call one service, serialise."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.api_helpers import act, find
from beheer.core.errors import NotFound
from beheer.core.files import protected_file_response
from beheer.core.pagination import keyset_page
from beheer.core.schemas import Id

from .. import services
from ..handbook import article_entry, build_handbook
from ..models import Article, ArticleAttachment, ArticleVersion, KnowledgeCategory
from ..pdf import article_pdf, handbook_pdf, pdf_response
from ..queries import (
    ORDER,
    ArticleFilter,
    attachments_of,
    cis_of,
    filter_articles,
    render_body,
    shown_version,
    versions_for,
    visible_draft,
    visible_version,
)
from ..rendering import diff_lines
from ..schemas import (
    ArticleActionOut,
    ArticleAttachmentOut,
    ArticleCisIn,
    ArticleDetailOut,
    ArticleDiffOut,
    ArticleIn,
    ArticleListParams,
    ArticlePage,
    ArticleVersionIn,
    ArticleVersionOut,
    DraftIn,
    RestoreIn,
    errors,
    file_answer,
)

PUBLISHED_IN = "beheer.knowledge.api"  # the operation ids of before the move (beheer/api.py)

router = access.declare(Router(tags=["knowledge"]), access.SIGNED_IN)


def _visible(request: HttpRequest, pk: int) -> Article:
    article = (
        Article.objects.visible_to(request.user)
        .select_related("category", "owner", "client")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise NotFound(_("Article not found."))
    return article


def _category(pk: int | None) -> KnowledgeCategory | None:
    return find(KnowledgeCategory.objects.all(), pk, "category", _("Category not found."))


def _client(pk: int | None) -> User | None:
    return find(User.objects.filter(is_active=True), pk, "client", _("Person not found."))


def article_out(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "audience": a.audience,
        "status": a.status,
        "archived": a.is_archived,
        "category": {"id": a.category.pk, "name": a.category.name} if a.category else None,
        "tags": a.tag_list,
        "owner": {"id": a.owner.pk, "name": str(a.owner)},
        "client": {"id": a.client.pk, "name": str(a.client)} if a.client_id and a.client else None,
        "next_review_on": a.next_review_on.isoformat() if a.next_review_on else None,
        "review_overdue": a.is_stale(timezone.localdate(clock.now())),
        "last_reviewed_at": a.last_reviewed_at.isoformat() if a.last_reviewed_at else None,
        "requires_acknowledgement": a.acknowledgement_required,
        "version": a.version,
        "updated_at": a.updated_at.isoformat(),
    }


def version_out(
    v: ArticleVersion, *, body: bool = False, attachments: list[ArticleAttachment] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": v.number,
        "state": v.state,
        "title": v.title,
        "tags": v.tag_list,
        "audience": v.audience,
        "change_note": v.change_note,
        "author": str(v.author),
        "created_at": v.created_at.isoformat(),
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "approved_by": str(v.approved_by) if v.approved_by else None,
    }
    if body:
        out["body"] = v.body
        out["html"] = render_body(v.body, attachments or [])
    return out


def attachment_out(a: ArticleAttachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "is_image": a.is_image,
        "markdown": a.markdown,
        "created_at": a.created_at.isoformat(),
        "download_url": reverse("api:knowledge_download_attachment", args=[a.pk]),
    }


def detail_out(a: Article, user: Any) -> dict[str, Any]:
    shown = shown_version(a, user)
    if shown is None:
        raise NotFound(_("Article not found."))
    files = attachments_of(a, user)
    out = article_out(a)
    out["title"] = shown.title
    out["shown_version"] = version_out(shown, body=True, attachments=files)
    out["body"] = shown.body
    out["html"] = render_body(shown.body, files)
    out["attachments"] = [attachment_out(f) for f in files]
    cis = cis_of(a, user)
    out["ci_ids"] = [ci.pk for ci in cis]
    out["cis"] = [{"id": ci.pk, "name": ci.name} for ci in cis]
    draft = visible_draft(a, user)
    if draft is not None:
        out["draft"] = version_out(draft, body=True, attachments=files)
    return out


@router.get("/articles", response={200: ArticlePage, **errors(400)})
def list_articles(request: HttpRequest, params: Query[ArticleListParams]) -> dict[str, Any]:
    f = ArticleFilter(
        q=params.q,
        kind=params.kind,
        status=params.status,
        audience=params.audience,
        category=params.category,
        review_overdue=params.review_overdue,
        ci=params.ci,
    )
    qs = filter_articles(request.user, f).for_list()
    page = keyset_page(qs, ORDER, cursor=params.cursor, size=max(1, min(params.size, 200)))
    return {"items": [article_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.get("/articles/{article_id}", response={200: ArticleDetailOut, **errors(404)}, exclude_unset=True)
def get_article(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    return detail_out(_visible(request, article_id), request.user)


@router.post("/articles", response={201: ArticleDetailOut, **errors(400, 403, 404)}, exclude_unset=True)
def create_article(request: HttpRequest, payload: ArticleIn) -> Answer:
    article = services.create_article(
        actor=current_user(request),
        title=payload.title,
        body=payload.body,
        kind=payload.kind,
        audience=payload.audience,
        category=_category(payload.category),
        tags=payload.tags,
        review_interval_days=payload.review_interval_days,
        change_note=payload.change_note,
        ci_ids=payload.ci_ids,
        client=_client(payload.client),
    )
    return Answer(201, detail_out(_visible(request, article.pk), request.user))


DETAIL_CHANGED = {200: ArticleDetailOut, **errors(400, 403, 404, 409)}
ACTION = {200: ArticleActionOut, **errors(400, 403, 404, 409)}


def _change(
    request: HttpRequest, article: Article, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """`service` on the article with the version the client read; the article's detail after it."""
    article = act(request, article, service, version, **fields)
    return detail_out(_visible(request, article.pk), request.user)


@router.put("/articles/{article_id}/draft", response=DETAIL_CHANGED, exclude_unset=True)
def update_draft(request: HttpRequest, article_id: Id, payload: DraftIn) -> dict[str, Any]:
    return _change(
        request,
        _visible(request, article_id),
        services.save_draft,
        payload.version,
        title=payload.title,
        body=payload.body,
        kind=payload.kind,
        audience=payload.audience,
        category=_category(payload.category),
        tags=payload.tags,
        review_interval_days=payload.review_interval_days,
        change_note=payload.change_note,
        ci_ids=payload.ci_ids,
        client=_client(payload.client),
    )


@router.put("/articles/{article_id}/cis", response=DETAIL_CHANGED, exclude_unset=True)
def set_cis(request: HttpRequest, article_id: Id, payload: ArticleCisIn) -> dict[str, Any]:
    """The configuration items the article documents, replaced; no new version of the text."""
    article = services.set_article_cis(
        _visible(request, article_id), actor=current_user(request), ci_ids=payload.ci_ids
    )
    return detail_out(_visible(request, article.pk), request.user)


def _act(request: HttpRequest, article_id: int, service: Any, version: int) -> dict[str, Any]:
    """A step in the article's life; the detail after it, or only the article when the step took it
    out of the reader's sight."""
    article = act(request, _visible(request, article_id), service, version)
    visible = Article.objects.visible_to(request.user).filter(pk=article.pk).first()
    return detail_out(visible, request.user) if visible else article_out(article)


@router.post("/articles/{article_id}/submit", response=ACTION, exclude_unset=True)
def submit(request: HttpRequest, article_id: Id, payload: ArticleVersionIn) -> dict[str, Any]:
    return _act(request, article_id, services.submit_for_review, payload.version)


@router.post("/articles/{article_id}/approve", response=ACTION, exclude_unset=True)
def approve(request: HttpRequest, article_id: Id, payload: ArticleVersionIn) -> dict[str, Any]:
    return _act(request, article_id, services.approve_and_publish, payload.version)


@router.post("/articles/{article_id}/publish", response=ACTION, exclude_unset=True)
def publish(request: HttpRequest, article_id: Id, payload: ArticleVersionIn) -> dict[str, Any]:
    return _act(request, article_id, services.publish, payload.version)


@router.post("/articles/{article_id}/reviewed", response=ACTION, exclude_unset=True)
def reviewed(request: HttpRequest, article_id: Id, payload: ArticleVersionIn) -> dict[str, Any]:
    """The owner, a coordinator or an administrator confirms the published text is still current."""
    return _act(request, article_id, services.mark_reviewed, payload.version)


@router.post("/articles/{article_id}/archive", response=ACTION, exclude_unset=True)
def archive(request: HttpRequest, article_id: Id, payload: ArticleVersionIn) -> dict[str, Any]:
    return _act(request, article_id, services.archive, payload.version)


@router.post("/articles/{article_id}/restore", response=DETAIL_CHANGED, exclude_unset=True)
def restore(request: HttpRequest, article_id: Id, payload: RestoreIn) -> dict[str, Any]:
    article = _visible(request, article_id)
    return _change(request, article, services.restore_version, payload.version, number=payload.number)


@access.gate(access.STAFF_HIDDEN)  # callers never learn an article has versions
@router.get("/articles/{article_id}/versions", response={200: list[ArticleVersionOut], **errors(404)})
def versions(request: HttpRequest, article_id: Id) -> list[dict[str, Any]]:
    article = _visible(request, article_id)
    return [version_out(v) for v in versions_for(article, request.user)]


@access.gate(access.STAFF_HIDDEN)  # callers never learn an article has versions
@router.get("/articles/{article_id}/diff", response={200: ArticleDiffOut, **errors(404)})
def diff(request: HttpRequest, article_id: Id, a: Id, b: Id) -> dict[str, Any]:
    article = _visible(request, article_id)
    old, new = visible_version(article, request.user, a), visible_version(article, request.user, b)
    if old is None or new is None:
        raise NotFound(_("Version not found."))
    return {
        "old": version_out(old),
        "new": version_out(new),
        "lines": [
            {"op": r.op, "old_number": r.old_number, "new_number": r.new_number, "text": r.text}
            for r in diff_lines(old.body, new.body)
        ],
    }


# --------------------------------------------------------------------------------------------------
# attachments, PDF


@router.get("/articles/{article_id}/attachments", response={200: list[ArticleAttachmentOut], **errors(404)})
def list_attachments(request: HttpRequest, article_id: Id) -> list[dict[str, Any]]:
    return [attachment_out(a) for a in attachments_of(_visible(request, article_id), request.user)]


@router.post(
    "/articles/{article_id}/attachments", response={201: ArticleAttachmentOut, **errors(400, 403, 404, 409)}
)
def upload_attachment(request: HttpRequest, article_id: Id, file: File[UploadedFile]) -> Answer:
    attachment = services.add_attachment(
        _visible(request, article_id), upload=file, actor=current_user(request)
    )
    return Answer(201, attachment_out(attachment))


@router.delete(
    "/articles/{article_id}/attachments/{attachment_id}",
    response={204: None, **errors(403, 404, 409)},
)
def delete_attachment(request: HttpRequest, article_id: Id, attachment_id: Id) -> Answer:
    article = _visible(request, article_id)
    attachment = ArticleAttachment.objects.filter(pk=attachment_id, article=article).first()
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    services.remove_attachment(attachment, actor=current_user(request))
    return Answer(204, None)


@router.get(
    "/attachments/{attachment_id}",
    url_name="knowledge_download_attachment",
    summary="Download an attachment",
    response=errors(404),
    openapi_extra=file_answer("*/*", "The file, with the type sniffed when it was uploaded"),
)
def download_attachment(request: HttpRequest, attachment_id: Id, download: bool = False) -> FileResponse:
    attachment = ArticleAttachment.objects.visible_to(request.user).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    return protected_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=not download,
    )


@router.get(
    "/articles/{article_id}/pdf",
    summary="The article as PDF",
    response=errors(404),
    openapi_extra=file_answer("application/pdf", "The article as PDF"),
)
def article_pdf_download(request: HttpRequest, article_id: Id) -> HttpResponse:
    article = _visible(request, article_id)
    version = shown_version(article, request.user)
    if version is None:
        raise NotFound(_("Article not found."))
    content = article_pdf(article_entry(article, version, request.user), generated=timezone.now())
    return pdf_response(content, f"article-{article.pk}.pdf")


@router.get(
    "/categories/{category_id}/handbook.pdf",
    summary="A category with its sub-categories as a PDF handbook",
    response=errors(404),
    openapi_extra=file_answer("application/pdf", "The handbook as PDF"),
)
def handbook_pdf_download(request: HttpRequest, category_id: Id) -> HttpResponse:
    category = _category(category_id)
    assert category is not None
    content = handbook_pdf(build_handbook(category, request.user), generated=timezone.now())
    return pdf_response(content, f"handbook-{category.pk}.pdf")
