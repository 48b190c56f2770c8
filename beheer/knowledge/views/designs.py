"""Design documents: the template screens (coordinators), a reviewer's decision on a version, and the
client's approval pages in the portal.

The portal pages show only the design versions waiting for the signed-in person's decision as the
client named on the document, and those they decided on (ArticleVersion.objects.for_client);
nothing else of the knowledge base opens by this route: any other version answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors

from .. import services
from ..forms import ApprovalForm, TemplateForm
from ..models import ApprovalRole, DocumentTemplate, DocumentTemplateHistoryEntry
from ..queries import client_version, client_versions, render_body, visible_article, visible_version

ACCESS = access.STAFF_HIDDEN  # callers never learn a design exists (the portal pages say otherwise)


# --------------------------------------------------------------------------------------------------
# templates (coordinators)


@access.gate(access.COORDINATORS)
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = DocumentTemplate.objects.visible_to(current_user(request)).prefetch_related("sections")
    return render(request, "knowledge/design_templates.html", {"templates": templates})


@access.gate(access.COORDINATORS)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = DocumentTemplate.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if template is None:
        raise Http404
    sections = list(template.sections.order_by("position", "id"))
    form = TemplateForm(request.POST or None, sections=sections, initial={"version": template.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_template(
                template,
                actor=current_user(request),
                expected_version=form.cleaned_data["version"],
                sections=[services.SectionData(**values) for values in form.sections()],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("knowledge-design-template", pk=template.pk)
    trail = DocumentTemplateHistoryEntry.objects.visible_to(current_user(request)).of(template)
    return render(
        request,
        "knowledge/design_template_form.html",
        {"template": template, "form": form, **history.screen_page(request, trail)},
    )


# --------------------------------------------------------------------------------------------------
# a reviewer's decision on a version (operators)


@require_POST
def version_decide(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    version = visible_version(article, current_user(request), number)
    if version is None:
        raise Http404
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("knowledge-detail", pk=pk)
    try:
        services.approve_version(
            version,
            actor=current_user(request),
            role=ApprovalRole.REVIEWER,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your decision on version %(n)d is recorded.") % {"n": version.number})
    return redirect("knowledge-detail", pk=pk)


# --------------------------------------------------------------------------------------------------
# the client's pages in the portal


@access.gate(access.SIGNED_IN)
@require_GET
def portal_designs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "knowledge/portal_designs.html", {"versions": client_versions(current_user(request))}
    )


@access.gate(access.SIGNED_IN)
def portal_design(request: HttpRequest, pk: int) -> HttpResponse:
    version, decision = client_version(current_user(request), pk)
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and decision is None and form.is_valid():
        if request.POST.get("confirm") != "1":
            form.add_error(None, _("Confirm your decision."))
        else:
            try:
                services.approve_version(
                    version,
                    actor=current_user(request),
                    role=ApprovalRole.CLIENT,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your decision is recorded."))
                return redirect("portal-design", pk=version.pk)
    return render(
        request,
        "knowledge/portal_design.html",
        {
            "version": version,
            "article": version.article,
            "decision": decision,
            "can_decide": decision is None and version.state in ("review", "published"),
            "form": form,
            "html": render_body(version.body, []),
        },
    )
