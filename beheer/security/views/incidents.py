"""The security incident pages: the list (security officers see every incident, anybody else only
those they were given access to), an incident with its reporting deadlines, reports, access and
history, editing it, recording a report, granting and revoking access, the confirmation that makes a
melding a security incident, and the breach register with its CSV and XLSX files.

Every read of an incident's page is written to its melding's read log. An incident the reader may
not see answers 404, like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.history import subject_screen_page
from beheer.core.pagination import SortKey, page_for_request
from beheer.servicedesk.models import Melding, MeldingAccess

from .. import deadlines
from ..access import is_security_officer
from ..forms_incidents import AccessForm, BreachFilterForm, DeclareForm, IncidentForm, ReportForm
from ..models import IncidentHistoryEntry, IncidentReport, ReportKind, SecurityIncident
from ..services import incidents as services
from ..services import incidents_export as exports
from .nav import page_context

ACCESS = access.STAFF_HIDDEN

PAGE_SIZE = 50
ORDER = (SortKey("aware_at", descending=True), SortKey("id", descending=True))


def _incident(request: HttpRequest, pk: int) -> SecurityIncident:
    found = (
        SecurityIncident.objects.visible_to(request.user)
        .select_related("melding", "declared_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def deadline_rows(items: list[deadlines.Deadline], now: Any) -> list[dict[str, Any]]:
    """The deadlines as the pages show them: what, when, time left, met or passed."""
    out = []
    for d in items:
        out.append(
            {
                "kind": d.kind,
                "label": ReportKind(d.kind).label,
                "due": d.due,
                "met_at": d.met_at,
                "immediate": d.immediate,
                "passed": d.passed(now),
                "left": d.left(now),
                "soon": deadlines.warning_level(d, now) == deadlines.SOON,
            }
        )
    return out


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = SecurityIncident.objects.visible_to(user).select_related("melding")
    page = page_for_request(request, rows, ORDER, size=PAGE_SIZE)
    return render(
        request,
        "security/incidents/list.html",
        {**page_context(request, "security-incidents"), "page": page, "officer": is_security_officer(user)},
    )


@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = current_user(request)
    incident = _incident(request, incident_id)
    services.log_read(incident, reader=user, route=request.path)
    now = clock.now()
    reports = list(
        IncidentReport.objects.visible_to(user)
        .filter(incident=incident)
        .select_related("made_by")
        .order_by("made_at", "id")
    )
    made: dict[str, Any] = {}
    for r in reports:
        made.setdefault(r.kind, r.made_at)
    grants = list(
        MeldingAccess.objects.filter(melding_id=incident.melding_id)
        .select_related("person", "granted_by")
        .order_by("granted_at", "id")
    )
    context = {
        **page_context(request, "security-incidents"),
        "incident": incident,
        "deadlines": deadline_rows(services.deadlines_of(incident, made), now),
        "reports": reports,
        "grants": grants,
        "officer": is_security_officer(user),
        **subject_screen_page(request, IncidentHistoryEntry, incident),
    }
    return render(request, "security/incidents/detail.html", context)


def _form_data(form: IncidentForm) -> services.IncidentData:
    d = form.cleaned_data
    return services.IncidentData(
        title=d["title"],
        aware_at=d["aware_at"],
        significant=d["significant"],
        breach=d["breach"],
        unlikely_risk=d["unlikely_risk"],
        unlikely_risk_reason=d["unlikely_risk_reason"],
        high_risk=d["high_risk"],
        nature=d["nature"],
        data_categories=d["data_categories"],
        people_categories=d["people_categories"],
        people_count=d["people_count"],
        records_count=d["records_count"],
        consequences=d["consequences"],
        measures=d["measures"],
        contact=d["contact"],
        csirt_name=d["csirt_name"],
        status=d["status"],
    )


def _initial(incident: SecurityIncident) -> dict[str, Any]:
    fields = (
        "version",
        "title",
        "status",
        "significant",
        "csirt_name",
        "breach",
        "unlikely_risk",
        "unlikely_risk_reason",
        "high_risk",
        "nature",
        "data_categories",
        "people_categories",
        "people_count",
        "records_count",
        "consequences",
        "measures",
        "contact",
    )
    initial = {name: getattr(incident, name) for name in fields}
    initial["aware_at"] = timezone.localtime(incident.aware_at)
    return initial


@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = current_user(request)
    incident = _incident(request, incident_id)
    if not is_security_officer(user):
        raise Http404
    form = IncidentForm(request.POST or None, initial=_initial(incident))
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_incident(
                incident, actor=user, expected_version=form.cleaned_data["version"], data=_form_data(form)
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Security incident %(number)s saved.") % {"number": incident.number})
            return redirect("security-incident", incident_id=incident.pk)
    return render(
        request,
        "security/incidents/edit.html",
        {**page_context(request, "security-incidents"), "incident": incident, "form": form},
    )


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = current_user(request)
    incident = _incident(request, incident_id)
    if not is_security_officer(user):
        raise Http404
    kinds = services.applicable_kinds(incident)
    initial: dict[str, Any] = {"made_at": timezone.localtime(clock.now()).replace(second=0, microsecond=0)}
    if request.GET.get("kind") in kinds:
        initial["kind"] = request.GET["kind"]
    form = ReportForm(request.POST or None, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_report(
                incident,
                actor=user,
                kind=d["kind"],
                made_at=d["made_at"],
                recipient=d["recipient"],
                reference=d["reference"],
                note=d["note"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The report has been recorded."))
            return redirect("security-incident", incident_id=incident.pk)
    return render(
        request,
        "security/incidents/report.html",
        {**page_context(request, "security-incidents"), "incident": incident, "form": form, "kinds": kinds},
    )


def _operators() -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in User.objects.operators().order_by("last_name", "first_name", "id")[:500]]


@require_http_methods(["GET", "POST"])
def incident_access(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Who may work on the incident; security officers grant and revoke."""
    user = current_user(request)
    incident = _incident(request, incident_id)
    if not is_security_officer(user):
        raise Http404
    form = AccessForm(request.POST or None, people=_operators())
    if request.method == "POST" and form.is_valid():
        person = User.objects.operators().filter(pk=form.cleaned_data["person"]).first()
        try:
            if person is None:
                raise DomainError(_("Choose an operator."), field_errors={"person": _("Choose an operator.")})
            services.grant_access(incident, person=person, actor=user)
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("%(person)s may now work on this incident.") % {"person": person})
            return redirect("security-incident-access", incident_id=incident.pk)
    grants = list(
        MeldingAccess.objects.filter(melding_id=incident.melding_id)
        .select_related("person", "granted_by")
        .order_by("granted_at", "id")
    )
    return render(
        request,
        "security/incidents/access.html",
        {**page_context(request, "security-incidents"), "incident": incident, "form": form, "grants": grants},
    )


@require_POST
def access_revoke(request: HttpRequest, incident_id: int, person_id: int) -> HttpResponse:
    user = current_user(request)
    incident = _incident(request, incident_id)
    if not is_security_officer(user):
        raise Http404
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    try:
        services.revoke_access(incident, person=person, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(person)s no longer works on this incident.") % {"person": person})
    return redirect("security-incident-access", incident_id=incident.pk)


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, melding_id: int) -> HttpResponse:
    """The confirmation that makes a melding a security incident (operators)."""
    user = current_user(request)
    melding = Melding.objects.visible_to(user).filter(pk=melding_id).first()
    if melding is None:
        raise Http404
    existing = SecurityIncident.objects.visible_to(user).filter(melding_id=melding.pk).first()
    if existing is not None:
        return redirect("security-incident", incident_id=existing.pk)
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
    form = DeclareForm(request.POST or None, initial={"aware_at": now})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            incident = services.declare_incident(
                melding, actor=user, aware_at=d["aware_at"], significant=d["significant"], breach=d["breach"]
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(
                request,
                _("Call %(call)s is now security incident %(number)s.")
                % {"call": melding.number, "number": incident.number},
            )
            return redirect("security-incident", incident_id=incident.pk)
    return render(
        request,
        "security/incidents/declare.html",
        {**page_context(request, "security-incidents"), "melding": melding, "form": form},
    )


# -- the breach register ---------------------------------------------------------------------------


def _breaches(request: HttpRequest) -> tuple[BreachFilterForm, Any]:
    form = BreachFilterForm(request.GET or None)
    rows = SecurityIncident.objects.register_visible_to(request.user)
    if form.is_valid():
        d = form.cleaned_data
        rows = rows.breach_filter(
            reported=d["reported"] or "", status=d["status"] or "", since=d["since"], until=d["until"]
        )
    return form, rows


@require_GET
def breach_register(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form, rows = _breaches(request)
    page = page_for_request(request, rows.select_related("melding"), ORDER, size=PAGE_SIZE)
    ids = [i.pk for i in page.items]
    ap: dict[int, IncidentReport] = {}
    for r in IncidentReport.objects.visible_to(user).filter(incident__in=ids, kind=ReportKind.AP_REPORT):
        ap[r.incident_id] = r
    openable = set(SecurityIncident.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "security/incidents/breaches.html",
        {
            **page_context(request, "security-breaches"),
            "form": form,
            "page": page,
            "rows": [(i, ap.get(i.pk), i.pk in openable) for i in page.items],
            "query": query.urlencode(),
            "reader": is_security_officer(user) or bool(getattr(user, "privacy_officer", False)),
        },
    )


@require_GET
def breach_csv(request: HttpRequest) -> HttpResponseBase:
    _form, rows = _breaches(request)
    return exports.breaches_csv(rows)


@require_GET
def breach_xlsx(request: HttpRequest) -> HttpResponseBase:
    _form, rows = _breaches(request)
    return exports.breaches_xlsx(rows)


urlpatterns = [
    path("security/incidents/", incident_list, name="security-incidents"),
    path("security/incidents/declare/<int:melding_id>/", declare, name="security-incident-declare"),
    path("security/incidents/<int:incident_id>/", incident_detail, name="security-incident"),
    path("security/incidents/<int:incident_id>/edit/", incident_edit, name="security-incident-edit"),
    path("security/incidents/<int:incident_id>/reports/new/", report_new, name="security-incident-report"),
    path("security/incidents/<int:incident_id>/access/", incident_access, name="security-incident-access"),
    path(
        "security/incidents/<int:incident_id>/access/<int:person_id>/revoke/",
        access_revoke,
        name="security-incident-access-revoke",
    ),
    path("security/breaches/", breach_register, name="security-breaches"),
    path("security/breaches/export.csv", breach_csv, name="security-breaches-csv"),
    path("security/breaches/export.xlsx", breach_xlsx, name="security-breaches-xlsx"),
]
