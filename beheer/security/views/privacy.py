"""The privacy pages (AVG): the register of processing activities with its export, the retention
periods with the runs of the anonymisation job, and the requests of the people concerned (find a
person, export their data, anonymise them after a confirmation page). Staff read; privacy officers
and administrators write (the services check)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.accounts.models import User
from beheer.core import access, clock, table_export
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.history import subject_screen_page
from beheer.core.pagination import SortKey, page_for_request
from beheer.core.pdf import pdf_response

from .. import access as security_access
from ..forms_privacy import ActivityForm, EraseForm, ExportForm, RetentionForm
from ..models import (
    AnonymisationRun,
    LegalBasis,
    PersonRequest,
    ProcessingActivity,
    ProcessingHistoryEntry,
    RetentionKind,
)
from ..services import privacy as services
from .nav import page_context

ACCESS = access.STAFF_HIDDEN

PAGE_SIZE = 50
ACTIVITY_ORDER = (SortKey("name"), SortKey("id"))
RUN_ORDER = (SortKey("started_at", descending=True), SortKey("id", descending=True))
REQUEST_ORDER = (SortKey("done_at", descending=True), SortKey("id", descending=True))
EXPORT_HEADER = (
    "name",
    "purpose",
    "legal_basis",
    "legal_basis_note",
    "people_categories",
    "data_categories",
    "special_categories",
    "recipients",
    "transfer_outside_eu",
    "transfer_safeguards",
    "retention",
    "applications",
    "measures",
    "owner",
    "review_date",
    "active",
)


def _context(request: HttpRequest, current: str, **values: Any) -> dict[str, Any]:
    return {
        **page_context(request, current),
        "manages_privacy": security_access.manages_privacy(request.user),
        **values,
    }


def dashboard_section(user: Any) -> dict[str, Any]:
    """The privacy section of the security dashboard: the register's size, activities due for
    review, the last run of the retention job."""
    figures = ProcessingActivity.objects.visible_to(user).aggregate(
        n_active=Count("id", filter=Q(active=True)),
        n_due=Count("id", filter=Q(active=True, review_date__lte=clock.now().date())),
    )
    last = AnonymisationRun.objects.visible_to(user).order_by("-started_at", "-id").first()
    return {"activities": figures["n_active"], "due": figures["n_due"], "last_run": last}


def _activity(request: HttpRequest, activity_pk: int) -> ProcessingActivity:
    found = (
        ProcessingActivity.objects.visible_to(request.user)
        .filter(pk=activity_pk)
        .select_related("owner")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _person(request: HttpRequest, person_pk: int) -> User:
    found = User.objects.visible_to(request.user).filter(pk=person_pk).first()
    if found is None:
        raise Http404
    return found


# -- the register -----------------------------------------------------------------------------------


@require_GET
def processing_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    rows = ProcessingActivity.objects.visible_to(request.user).select_related("owner")
    if show != "all":
        rows = rows.filter(active=True)
    page = page_for_request(request, rows, ACTIVITY_ORDER, size=PAGE_SIZE)
    return render(
        request,
        "security/privacy/processing_list.html",
        _context(request, "security-processing", page=page, show=show),
    )


def _export_rows(user: Any) -> Iterator[list[Any]]:
    rows = (
        ProcessingActivity.objects.visible_to(user)
        .select_related("owner")
        .prefetch_related("applications", "measures")
    )
    for activity in table_export.keyset_rows(rows, ACTIVITY_ORDER, batch=500):
        yield [
            activity.name,
            activity.purpose,
            str(LegalBasis(activity.legal_basis).label),
            activity.legal_basis_note,
            activity.people_categories,
            activity.data_categories,
            _("yes") if activity.special_categories else _("no"),
            activity.recipients,
            _("yes") if activity.transfer_outside_eu else _("no"),
            activity.transfer_safeguards,
            activity.retention,
            ", ".join(sorted(ci.name for ci in activity.applications.all())),
            ", ".join(sorted(c.number for c in activity.measures.all())),
            str(activity.owner) if activity.owner else "",
            activity.review_date,
            _("yes") if activity.active else _("no"),
        ]


@require_GET
def processing_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    fmt: table_export.Format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_export.response(
        fmt,
        "verwerkingsregister",
        EXPORT_HEADER,
        _export_rows(request.user),
        sheet=_("Processing register"),
    )


def _data(form: ActivityForm) -> services.ActivityData:
    d = form.cleaned_data
    return services.ActivityData(
        name=d["name"],
        purpose=d["purpose"],
        legal_basis=d["legal_basis"],
        legal_basis_note=d.get("legal_basis_note") or "",
        people_categories=d["people_categories"],
        data_categories=d["data_categories"],
        special_categories=bool(d.get("special_categories")),
        recipients=d.get("recipients") or "",
        transfer_outside_eu=bool(d.get("transfer_outside_eu")),
        transfer_safeguards=d.get("transfer_safeguards") or "",
        retention=d["retention"],
        owner=d.get("owner"),
        review_date=d.get("review_date"),
        applications=tuple(d.get("applications") or ()),
        measures=tuple(d.get("measures") or ()),
    )


def _edit(
    request: HttpRequest,
    activity: ProcessingActivity | None,
    save: Callable[[services.ActivityData, int | None], Any],
) -> HttpResponse:
    user = current_user(request)
    if not security_access.manages_privacy(user):
        raise Http404
    if request.method == "POST":
        form = ActivityForm(request.POST, user=user)
        if form.is_valid():
            try:
                saved = save(_data(form), form.cleaned_data.get("version"))
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Processing activity saved."))
                return redirect("security-processing-detail", activity_pk=saved.pk)
    elif activity is not None:
        initial = {
            name: getattr(activity, name) for name in ActivityForm.base_fields if hasattr(activity, name)
        }
        initial["applications"] = list(activity.applications.all())
        initial["measures"] = list(activity.measures.all())
        form = ActivityForm(initial=initial, user=user)
    else:
        form = ActivityForm(user=user)
    return render(
        request,
        "security/privacy/processing_form.html",
        _context(request, "security-processing", form=form, activity=activity),
    )


@require_http_methods(["GET", "POST"])
def processing_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _edit(request, None, lambda data, _version: services.create_activity(data, actor=user))


@require_http_methods(["GET", "POST"])
def processing_edit(request: HttpRequest, activity_pk: int) -> HttpResponse:
    user = current_user(request)
    activity = _activity(request, activity_pk)
    return _edit(
        request,
        activity,
        lambda data, version: services.update_activity(
            activity, actor=user, expected_version=version, data=data
        ),
    )


@require_GET
def processing_detail(request: HttpRequest, activity_pk: int) -> HttpResponse:
    activity = _activity(request, activity_pk)
    return render(
        request,
        "security/privacy/processing_detail.html",
        _context(
            request,
            "security-processing",
            activity=activity,
            applications=activity.applications.order_by("name"),
            measures=activity.measures.order_by("sort_key"),
            **subject_screen_page(request, ProcessingHistoryEntry, activity),
        ),
    )


@require_POST
def processing_active(request: HttpRequest, activity_pk: int) -> HttpResponse:
    activity = _activity(request, activity_pk)
    try:
        services.set_activity_active(
            activity,
            actor=current_user(request),
            expected_version=_int(request.POST.get("version")),
            active=request.POST.get("active") == "1",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Processing activity saved."))
    return redirect("security-processing-detail", activity_pk=activity.pk)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- retention --------------------------------------------------------------------------------------


@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    rows = [
        (
            s,
            RetentionForm(
                initial={"months": s.months, "forever": s.months is None, "version": s.version}, prefix=s.kind
            ),
        )
        for s in services.settings_rows()
    ]
    runs = page_for_request(
        request,
        AnonymisationRun.objects.visible_to(request.user).select_related("started_by"),
        RUN_ORDER,
        size=PAGE_SIZE,
    )
    return render(
        request,
        "security/privacy/retention.html",
        _context(request, "security-retention", rows=rows, page=runs, minimum=services.INCIDENT_MIN_MONTHS),
    )


@require_POST
def retention_set(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in RetentionKind.values:
        raise Http404
    form = RetentionForm(request.POST, prefix=kind)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("security-retention")
    months = None if form.cleaned_data.get("forever") else form.cleaned_data.get("months")
    try:
        services.set_retention(
            kind,
            actor=current_user(request),
            expected_version=form.cleaned_data.get("version"),
            months=months,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Retention period saved."))
    return redirect("security-retention")


@require_POST
def retention_run(request: HttpRequest) -> HttpResponse:
    try:
        run = services.run_retention(actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Retention applied: %(calls)d calls anonymised, %(failures)d failures.")
            % {"calls": run.meldingen, "failures": run.failures},
        )
    return redirect("security-retention")


# -- people's requests ------------------------------------------------------------------------------


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    query = request.GET.get("q", "").strip()[:100]
    found: list[User] = []
    if query and security_access.manages_privacy(user):
        found = services.find_people(user, query)
    page = page_for_request(
        request,
        PersonRequest.objects.visible_to(user).select_related("person", "done_by"),
        REQUEST_ORDER,
        size=PAGE_SIZE,
    )
    return render(
        request,
        "security/privacy/people.html",
        _context(request, "security-people", query=query, found=found, page=page),
    )


@require_GET
def person(request: HttpRequest, person_pk: int) -> HttpResponse:
    target = _person(request, person_pk)
    return render(
        request,
        "security/privacy/person.html",
        _context(
            request,
            "security-people",
            person=target,
            export_form=ExportForm(),
            requests=PersonRequest.objects.visible_to(request.user)
            .filter(person=target)
            .select_related("done_by")
            .order_by("-done_at", "-id")[:50],
        ),
    )


@require_POST
def person_export(request: HttpRequest, person_pk: int) -> HttpResponse:
    target = _person(request, person_pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reference of the request and a format."))
        return redirect("security-person", person_pk=target.pk)
    try:
        data = services.export_person(
            target, actor=current_user(request), reference=form.cleaned_data["reference"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("security-person", person_pk=target.pk)
    stem = f"persoonsgegevens-{target.pk}"
    if form.cleaned_data["format"] == "json":
        answer = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
        answer["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        answer["Cache-Control"] = "private, no-store"
        return answer
    return pdf_response(services.person_pdf(data), f"{stem}.pdf")


@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, person_pk: int) -> HttpResponse:
    target = _person(request, person_pk)
    user = current_user(request)
    if request.method == "POST":
        form = EraseForm(request.POST)
        if form.is_valid():
            try:
                services.erase_person(
                    target,
                    actor=user,
                    reference=form.cleaned_data["reference"],
                    confirm=form.cleaned_data["confirm"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The person was anonymised and the request recorded."))
                return redirect("security-people")
    else:
        form = EraseForm()
    return render(
        request,
        "security/privacy/erase.html",
        _context(
            request, "security-people", person=target, form=form, meldingen=services.meldingen_count(target)
        ),
    )


urlpatterns: list[URLPattern] = [
    path("security/processing/", processing_list, name="security-processing"),
    path("security/processing/export/", processing_export, name="security-processing-export"),
    path("security/processing/new/", processing_create, name="security-processing-create"),
    path("security/processing/<int:activity_pk>/", processing_detail, name="security-processing-detail"),
    path("security/processing/<int:activity_pk>/edit/", processing_edit, name="security-processing-edit"),
    path(
        "security/processing/<int:activity_pk>/active/", processing_active, name="security-processing-active"
    ),
    path("security/retention/", retention, name="security-retention"),
    path("security/retention/run/", retention_run, name="security-retention-run"),
    path("security/retention/<slug:kind>/", retention_set, name="security-retention-set"),
    path("security/people/", people, name="security-people"),
    path("security/people/<int:person_pk>/", person, name="security-person"),
    path("security/people/<int:person_pk>/export/", person_export, name="security-person-export"),
    path("security/people/<int:person_pk>/anonymise/", person_erase, name="security-person-erase"),
]
