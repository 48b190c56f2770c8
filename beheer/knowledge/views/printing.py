"""Attachments of an article (download, the editor's panel) and the print views: one article and a
section handbook, as printable HTML pages and as PDF.

Every route looks the article up through `visible_to`; an attachment of an article the user may not
read answers 404, exactly as an attachment that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import max_upload_mb, protected_file_response
from beheer.core.forms import place_domain_errors
from beheer.core.htmx import is_htmx, trigger

from .. import services
from ..forms import AttachmentForm
from ..handbook import Entry, article_entry, build_handbook
from ..models import Article, ArticleAttachment, KnowledgeCategory
from ..pdf import article_pdf, handbook_pdf, pdf_response
from ..queries import attachments_of, shown_version, visible_article

ACCESS = access.SIGNED_IN


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = ArticleAttachment.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("Attachment not found."))
    return protected_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=request.GET.get("download") != "1",
    )


def _panel(
    request: HttpRequest, article: Article, form: AttachmentForm | None = None, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "knowledge/_attachments.html",
        {
            "article": article,
            "attachments": attachments_of(article, current_user(request)),
            "attachment_form": form or AttachmentForm(),
            "max_mb": max_upload_mb(),
            "error": error,
        },
    )


@access.gate(access.STAFF_HIDDEN)
@require_GET
def attachment_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, visible_article(current_user(request), pk))


@access.gate(access.STAFF_HIDDEN)
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(article, upload=form.cleaned_data["file"], actor=current_user(request))
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            form = AttachmentForm()
            if not is_htmx(request):
                messages.success(request, _("The attachment has been added."))
    if not is_htmx(request):
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("knowledge-edit", pk=pk)
    return trigger(_panel(request, article, form), "kb-attachments-changed")


@access.gate(access.STAFF_HIDDEN)
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    attachment = get_object_or_404(ArticleAttachment, pk=attachment_pk, article=article)
    error = ""
    try:
        if request.POST.get("confirm") != "1":
            raise DomainError(_("Confirm removing this attachment."))
        services.remove_attachment(attachment, actor=current_user(request))
    except DomainError as exc:
        error = exc.message
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The attachment has been removed."))
        return redirect("knowledge-edit", pk=pk)
    return trigger(_panel(request, article, error=error), "kb-attachments-changed")


def _entry(request: HttpRequest, pk: int) -> Entry:
    article = visible_article(current_user(request), pk)
    version = shown_version(article, current_user(request))
    if version is None:
        raise Http404
    return article_entry(article, version, current_user(request))


@require_GET
def article_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "knowledge/article_print.html", {"entry": _entry(request, pk)})


@require_GET
def article_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    return pdf_response(article_pdf(entry, generated=timezone.now()), f"article-{entry.article.pk}.pdf")


def _handbook_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    category = get_object_or_404(KnowledgeCategory, pk=pk)
    return {"handbook": build_handbook(category, current_user(request)), "generated": timezone.now()}


@require_GET
def handbook_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "knowledge/handbook_print.html", _handbook_context(request, pk))


@require_GET
def handbook_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = _handbook_context(request, pk)
    content = handbook_pdf(context["handbook"], generated=context["generated"])
    return pdf_response(content, f"handbook-{pk}.pdf")
