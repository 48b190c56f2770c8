"""The operator screens: queues, registering a call, the call page and its actions.

Thin adapters: parse a form, call one service, render. Every action also works without JavaScript
(POST, then redirect); with HTMX the changed part of the page is re-rendered in place.
The caller portal (self-service) is at the end of this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, ReadOnly
from beheer.core.forms import parse_id, require_staff
from beheer.core.htmx import is_htmx
from beheer.core.pagination import SortKey, page_for_request, read_page
from beheer.notifications.models import OutgoingMessage

from . import forms as f
from . import queries, services
from .api import attachment_response
from .models import FOR_LIST, Attachment, Line, Melding, MeldingQuerySet, StatusKind
from .suggestion_support import caller_solution_article, deflection_token, record_portal_submission

PAGE_SIZE = 50
TIMELINE_LIMIT = 200
TIMELINE_ALL_LIMIT = 5000
FILTER_FIELDS = ("status", "operator_group", "operator", "category", "priority", "call_type")
EXTRA_FILTERS = ("sla", "age", "created", "resolved", "status_code", "status_kind", "groups")


staff_required = require_staff(lambda: DjangoPermissionDenied(_("This page is for operators.")))


def current_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def apply_domain_error(form: Any, exc: DomainError) -> None:
    """Put a service's field errors on the form fields that exist, the rest as form errors."""
    placed = False
    for field, message in exc.field_errors.items():
        for candidate in (
            field,
            field.removeprefix("estimated_"),
            "to_group" if field == "operator_group" else "",
        ):
            if candidate and candidate in form.fields:
                form.add_error(candidate, message)
                placed = True
                break
    if not placed or exc.message not in exc.field_errors.values():
        form.add_error(None, exc.message)


# --------------------------------------------------------------------------------------------------
# home and queues


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "is_staff_member", False):
        return redirect(f"{reverse('melding-list')}?queue=mine")
    return redirect("portal")


def _filter_from(form: f.QueueFilterForm, default_queue: str) -> tuple[queries.MeldingFilter, str]:
    form.is_valid()
    data = form.cleaned_data
    values: dict[str, Any] = {}
    for name in FILTER_FIELDS:
        obj = data.get(name)
        values[name] = obj.pk if obj is not None else None
    extra: dict[str, Any] = {name: data.get(name) or "" for name in EXTRA_FILTERS}
    mf = queries.MeldingFilter(
        queue=data.get("queue") or default_queue,
        q=data.get("q") or "",
        line=data.get("line") or "",
        caller=data.get("caller"),
        **extra,
        unassigned=data.get("unassigned") == "1",
        **values,
    )
    return mf, data.get("sort") or queries.DEFAULT_SORT


@staff_required
@require_GET
def melding_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = f.QueueFilterForm(request.GET)
    mf, sort = _filter_from(form, "mine")
    page = read_page(
        request,
        lambda cursor: queries.melding_page(
            user, mf, sort=sort, cursor=cursor, size=queries.PAGE_SIZE, related=FOR_LIST
        ),
    )

    params: dict[str, str] = {
        k: str(v) for k, v in request.GET.items() if k not in ("cursor", "caller_q") and v != ""
    }
    params.setdefault("queue", mf.queue)
    base_query = urlencode(params)
    caller_q = (request.GET.get("caller_q") or "").strip()[:100]
    context = {
        "form": form,
        # the caller filter: the chosen person, or (without JavaScript) the people matching caller_q
        "caller_person": (
            User.objects.visible_to(user).filter(pk=mf.caller).first() if mf.caller is not None else None
        ),
        "caller_q": caller_q,
        "caller_people": _people_for_filter(caller_q, user) if caller_q and mf.caller is None else [],
        # people the search text names: one click narrows the results to one of them
        "named_people": _people_for_filter(mf.q, user) if mf.q.strip() and mf.caller is None else [],
        "caller_query": urlencode({k: v for k, v in params.items() if k not in ("q", "caller")}) + "&caller=",
        "page": page,
        "queue": mf.queue,
        "queues": f.QueueFilterForm.QUEUE_CHOICES,
        "is_first_page": page.is_first,
        "first_url": f"?{base_query}",
        "next_url": f"?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else "",
        "export_url": f"{reverse('api:export_meldingen')}?{urlencode(params)}",
        "has_filters": any(
            params.get(k) for k in (*FILTER_FIELDS, *EXTRA_FILTERS, "q", "line", "unassigned", "caller")
        ),
    }
    partial = (
        is_htmx(request)
        and request.headers.get("HX-Target") == "queue-results"
        and not request.headers.get("HX-History-Restore-Request")
    )
    template = "servicedesk/_queue_results.html" if partial else "servicedesk/melding_list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request, HX-Target"
    return response


CALLER_CHOICES = 10  # people offered by the caller filter


def _people_for_filter(text: str, user: User) -> list[User]:
    if len(text.strip()) < 2 or (queries.number_in(text) is not None and not queries.phone_digits(text)):
        return []
    return list(
        queries.matching_people(text, user)
        .select_related("department")
        .order_by("last_name", "first_name", "id")[:CALLER_CHOICES]
    )


@staff_required
@require_GET
def caller_filter_options(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the caller filter of the list: people by name, e-mail or phone."""
    q = (request.GET.get("caller_q") or "").strip()[:100]
    people = _people_for_filter(q, current_user(request))
    return render(
        request, "servicedesk/_caller_filter_options.html", {"caller_people": people, "caller_q": q}
    )


@staff_required
@require_GET
def quick_search(request: HttpRequest) -> HttpResponse:
    """The search box in the top bar: a melding number opens that melding (when the user may see it);
    anything else shows the list of all calls matching the text."""
    q = (request.GET.get("q") or "").strip()[:200]
    number = queries.number_in(q)
    if number is not None and Melding.objects.visible_to(request.user).filter(pk=number).exists():
        return redirect("melding-detail", pk=number)
    return redirect(f"{reverse('melding-list')}?{urlencode({'queue': 'all', 'q': q})}")


# --------------------------------------------------------------------------------------------------
# registering a call


@staff_required
@require_GET
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the caller of a new call: up to 10 matching people."""
    q = (request.GET.get("caller_q") or request.GET.get("q") or "").strip()[:100]
    people: list[User] = []
    if len(q) >= 2:
        people = list(
            User.objects.visible_to(request.user)
            .callers()
            .search(q)
            .select_related("department", "branch")
            .order_by("last_name", "first_name", "id")[:10]
        )
    return render(request, "servicedesk/_caller_results.html", {"people": people, "q": q})


OPEN_SHOWN = 10  # a caller's open calls shown while registering a new one


@staff_required
@require_GET
def caller_open_meldingen(request: HttpRequest) -> HttpResponse:
    """The open calls of the caller chosen in the registration form (HTMX partial): is this a new
    call, or one they reported already?"""
    user = current_user(request)
    raw = request.GET.get("caller") or ""
    person = (
        User.objects.visible_to(user).filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    )
    return render(request, "servicedesk/_caller_open.html", _caller_open_context(person, user))


def _caller_open_context(person: User | None, user: User) -> dict[str, Any]:
    if person is None:
        return {"person": None, "open_meldingen": [], "more_open": False}
    rows = list(
        Melding.objects.visible_to(user)
        .filter(caller=person, is_open=True)
        .select_related("status", "priority")
        .order_by("-created_at", "-id")[: OPEN_SHOWN + 1]
    )
    return {
        "person": person,
        "open_meldingen": rows[:OPEN_SHOWN],
        "more_open": len(rows) > OPEN_SHOWN,
        "all_open_url": f"{reverse('melding-list')}?{urlencode({'queue': 'open', 'caller': str(person.pk)})}",
    }


@login_required
@require_GET
def subcategory_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the subcategories of the chosen category (for the HTMX category select)."""
    raw = next(
        (str(v) for k, v in request.GET.items() if k.endswith("category") and not k.endswith("subcategory")),
        "",
    )
    category = parse_id(raw)
    options = list(f.subcategories(category)) if category else []
    return render(request, "servicedesk/_subcategory_options.html", {"options": options})


def _register(form: Any, user: User, **fields: Any) -> Melding | None:
    """Register a melding and its optional attachment together; on a refusal, mark the form."""
    try:
        with transaction.atomic():
            melding = services.open_melding(actor=user, **fields)
            if form.cleaned_data.get("attachment"):
                services.add_attachment(melding, upload=form.cleaned_data["attachment"], actor=user)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None
    return melding


@staff_required
def melding_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = f.MeldingCreateForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            melding = _register(
                form,
                user,
                brief_description=data["brief_description"],
                request=data["request"],
                entry_type=data["entry_type"],
                call_type=data["call_type"],
                caller=data["caller"],
                caller_name=data["caller_name"] if not data["caller"] else "",
                caller_email=data["caller_email"] if not data["caller"] else "",
                caller_phone=data["caller_phone"],
                category=data["category"],
                subcategory=data["subcategory"],
                object_name=data["object_name"],
                impact=data["impact"],
                urgency=data["urgency"],
                target_date=data["target_date"],
                operator_group=data["operator_group"],
                operator=data["operator"],
                estimated_minutes=data["estimated_minutes"],
                estimated_people=data["estimated_people"],
                estimated_means=data["estimated_means"],
            )
            if melding is not None:
                messages.success(
                    request,
                    _("Call %(number)s has been registered with priority %(priority)s.")
                    % {"number": melding.number, "priority": melding.priority.name},
                )
                return redirect("melding-detail", pk=melding.pk)
        status = 400
    else:
        form = f.MeldingCreateForm(user=user)
        status = 200
    selected = form["caller"].value() if form.is_bound else None
    selected_person = (
        User.objects.visible_to(user).filter(pk=selected).first()
        if selected and str(selected).isdigit()
        else None
    )
    return render(
        request,
        "servicedesk/melding_form.html",
        {"form": form, "selected_person": selected_person, **_caller_open_context(selected_person, user)},
        status=status,
    )


# --------------------------------------------------------------------------------------------------
# the call page


def _melding_for(user: User, pk: int) -> Melding:
    melding = (
        Melding.objects.visible_to(user)
        .select_related(
            "status",
            "priority",
            "impact",
            "urgency",
            "call_type",
            "category",
            "subcategory",
            "operator_group",
            "operator",
            "caller",
            "caller__department",
            "caller__branch",
            "caller_department",
            "caller_branch",
            "supplier",
            "closure_code",
            "parent",
            "merged_into",
            "created_by",
            "solution_article",
        )
        .filter(pk=pk)
        .first()
    )
    if melding is None:
        raise Http404(_("Call not found."))
    return melding


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ActionForm]
    handler: Callable[[Melding, dict[str, Any], User], str]


def _assign(m: Melding, d: dict[str, Any], u: User) -> str:
    services.assign_melding(
        m, operator_group=d["operator_group"], operator=d["operator"], actor=u, expected_version=d["version"]
    )
    return _("The assignment has been saved.")


def _status(m: Melding, d: dict[str, Any], u: User) -> str:
    services.change_status(m, status=d["status"], actor=u, expected_version=d["version"])
    return _("The status has been changed.")


def _move_line(service: Any, m: Melding, d: dict[str, Any], u: User) -> None:
    service(
        m,
        to_group=d["to_group"],
        operator=d["operator"],
        reason=d["reason"],
        actor=u,
        expected_version=d["version"],
    )


def _escalate(m: Melding, d: dict[str, Any], u: User) -> str:
    _move_line(services.escalate_melding, m, d, u)
    return _("The call has been escalated to the second line.")


def _deescalate(m: Melding, d: dict[str, Any], u: User) -> str:
    _move_line(services.deescalate_melding, m, d, u)
    return _("The call has been returned to the first line.")


def _classify(m: Melding, d: dict[str, Any], u: User) -> str:
    services.reclassify_melding(
        m,
        actor=u,
        expected_version=d["version"],
        brief_description=d["brief_description"],
        request=d["request"],
        call_type=d["call_type"],
        category=d["category"],
        subcategory=d["subcategory"],
        object_name=d["object_name"],
        impact=d["impact"],
        urgency=d["urgency"],
    )
    return _("The classification has been saved.")


def _target(m: Melding, d: dict[str, Any], u: User) -> str:
    services.set_target_date(m, target_date=d["target_date"], actor=u, expected_version=d["version"])
    return _("The target date has been saved.")


def _estimates(m: Melding, d: dict[str, Any], u: User) -> str:
    services.set_estimates(
        m, minutes=d["minutes"], people=d["people"], means=d["means"], actor=u, expected_version=d["version"]
    )
    return _("The estimates have been saved.")


def _note(m: Melding, d: dict[str, Any], u: User) -> str:
    services.add_note(m, text=d["text"], visibility=d["visibility"], actor=u)
    return _("The note has been added.")


def _time(m: Melding, d: dict[str, Any], u: User) -> str:
    services.register_time(m, minutes=d["minutes"], on=d["date"], note=d["note"], actor=u)
    return _("The time has been registered.")


def _link(m: Melding, d: dict[str, Any], u: User) -> str:
    services.link_meldingen(m, other=d["number"], actor=u)
    return _("The calls have been linked.")


def _unlink(m: Melding, d: dict[str, Any], u: User) -> str:
    services.unlink_meldingen(m, other=d["other"], actor=u)
    return _("The link has been removed.")


def _merge(m: Melding, d: dict[str, Any], u: User) -> str:
    services.merge_melding(m, into=d["number"], actor=u)
    return _("This call has been merged into %(number)s and closed.") % {"number": d["number"].number}


def _partial(m: Melding, d: dict[str, Any], u: User) -> str:
    partial = services.create_partial(
        m,
        brief_description=d["brief_description"],
        request=d["request"],
        operator_group=d["operator_group"],
        operator=d["operator"],
        supplier=d["supplier"],
        actor=u,
    )
    return _("Partial incident %(number)s has been created.") % {"number": partial.number}


def _attachment(m: Melding, d: dict[str, Any], u: User) -> str:
    services.add_attachment(m, upload=d["file"], actor=u, visible_to_caller=d["visible_to_caller"])
    return _("The attachment has been added.")


def _resolve(m: Melding, d: dict[str, Any], u: User) -> str:
    services.resolve_melding(
        m,
        solution=d["solution"],
        is_workaround=d["is_workaround"],
        closure_code=d["closure_code"],
        actor=u,
        expected_version=d["version"],
        article=services.visible_article(d["article"], u) if d.get("article") else None,
    )
    return _("The call has been resolved; the caller is asked to confirm the solution.")


def _close(m: Melding, d: dict[str, Any], u: User) -> str:
    services.close_melding(m, actor=u, expected_version=d["version"])
    return _("The call has been closed.")


def _reopen(m: Melding, d: dict[str, Any], u: User) -> str:
    services.reopen_melding(m, reason=d["reason"], actor=u)
    return _("The call has been reopened.")


ACTIONS: dict[str, ActionSpec] = {
    "classify": ActionSpec(f.ClassificationForm, _classify),
    "target": ActionSpec(f.TargetDateForm, _target),
    "assign": ActionSpec(f.AssignForm, _assign),
    "status": ActionSpec(f.StatusForm, _status),
    "escalate": ActionSpec(f.EscalateForm, _escalate),
    "deescalate": ActionSpec(f.DeescalateForm, _deescalate),
    "estimates": ActionSpec(f.EstimatesForm, _estimates),
    "note": ActionSpec(f.NoteForm, _note),
    "time": ActionSpec(f.TimeForm, _time),
    "link": ActionSpec(f.LinkForm, _link),
    "unlink": ActionSpec(f.UnlinkForm, _unlink),
    "merge": ActionSpec(f.MergeForm, _merge),
    "partial": ActionSpec(f.PartialForm, _partial),
    "attachment": ActionSpec(f.AttachmentForm, _attachment),
    "resolve": ActionSpec(f.ResolveForm, _resolve),
    "close": ActionSpec(f.CloseForm, _close),
    "reopen": ActionSpec(f.ReopenForm, _reopen),
}


def _make_form(name: str, melding: Melding, user: User, *args: Any) -> f.ActionForm:
    extra: dict[str, Any] = {}
    if name == "status":
        extra["statuses"] = queries.allowed_statuses(melding)
    return ACTIONS[name].form(*args, melding=melding, user=user, **extra)


MAILS_SHOWN = 20  # the newest e-mails about a melding shown on its page


def _detail_context(
    request: HttpRequest,
    melding: Melding,
    *,
    bound: dict[str, f.ActionForm] | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    show_all = request.GET.get("history") == "all"
    entries, more = queries.timeline(melding, user, limit=TIMELINE_ALL_LIMIT if show_all else TIMELINE_LIMIT)
    kind = melding.status.kind
    is_closed = melding.closed_at is not None
    is_working = melding.is_open and not is_closed
    is_resolved = kind == StatusKind.RESOLVED and not is_closed
    available: list[str] = []
    if is_working:
        available += ["classify", "target", "assign", "status", "estimates", "resolve"]
        if melding.line == Line.FIRST:
            available.append("escalate")
        if melding.line == Line.SECOND:
            available.append("deescalate")
        if melding.parent_id is None:
            available += ["partial", "merge"]
    if is_resolved:
        available += ["close", "reopen"]
    if not is_closed:
        available += ["note", "time", "link", "unlink", "attachment"]
    forms_ = {name: _make_form(name, melding, user) for name in available if name != "unlink"}
    for name, form in (bound or {}).items():
        forms_[name] = form
    partials: list[Melding] = []
    progress = (0, 0)
    if melding.parent_id is None:
        partials = list(
            Melding.objects.filter(parent=melding)
            .select_related("status", "operator_group", "operator", "supplier")
            .order_by("id")[:200]
        )
        progress = (sum(1 for p in partials if not p.is_open), len(partials))
    now = clock.now()
    sla = services.evaluate(melding, now=now)
    return {
        "m": melding,
        "sla": sla,
        "sla_metrics": [
            (_("Response"), sla.response),
            (_("Resolution"), sla.resolution),
            (_("Update to the caller"), sla.update),
        ]
        if sla
        else [],
        "olas": services.evaluate_olas(melding, now=now),
        "forms": forms_,
        "open_action": next(iter(bound)) if bound else "",
        "error": error,
        "conflict": isinstance(error, (Conflict, ReadOnly)),
        "entries": entries,
        "more_entries": more and not show_all,
        "is_closed": is_closed,
        "is_working": is_working,
        "is_resolved": is_resolved,
        "partials": partials,
        "progress": progress,
        "links": list(queries.linked_meldingen(melding, user)[:200]),
        "time_totals": queries.time_totals(melding),
        "time_entries": list(queries.recent_time_entries(melding)),
        "attachments": list(
            Attachment.objects.visible_to(user)
            .filter(melding=melding)
            .select_related("uploaded_by")
            .order_by("-created_at")[:200]
        ),
        "unlink_version": melding.version,
        "mails": list(
            OutgoingMessage.objects.for_object("servicedesk.melding", melding.pk)
            .defer("body_text", "body_html", "headers")
            .order_by("-created_at", "-id")[:MAILS_SHOWN]
        ),
    }


def _render_detail(request: HttpRequest, melding: Melding, status: int = 200, **kwargs: Any) -> HttpResponse:
    context = _detail_context(request, melding, **kwargs)
    template = "servicedesk/_detail_main.html" if is_htmx(request) else "servicedesk/melding_detail.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@staff_required
@require_GET
def melding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _melding_for(current_user(request), pk))


@staff_required
@require_POST
def melding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = current_user(request)
    melding = _melding_for(user, pk)
    if action not in ACTIONS:
        raise Http404(_("Unknown action."))
    form = _make_form(action, melding, user, request.POST, request.FILES)
    error: DomainError | None = None
    if form.is_valid():
        try:
            message = ACTIONS[action].handler(melding, form.cleaned_data, user)
        except DomainError as exc:
            error = exc
            apply_domain_error(form, exc)
        else:
            messages.success(request, message)
            if not is_htmx(request):
                return redirect("melding-detail", pk=melding.pk)
            return _render_detail(request, _melding_for(user, pk))
    status = error.status_code if error is not None else 400
    if isinstance(error, ReadOnly):
        return _render_detail(request, _melding_for(user, pk), status=409, error=error)
    if isinstance(error, Conflict):
        # Show the current state; the operator's input stays in the form to copy from.
        return _render_detail(request, _melding_for(user, pk), status=409, bound={action: form}, error=error)
    return _render_detail(request, melding, status=status, bound={action: form}, error=error)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = Attachment.objects.visible_to(request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("Attachment not found."))
    return attachment_response(attachment)


# --------------------------------------------------------------------------------------------------
# caller portal (self-service): any logged-in person, only their own calls

PORTAL_ORDER = [SortKey("is_open", True), SortKey("created_at", True), SortKey("id", True)]


def _own_meldingen(user: User) -> MeldingQuerySet:
    return Melding.objects.visible_to(user).filter(caller_id=user.pk, parent__isnull=True)


def _portal_melding(user: User, pk: int) -> Melding:
    melding = (
        _own_meldingen(user)
        .select_related("status", "call_type", "category", "subcategory")
        .filter(pk=pk)
        .first()
    )
    if melding is None:
        raise Http404(_("Call not found."))
    return melding


@login_required
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    qs = _own_meldingen(user).select_related("status", "call_type")
    page = page_for_request(request, qs, PORTAL_ORDER, size=PAGE_SIZE)
    return render(
        request,
        "servicedesk/portal_list.html",
        {
            "page": page,
            "is_first_page": page.is_first,
            "next_url": f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else "",
        },
    )


@login_required
def portal_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = 200
    if request.method == "POST":
        form = f.PortalMeldingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            melding = _register(
                form,
                user,
                entry_type="portal",
                caller=user,
                brief_description=data["brief_description"],
                request=data["request"],
                call_type=data["call_type"],
                category=data["category"],
                subcategory=data["subcategory"],
            )
            if melding is not None:
                record_portal_submission(request, melding)  # suggestion_views: deflection record
                messages.success(
                    request,
                    _("Thank you. Your call has number %(number)s; the servicedesk will get back to you.")
                    % {"number": melding.number},
                )
                return redirect("portal-detail", pk=melding.pk)
        status = 400
    else:
        form = f.PortalMeldingForm()
    context = {"form": form, "deflection_token": deflection_token(request)}
    return render(request, "servicedesk/portal_form.html", context, status=status)


def _portal_context(
    request: HttpRequest,
    melding: Melding,
    *,
    reply_form: Any = None,
    reopen_form: Any = None,
    confirm_form: Any = None,
) -> dict[str, Any]:
    from .models import HistoryEntry, Note, Visibility

    user = current_user(request)
    notes = (
        Note.objects.visible_to(user)
        .filter(melding=melding, visibility=Visibility.CALLER)
        .select_related("author")
        .order_by("created_at", "id")[:500]
    )
    history = (
        HistoryEntry.objects.visible_to(user)
        .filter(melding=melding, public=True)
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
    is_closed = melding.closed_at is not None
    return {
        "m": melding,
        "notes": list(notes),
        "history": list(history),
        "attachments": list(
            Attachment.objects.visible_to(user)
            .filter(melding=melding, visible_to_caller=True)
            .order_by("-created_at")[:200]
        ),
        "is_closed": is_closed,
        "is_resolved": melding.status.kind == StatusKind.RESOLVED and not is_closed,
        "reply_form": reply_form or f.ReplyForm(),
        "reopen_form": reopen_form or f.PortalReopenForm(),
        "confirm_form": confirm_form or f.ConfirmForm(),
        "solution_article": caller_solution_article(melding, user),
    }


@login_required
@require_GET
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    melding = _portal_melding(current_user(request), pk)
    return render(request, "servicedesk/portal_detail.html", _portal_context(request, melding))


@login_required
@require_POST
def portal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = current_user(request)
    melding = _portal_melding(user, pk)
    reply_form = reopen_form = confirm_form = None
    try:
        if action == "reply":
            reply_form = f.ReplyForm(request.POST, request.FILES)
            if not reply_form.is_valid():
                raise DomainError(_("Please correct the errors below."))
            with transaction.atomic():
                services.add_note(
                    melding, text=reply_form.cleaned_data["text"], visibility="caller", actor=user
                )
                if reply_form.cleaned_data.get("attachment"):
                    services.add_attachment(melding, upload=reply_form.cleaned_data["attachment"], actor=user)
            messages.success(request, _("Your reply has been sent."))
        elif action == "confirm":
            confirm_form = f.ConfirmForm(request.POST)
            if not confirm_form.is_valid():
                raise DomainError(_("Please correct the errors below."))
            services.confirm_resolution(
                melding,
                actor=user,
                rating=confirm_form.cleaned_data["rating"],
                comment=confirm_form.cleaned_data["comment"],
            )
            messages.success(request, _("Thank you for confirming. The call is now closed."))
        elif action == "reopen":
            reopen_form = f.PortalReopenForm(request.POST)
            if not reopen_form.is_valid():
                raise DomainError(_("Please correct the errors below."))
            services.reopen_melding(melding, reason=reopen_form.cleaned_data["reason"], actor=user)
            messages.success(request, _("The call has been reopened; the servicedesk will pick it up again."))
        else:
            raise Http404(_("Unknown action."))
    except DomainError as exc:
        form = {"reply": reply_form, "reopen": reopen_form, "confirm": confirm_form}.get(action)
        if form is not None and form.is_bound and form.is_valid():
            apply_domain_error(form, exc)
        elif form is None or not form.errors:
            messages.error(request, exc.message)
        melding = _portal_melding(user, pk)
        context = _portal_context(
            request, melding, reply_form=reply_form, reopen_form=reopen_form, confirm_form=confirm_form
        )
        return render(request, "servicedesk/portal_detail.html", context, status=exc.status_code)
    return redirect("portal-detail", pk=melding.pk)
