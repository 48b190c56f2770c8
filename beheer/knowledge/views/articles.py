"""The knowledge screens (operators) and the caller's knowledge pages in the portal.

Thin adapters: look the article up through visible_to (hidden -> 404), call one service, render or
redirect. Every action is a POST followed by a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import max_upload_mb
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import page_for_request

from .. import services
from ..forms import ApprovalForm, ArticleFilterForm, ArticleForm, AttachmentForm, PreviewForm
from ..models import DESIGN_KINDS, Article, ArticleVersion
from ..queries import (
    ORDER,
    ArticleFilter,
    approvals_of,
    attachments_of,
    ci_references,
    cis_of,
    client_approval,
    filter_articles,
    has_acknowledged,
    render_body,
    shown_version,
    versions_for,
    visible_article,
    visible_draft,
    visible_version,
)
from ..rendering import diff_lines

ACCESS = access.STAFF_HIDDEN  # callers never learn an article page exists

PAGE_SIZE = 50


def _list_context(request: HttpRequest, url_name: str) -> dict[str, Any]:
    form = ArticleFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    category = data.get("category")
    f = ArticleFilter(
        q=data.get("q") or "",
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        category=category.pk if category else None,
        review_overdue=data.get("review") == "overdue",
        ci=data.get("ci") if access.is_staff(request.user) else None,
    )
    qs = filter_articles(current_user(request), f).for_list()
    page = page_for_request(request, qs, ORDER, size=PAGE_SIZE)
    next_url = None
    if page.next_cursor:
        params = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
        next_url = reverse(url_name) + "?" + urlencode({**params, "cursor": page.next_cursor})
    return {
        "form": form,
        "page": page,
        "next_url": next_url,
        "is_first_page": page.is_first,
        "q": f.q,
        "today": timezone.localdate(clock.now()),
    }


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    return render(request, "knowledge/article_list.html", _list_context(request, "knowledge-list"))


def _article_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    user = current_user(request)
    shown = shown_version(article, user)
    if shown is None:
        raise Http404
    attachments = attachments_of(article, user)
    draft = visible_draft(article, user)
    context = {
        "article": article,
        "shown": shown,
        "attachments": attachments,
        "html": render_body(shown.body, attachments),
        "draft": draft,
        "review_required": services.review_required(article.kind),
        "cis": cis_of(article, user),
        **notice_context(article, user),
    }
    if article.is_design:
        approvals = approvals_of(article, user)
        newest = draft or article.current_version
        context.update(
            approvals=approvals,
            client_approval=client_approval(article, approvals, newest),
            decide_version=newest if newest is not None and newest.state in ("review", "published") else None,
            approval_form=ApprovalForm(),
        )
    return context


def notice_context(article: Article, user: Any) -> dict[str, Any]:
    """Review and read acknowledgement, as the article pages show them to `user`."""
    can_ack = services.can_acknowledge(article, user)
    acknowledged = can_ack and has_acknowledged(article, user)
    return {
        "can_mark_reviewed": article.status == "published" and services.can_mark_reviewed(article, user),
        "review_overdue": article.is_stale(timezone.localdate(clock.now())),
        "ask_acknowledgement": can_ack and not acknowledged,
        "acknowledged": acknowledged,
    }


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    return render(request, "knowledge/article_detail.html", _article_context(request, article))


def _form_initial(article: Article, user: Any) -> dict[str, Any]:
    draft = visible_draft(article, user)
    source = draft or article.current_version
    return {
        "version": article.version,
        "title": source.title if source else article.title,
        "kind": article.kind,
        "audience": source.audience if source else article.audience,
        "category": article.category_id,
        "tags": ", ".join(source.tag_list) if source else "",
        "body": source.body if source else "",
        "review_interval_days": article.review_interval_days,
        "change_note": draft.change_note if draft else "",
        "cis": ci_references(article),
        "client": article.client_id,
    }


def article_create(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind")
    initial = {"kind": kind, "body": services.template_body(kind)} if kind in DESIGN_KINDS else None
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            article = services.create_article(
                actor=current_user(request),
                title=d["title"],
                body=d["body"],
                kind=d["kind"],
                audience=d["audience"],
                category=d["category"],
                tags=d["tags"],
                review_interval_days=d["review_interval_days"],
                change_note=d["change_note"],
                ci_ids=d["cis"],
                client=d["client"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge-detail", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    form = ArticleForm(request.POST or None, initial=_form_initial(article, current_user(request)))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_draft(
                article,
                actor=current_user(request),
                expected_version=d["version"] or 0,
                title=d["title"],
                body=d["body"],
                kind=d["kind"],
                audience=d["audience"],
                category=d["category"],
                tags=d["tags"],
                review_interval_days=d["review_interval_days"],
                change_note=d["change_note"],
                ci_ids=d["cis"],
                client=d["client"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge-detail", pk=article.pk)
    return render(
        request,
        "knowledge/article_form.html",
        {
            "form": form,
            "article": article,
            "attachments": attachments_of(article, current_user(request)),
            "attachment_form": AttachmentForm(),
            "max_mb": max_upload_mb(),
        },
    )


@require_POST
def article_preview(request: HttpRequest) -> HttpResponse:
    form = PreviewForm(request.POST)
    html = ""
    if form.is_valid():
        pk = form.cleaned_data.get("article")
        article = Article.objects.visible_to(current_user(request)).filter(pk=pk).first() if pk else None
        html = render_body(
            form.cleaned_data["body"], attachments_of(article, current_user(request)) if article else []
        )
    return render(request, "knowledge/_preview.html", {"html": html})


ACTIONS = {
    "submit": (services.submit_for_review, gettext_lazy("Submitted for review.")),
    "approve": (services.approve_and_publish, gettext_lazy("Approved and published.")),
    "publish": (services.publish, gettext_lazy("Published.")),
    "archive": (services.archive, gettext_lazy("Archived.")),
    "reviewed": (services.mark_reviewed, gettext_lazy("Review recorded: the article is still current.")),
}


@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    try:
        expected = int(request.POST.get("version") or 0)
    except ValueError:
        expected = 0
    try:
        if action == "restore":
            if request.POST.get("confirm") != "1":
                raise DomainError(_("Confirm restoring this version."))
            try:
                number = int(request.POST.get("number") or 0)
            except ValueError:
                number = 0
            services.restore_version(
                article, actor=current_user(request), expected_version=expected, number=number
            )
            messages.success(request, _("The old version is now the draft; publish it to make it current."))
        elif action in ACTIONS:
            service, done = ACTIONS[action]
            service(article, actor=current_user(request), expected_version=expected)
            messages.success(request, str(done))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    if not Article.objects.visible_to(current_user(request)).filter(pk=pk).exists():
        return redirect("knowledge-list")
    return redirect("knowledge-detail", pk=pk)


@require_GET
def article_versions(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    versions = versions_for(article, current_user(request))
    return render(request, "knowledge/article_versions.html", {"article": article, "versions": versions})


def _version(request: HttpRequest, article: Article, number: Any) -> ArticleVersion:
    version = visible_version(article, current_user(request), number)
    if version is None:
        raise Http404
    return version


@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    version = _version(request, article, number)
    return render(
        request,
        "knowledge/version_detail.html",
        {
            "article": article,
            "version": version,
            "html": render_body(version.body, attachments_of(article, current_user(request))),
        },
    )


@require_GET
def article_diff(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    old = _version(request, article, request.GET.get("a"))
    new = _version(request, article, request.GET.get("b"))
    return render(
        request,
        "knowledge/article_diff.html",
        {
            "article": article,
            "old": old,
            "new": new,
            "title_changed": old.title != new.title,
            "tags_changed": old.tags != new.tags,
            "rows": diff_lines(old.body, new.body),
        },
    )


# --------------------------------------------------------------------------------------------------
# portal (callers; staff see the same pages with their own visibility)


@access.gate(access.SIGNED_IN)
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, "portal-knowledge")
    # the designs this person approves as client (views/designs.py) are found from here
    context["has_designs"] = ArticleVersion.objects.for_client(current_user(request)).exists()
    return render(request, "knowledge/portal_list.html", context)


@access.gate(access.SIGNED_IN)
@require_GET
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    if article.current_version_id is None:
        raise Http404
    context = _article_context(request, article)
    context["shown"] = article.current_version
    context["html"] = render_body(article.current_version.body, context["attachments"])  # type: ignore[union-attr]
    return render(request, "knowledge/portal_detail.html", context)
