"""The operations screens: occurrences (my and team activities), an occurrence with its checklist,
and the series (coordinators manage them).

Thin adapters: look up through visible_to (hidden -> 404; callers get 404 everywhere), call one
service, redirect. Every action is a POST followed by a redirect; a refused action shows the page
again with the typed input and the error (status 400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import download_response
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import page_for_request
from beheer.core.recurrence import describe

from . import services
from .forms import (
    EvidenceForm,
    OccurrenceFilterForm,
    OccurrenceForm,
    RecurrenceForm,
    SeriesForm,
    TimeForm,
    lines,
)
from .models import ActivitySeries, Evidence, LogEntry, Occurrence
from .queries import (
    OCCURRENCE_ORDER,
    SERIES_ORDER,
    OccurrenceFilter,
    filter_occurrences,
    visible_occurrence,
    visible_series,
)

ACCESS = access.STAFF_HIDDEN

PAGE_SIZE = 50


def _series(request: HttpRequest, pk: int) -> ActivitySeries:
    try:
        return visible_series(current_user(request), pk)
    except NotFound as exc:
        raise Http404 from exc


def _occurrence(request: HttpRequest, pk: int) -> Occurrence:
    try:
        return visible_occurrence(current_user(request), pk)
    except NotFound as exc:
        raise Http404 from exc


def _next_url(request: HttpRequest, url_name: str, cursor: str | None) -> str | None:
    if not cursor:
        return None
    params = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
    return reverse(url_name) + "?" + urlencode({**params, "cursor": cursor})


# --------------------------------------------------------------------------------------------------
# occurrences


@require_GET
def occurrence_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    data = request.GET.copy()
    data.setdefault("scope", "team" if user.operator_groups.exists() else "all")
    form = OccurrenceFilterForm(data)
    form.is_valid()
    d = form.cleaned_data
    now = clock.now()
    f = OccurrenceFilter(
        scope=d.get("scope") or "all",
        status=d.get("status") or "",
        operator_group=d["operator_group"].pk if d.get("operator_group") else None,
        assignee=d["assignee"].pk if d.get("assignee") else None,
        overdue=bool(d.get("overdue")),
        series=d.get("series"),
    )
    qs = filter_occurrences(user, f, now=now).for_list()
    page = page_for_request(request, qs, OCCURRENCE_ORDER, size=PAGE_SIZE)
    return render(
        request,
        "operations/occurrence_list.html",
        {
            "form": form,
            "page": page,
            "now": now,
            "scope": f.scope,
            "next_url": _next_url(request, "operations-occurrences", page.next_cursor),
        },
    )


def _occurrence_context(
    request: HttpRequest, o: Occurrence, *, form: OccurrenceForm | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "o": o,
        "series": o.series,
        "cis": list(o.series.cis.order_by("name", "pk")),
        "now": clock.now(),
        "form": form
        or OccurrenceForm(initial={"version": o.version}, items=list(o.checklist_results), prefix=None),
        "time_form": extra.pop("time_form", TimeForm(prefix="time")),
        "evidence_form": extra.pop("evidence_form", EvidenceForm()),
        "evidence": list(Evidence.objects.filter(occurrence=o).order_by("created_at", "pk")),
        "log": list(LogEntry.objects.filter(occurrence=o).select_related("actor").order_by("at", "pk")[:200]),
        **extra,
    }


@require_GET
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    o = _occurrence(request, pk)
    return render(request, "operations/occurrence_detail.html", _occurrence_context(request, o))


CHECKLIST_ACTIONS = {"save", "done", "anomaly", "skip"}


@require_POST
def occurrence_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    o = _occurrence(request, pk)
    user = current_user(request)
    if action in CHECKLIST_ACTIONS:
        form = OccurrenceForm(request.POST, items=list(o.checklist_results))
        if not form.is_valid():
            context = _occurrence_context(request, o, form=form)
            return render(request, "operations/occurrence_detail.html", context, status=400)
        d = form.cleaned_data
        answers = [services.ChecklistAnswer(done, remark) for done, remark in form.answers()]
        try:
            if action == "save":
                services.save_checklist(
                    o,
                    results=answers,
                    actor=user,
                    expected_version=d["version"],
                    minutes=d.get("minutes") or 0,
                )
                message = _("The checklist has been saved.")
            elif action == "done":
                services.complete_occurrence(
                    o,
                    actor=user,
                    expected_version=d["version"],
                    results=answers,
                    remark=d.get("reason") or "",
                    minutes=d.get("minutes") or 0,
                )
                message = _("The activity is done.")
            elif action == "skip":
                services.skip_occurrence(
                    o,
                    reason=d.get("reason") or "",
                    actor=user,
                    expected_version=d["version"],
                    minutes=d.get("minutes") or 0,  # the one time input counts whatever the button
                )
                message = _("The activity has been skipped.")
            else:
                o = services.report_anomaly(
                    o,
                    reason=d.get("reason") or "",
                    actor=user,
                    expected_version=d["version"],
                    results=answers,
                    minutes=d.get("minutes") or 0,
                )
                message = _("The anomaly has been recorded and call %(number)s opened.") % {
                    "number": o.melding.number if o.melding else ""
                }
        except DomainError as exc:
            place_domain_errors(form, exc)
            context = _occurrence_context(request, o, form=form)
            return render(request, "operations/occurrence_detail.html", context, status=exc.status_code)
        messages.success(request, message)
        return redirect("operations-occurrence", pk=o.pk)
    if action == "time":
        time_form = TimeForm(request.POST, prefix="time")
        try:
            if not time_form.is_valid():
                raise DomainError(_("Enter the minutes spent."))
            services.record_time(o, minutes=time_form.cleaned_data["minutes"], actor=user)
        except DomainError as exc:
            place_domain_errors(time_form, exc)
            context = _occurrence_context(request, o, time_form=time_form)
            return render(request, "operations/occurrence_detail.html", context, status=exc.status_code)
        messages.success(request, _("The time has been recorded."))
        return redirect("operations-occurrence", pk=o.pk)
    if action == "evidence":
        evidence_form = EvidenceForm(request.POST, request.FILES)
        try:
            if not evidence_form.is_valid():
                raise DomainError(_("Choose a file."))
            services.add_evidence(o, upload=evidence_form.cleaned_data["file"], actor=user)
        except DomainError as exc:
            place_domain_errors(evidence_form, exc)
            context = _occurrence_context(request, o, evidence_form=evidence_form)
            return render(request, "operations/occurrence_detail.html", context, status=exc.status_code)
        messages.success(request, _("The evidence has been added."))
        return redirect("operations-occurrence", pk=o.pk)
    raise Http404


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = Evidence.objects.visible_to(request.user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return download_response(evidence.file, filename=evidence.original_name)


# --------------------------------------------------------------------------------------------------
# series


@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    show = request.GET.get("show", "active")
    qs = ActivitySeries.objects.visible_to(user).for_list()
    if show != "all":
        qs = qs.filter(active=True)
    page = page_for_request(request, qs, SERIES_ORDER, size=PAGE_SIZE)
    return render(
        request,
        "operations/series_list.html",
        {"page": page, "show": show, "next_url": _next_url(request, "operations-series", page.next_cursor)},
    )


@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = _series(request, pk)
    upcoming = list(
        Occurrence.objects.visible_to(request.user)
        .filter(series=series)
        .order_by("-planned_at", "-pk")
        .select_related("completed_by")[:20]
    )
    log = list(
        LogEntry.objects.filter(series=series, occurrence__isnull=True)
        .select_related("actor")
        .order_by("-at")[:50]
    )
    return render(
        request,
        "operations/series_detail.html",
        {
            "series": series,
            "cis": list(series.cis.order_by("name", "pk")),
            "occurrences": upcoming,
            "log": log,
            "now": clock.now(),
        },
    )


def _series_args(form: SeriesForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "name": d["name"],
        "kind": d["kind"],
        "rule": form.built_rule(),
        "start_date": d["start_date"],
        "start_time": d["start_time"],
        "time_zone": d["time_zone"],
        "description": d.get("description") or "",
        "checklist": lines(d.get("checklist") or ""),
        "lead_days": d["lead_days"],
        "grace_hours": d["grace_hours"],
        "remind_hours": d.get("remind_hours") or 0,
        "operator_group": d.get("operator_group"),
        "assignee": d.get("assignee"),
        "cis": d.get("cis") or [],
    }


def _ensure_manager(request: HttpRequest) -> None:
    if not current_user(request).is_coordinator:
        raise Http404


def series_create(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request)
    form = SeriesForm(
        request.POST or None,
        initial={"start_date": timezone.localdate(clock.now()), "start_time": "09:00"},
        user=current_user(request),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                series = services.create_series(actor=current_user(request), **_series_args(form))
            except DomainError as exc:
                place_domain_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The preventive activity has been created."))
                return redirect("operations-series-detail", pk=series.pk)
    return render(request, "operations/series_form.html", {"form": form, "series": None}, status=status)


def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_manager(request)
    series = _series(request, pk)
    form = SeriesForm(
        request.POST or None, initial=SeriesForm.initial_for(series), user=current_user(request)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_series(
                    series,
                    actor=current_user(request),
                    expected_version=form.cleaned_data.get("version") or 0,
                    **_series_args(form),
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The preventive activity has been saved."))
                return redirect("operations-series-detail", pk=series.pk)
    return render(request, "operations/series_form.html", {"form": form, "series": series}, status=status)


@require_POST
def series_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_manager(request)
    series = _series(request, pk)
    try:
        expected = int(request.POST.get("version") or 0)
    except ValueError:
        expected = 0
    try:
        if series.active:
            services.deactivate_series(series, actor=current_user(request), expected_version=expected)
            messages.success(request, _("The preventive activity has been stopped."))
        else:
            services.activate_series(series, actor=current_user(request), expected_version=expected)
            messages.success(request, _("The preventive activity has been restarted."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("operations-series-detail", pk=series.pk)


@require_POST
def rule_preview(request: HttpRequest) -> HttpResponse:
    """The next five dates of the rule the form describes, in words and dates (HTMX partial)."""
    form = RecurrenceForm(request.POST)
    dates: list[Any] = []
    error = ""
    rule = ""
    if form.is_valid():
        rule = form.built_rule()
        if not rule:
            error = _("Choose how often the activity repeats.")
        else:
            try:
                dates = services.preview_dates(
                    rule=rule,
                    start_date=form.cleaned_data["start_date"],
                    start_time=form.cleaned_data["start_time"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except DomainError as exc:
                error = exc.message
    elif "rule" in form.errors:
        error = "; ".join(str(e) for e in form.errors["rule"])
    else:
        error = _("Fill in the recurrence, the first date and the time.")
    context = {"dates": dates, "error": error, "words": describe(rule) if rule and not error else ""}
    return render(request, "core/recurrence_preview.html", context)
