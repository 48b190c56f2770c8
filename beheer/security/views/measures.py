"""The measures register's pages (staff): the control list, a control with its line of the
statement of applicability, its implementations and their evidence and its history; own controls;
implementations and evidence files. A write is a POST followed by a redirect; a bad form is shown
again with its errors (status 400). The statement of applicability is in `measures_soa.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, clock, files, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import page_for_request

from ..access import manages_register
from ..forms_measures import (
    ApplicabilityForm,
    ControlFilterForm,
    EvidenceUploadForm,
    ImplementationForm,
    OwnControlForm,
    ReviewedForm,
)
from ..models import CatalogueKind, Control, ControlHistoryEntry, EvidenceFile, Implementation
from ..services import measures as services
from ..services.measures import reading
from ..services.measures._base import may_edit_implementation
from .nav import page_context

ACCESS = access.STAFF_HIDDEN
PAGE_SIZE = 50


def _control(request: HttpRequest, control_id: int) -> Control:
    found = (
        Control.objects.visible_to(current_user(request))
        .select_related("catalogue", "parent")
        .filter(pk=control_id)
        .first()
    )
    if found is None:
        raise Http404(_("Control not found."))
    return found


def _implementation(request: HttpRequest, implementation_id: int) -> Implementation:
    found = (
        Implementation.objects.visible_to(current_user(request))
        .for_list()
        .filter(pk=implementation_id)
        .first()
    )
    if found is None:
        raise Http404(_("Implementation not found."))
    return found


def _run(form: Any, call: Callable[[dict[str, Any]], Any]) -> Any:
    """`call` with the form's cleaned data; None (with the errors on the form) when refused."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data) or True
    except DomainError as exc:
        place_domain_errors(form, exc)
        return None


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {**page_context(request, "security-controls"), **context}, status=status)


# -- the control list ---------------------------------------------------------------------------------


@require_GET
def control_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = ControlFilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    catalogue = data.get("catalogue")
    rows = reading.controls(user, catalogue=catalogue, theme=data.get("theme") or "", q=data.get("q") or "")
    page = page_for_request(request, rows, reading.CONTROL_ORDER, size=PAGE_SIZE)
    reading.count_implementations(page.items)
    query: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
    next_url = f"?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else None
    return _page(
        request,
        "security/measures/controls.html",
        {
            "form": form,
            "page": page,
            "next_url": next_url,
            "catalogue": catalogue or services.current_catalogue(),
            "can_manage": manages_register(user),
        },
    )


# -- one control --------------------------------------------------------------------------------------


@require_GET
def control_detail(request: HttpRequest, control_id: int) -> HttpResponse:
    user = current_user(request)
    control = _control(request, control_id)
    statement = getattr(control, "statement", None) if hasattr(control, "statement") else None
    views = reading.control_implementations(user, control, clock.now())
    for view in views:
        view.editable = may_edit_implementation(user, view.implementation)  # type: ignore[attr-defined]
    return _page(
        request,
        "security/measures/control.html",
        {
            "control": control,
            "statement": statement,
            "sub_items": list(control.sub_items.filter(active=True).order_by("sort_key")),
            "implementations": views,
            "can_manage": manages_register(user),
            "is_own": control.catalogue.kind == CatalogueKind.OWN,
            "today": timezone.localdate(clock.now()),
            **history.subject_screen_page(request, ControlHistoryEntry, control),
        },
    )


# -- own controls -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def own_control_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = OwnControlForm(request.POST or None)
    if request.method == "POST":
        made = _run(
            form,
            lambda d: services.create_own_control(actor=user, title_nl=d["title_nl"], title_en=d["title_en"]),
        )
        if made:
            messages.success(request, _("Own control %(n)s created.") % {"n": made.number})
            return redirect("security-control", made.pk)
        return _page(request, "security/measures/own_control_form.html", {"form": form}, 400)
    if not manages_register(user):
        raise Http404(_("Page not found."))
    return _page(request, "security/measures/own_control_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def own_control_edit(request: HttpRequest, control_id: int) -> HttpResponse:
    user = current_user(request)
    control = _control(request, control_id)
    if control.catalogue.kind != CatalogueKind.OWN:
        raise Http404(_("Control not found."))
    if request.method == "POST":
        form = OwnControlForm(request.POST)
        if _run(
            form,
            lambda d: services.edit_own_control(
                control,
                actor=user,
                expected_version=d["version"],
                title_nl=d["title_nl"],
                title_en=d["title_en"],
            ),
        ):
            messages.success(request, _("Control saved."))
            return redirect("security-control", control.pk)
        return _page(
            request, "security/measures/own_control_form.html", {"form": form, "control": control}, 400
        )
    form = OwnControlForm(
        initial={"title_nl": control.title_nl, "title_en": control.title_en, "version": control.version}
    )
    return _page(request, "security/measures/own_control_form.html", {"form": form, "control": control})


@require_POST
def own_control_active(request: HttpRequest, control_id: int) -> HttpResponse:
    control = _control(request, control_id)
    active = request.POST.get("active") == "1"
    try:
        services.set_control_active(
            control, actor=current_user(request), expected_version=control.version, active=active
        )
        messages.success(request, _("Control restored.") if active else _("Control archived."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("security-control", control.pk)


@require_POST
def control_applicability(request: HttpRequest, control_id: int) -> HttpResponse:
    """The control page's own form for its line of the statement of applicability."""
    control = _control(request, control_id)
    form = ApplicabilityForm(request.POST)
    if _run(
        form,
        lambda d: services.set_applicability(
            control,
            actor=current_user(request),
            applicability=d["applicability"],
            justification=d["justification"],
            expected_version=d["version"],
        ),
    ):
        messages.success(request, _("Statement of applicability saved."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("security-control", control.pk)


# -- implementations ----------------------------------------------------------------------------------


def _chosen(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": d["status"],
        "owner": d["owner"],
        "description": d["description"],
        "review_on": d["review_on"],
        "articles": list(d["articles"]),
        "series": list(d["series"]),
    }


@require_http_methods(["GET", "POST"])
def implementation_new(request: HttpRequest, control_id: int) -> HttpResponse:
    user = current_user(request)
    control = _control(request, control_id)
    form = ImplementationForm(request.POST or None, user=user)
    context = {"form": form, "control": control}
    if request.method == "POST":
        if _run(
            form,
            lambda d: services.create_implementation(
                control, actor=user, scope_ci=d["scope_ci"], **_chosen(d)
            ),
        ):
            messages.success(request, _("Implementation added."))
            return redirect("security-control", control.pk)
        return _page(request, "security/measures/implementation_form.html", context, 400)
    return _page(request, "security/measures/implementation_form.html", context)


@require_http_methods(["GET", "POST"])
def implementation_edit(request: HttpRequest, implementation_id: int) -> HttpResponse:
    user = current_user(request)
    implementation = _implementation(request, implementation_id)
    control = implementation.control
    if request.method == "POST":
        form = ImplementationForm(request.POST, user=user, with_scope=False)
        if _run(
            form,
            lambda d: services.update_implementation(
                implementation, actor=user, expected_version=d["version"], **_chosen(d)
            ),
        ):
            messages.success(request, _("Implementation saved."))
            return redirect("security-control", control.pk)
        context = {"form": form, "control": control, "implementation": implementation}
        return _page(request, "security/measures/implementation_form.html", context, 400)
    form = ImplementationForm(
        initial={
            "status": implementation.status,
            "owner": implementation.owner,
            "description": implementation.description,
            "review_on": implementation.review_on,
            "articles": list(implementation.articles.all()),
            "series": list(implementation.series.all()),
            "version": implementation.version,
        },
        user=user,
        with_scope=False,
    )
    context = {"form": form, "control": control, "implementation": implementation}
    return _page(request, "security/measures/implementation_form.html", context)


@require_POST
def implementation_reviewed(request: HttpRequest, implementation_id: int) -> HttpResponse:
    implementation = _implementation(request, implementation_id)
    form = ReviewedForm(request.POST)
    if _run(
        form,
        lambda d: services.mark_reviewed(
            implementation,
            actor=current_user(request),
            expected_version=d["version"],
            next_review_on=d["next_review_on"],
        ),
    ):
        messages.success(request, _("Review recorded."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(
        reverse("security-control", args=[implementation.control_id]) + f"#impl-{implementation.pk}"
    )


@require_POST
def evidence_upload(request: HttpRequest, implementation_id: int) -> HttpResponse:
    implementation = _implementation(request, implementation_id)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if _run(
        form,
        lambda d: services.add_evidence_file(implementation, actor=current_user(request), upload=d["file"]),
    ):
        messages.success(request, _("Evidence file added."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(
        reverse("security-control", args=[implementation.control_id]) + f"#impl-{implementation.pk}"
    )


def _evidence(request: HttpRequest, file_id: int) -> EvidenceFile:
    found = (
        EvidenceFile.objects.visible_to(current_user(request))
        .select_related("implementation")
        .filter(pk=file_id)
        .first()
    )
    if found is None:
        raise Http404(_("File not found."))
    return found


@require_GET
def evidence_download(request: HttpRequest, file_id: int) -> Any:
    found = _evidence(request, file_id)
    return files.protected_file_response(
        found.file, filename=found.original_name, content_type=found.content_type
    )


@require_POST
def evidence_delete(request: HttpRequest, file_id: int) -> HttpResponse:
    found = _evidence(request, file_id)
    try:
        services.remove_evidence_file(found, actor=current_user(request))
        messages.success(request, _("Evidence file removed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    implementation = found.implementation
    return redirect(
        reverse("security-control", args=[implementation.control_id]) + f"#impl-{implementation.pk}"
    )


urlpatterns = [
    path("security/controls/", control_list, name="security-controls"),
    path("security/controls/own/new/", own_control_new, name="security-own-control-new"),
    path("security/controls/<int:control_id>/", control_detail, name="security-control"),
    path("security/controls/<int:control_id>/edit/", own_control_edit, name="security-own-control-edit"),
    path(
        "security/controls/<int:control_id>/active/", own_control_active, name="security-own-control-active"
    ),
    path(
        "security/controls/<int:control_id>/applicability/",
        control_applicability,
        name="security-control-applicability",
    ),
    path(
        "security/controls/<int:control_id>/implementations/new/",
        implementation_new,
        name="security-implementation-new",
    ),
    path(
        "security/implementations/<int:implementation_id>/edit/",
        implementation_edit,
        name="security-implementation-edit",
    ),
    path(
        "security/implementations/<int:implementation_id>/reviewed/",
        implementation_reviewed,
        name="security-implementation-reviewed",
    ),
    path(
        "security/implementations/<int:implementation_id>/files/",
        evidence_upload,
        name="security-evidence-upload",
    ),
    path("security/evidence/<int:file_id>/", evidence_download, name="security-evidence-download"),
    path("security/evidence/<int:file_id>/delete/", evidence_delete, name="security-evidence-delete"),
]
