"""The monitoring screens for operators: the live status overview and a check's detail page.

Callers get 403 on every screen. The overview polls one partial every 10 seconds (HTMX); the
partial costs a fixed number of queries whatever the number of checks. The overview (with an active
ping check) and a ping check's page warn when the monitor said it may not send ICMP.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beheer.core import access, charts, clock
from beheer.core.history import subject_screen_page
from beheer.core.htmx import is_htmx

from .. import monitor_status, queries, rollups, services
from ..cmdb_links import check_ci_panel
from ..models import Bucket, Check, CheckHistoryEntry, CheckKind, CheckResult, CheckRollup

ACCESS = access.Gate(access.Audience.STAFF, message=gettext_lazy("Monitoring is for operators."))

POLL_SECONDS = 10
RECENT_RESULTS = 50


def may_see_details(user: Any, check: Check) -> bool:
    """Result details (response bodies, error texts) are for administrators and the check's creator."""
    return bool(access.is_administrator(user)) or (
        check.created_by_id is not None and check.created_by_id == user.pk
    )


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    group_by = "host" if request.GET.get("by") == "host" else "tag"
    data = queries.overview(request.user)  # type: ignore[arg-type]
    if is_htmx(request):  # the refreshed part: a fixed number of queries
        return render(request, "monitoring/_overview.html", {"data": data, "group_by": group_by})
    context = {
        "data": data,
        "group_by": group_by,
        "poll": POLL_SECONDS,
        "icmp_unavailable": monitor_status.ping_warning_for(row["check"] for row in data["rows"]),
    }
    return render(request, "monitoring/overview.html", context)


def _latency_chart(check: Check, end: Any) -> Any:
    start = rollups.floor_to(end, rollups.HOUR) - timedelta(hours=23)
    rows = {
        r.start: queries.totals_of(r)
        for r in CheckRollup.objects.filter(check_obj=check, bucket=Bucket.HOUR, start__gte=start)
    }
    hours = [start + i * rollups.HOUR for i in range(24)]
    avg = [float((rows[h].latency_avg or 0) if h in rows else 0) for h in hours]
    p95 = [float((rows[h].latency_p95 or 0) if h in rows else 0) for h in hours]
    labels = [h.astimezone(queries.zone()).strftime("%H:%M") for h in hours]
    return charts.line_chart(
        title=_("Latency per hour, last 24 hours (ms)"),
        x_labels=labels,
        series=[(_("average"), avg), (_("95th percentile"), p95)],
    )


@require_GET
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = (
        Check.objects.visible_to(request.user)
        .select_related("state", "state__melding", "created_by", "parent", "ci")
        .filter(pk=pk)
        .first()
    )
    if check is None:
        raise Http404
    now = clock.now()
    maintenance = queries.in_maintenance_now([check], now)
    periods = []
    for label, length in (
        (_("24 hours"), timedelta(days=1)),
        (_("7 days"), timedelta(days=7)),
        (_("30 days"), timedelta(days=30)),
    ):
        t = queries.period_totals([check.pk], now - length, now)[check.pk]
        periods.append(
            {
                "label": label,
                "totals": t,
                "met": queries.norm_met(check, t),
                "downtime_minutes": round(t.down / 60, 1),
            }
        )
    results = list(CheckResult.objects.filter(check_obj=check).order_by("-at", "-id")[:RECENT_RESULTS])
    ping_url = None
    if check.kind == CheckKind.PUSH and check.push_token:
        ping_url = request.build_absolute_uri(reverse("api:ping", args=[check.push_token]))
    return render(
        request,
        "monitoring/check_detail.html",
        {
            "check": check,
            "state": getattr(check, "state", None),
            "status": queries.check_status(check, now=now, maintenance_ids=maintenance),
            "results": results,
            "show_details": may_see_details(request.user, check),
            "changes": queries.state_changes(check),
            "periods": periods,
            "latency_chart": _latency_chart(check, now),
            "windows": queries.windows_for(check),
            "icmp_unavailable": check.kind == CheckKind.PING and monitor_status.ping_unavailable(),
            "ping_url": ping_url,
            "priority": services.outage_priority(check),
            "ci_panel": check_ci_panel(check, request.user),
            **subject_screen_page(request, CheckHistoryEntry, check),
        },
    )
