"""The operator screens: queues, registering a call, the call page and its actions.

Thin adapters: parse a form, call one service, render. Every action also works without JavaScript
(POST, then redirect); with HTMX the changed part of the page is re-rendered in place.
The caller portal (self-service) is at the end of this module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.accounts.models import User
from beheer.core import access, clock, config_cache
from beheer.core.access import current_user
from beheer.core.errors import Conflict, DomainError, ReadOnly
from beheer.core.forms import parse_id
from beheer.core.htmx import is_htmx
from beheer.core.pagination import SortKey, page_for_request, read_page
from beheer.notifications.models import OutgoingMessage

from .. import actions, configuration_items, queries, services
from .. import forms as f
from ..api.children import attachment_response
from ..choices import cached_operators, group_operators
from ..models import FOR_LIST, Attachment, HistoryEntry, Melding, MeldingQuerySet, StatusKind
from ..suggestions.support import caller_solution_article, deflection_token, record_portal_submission

ACCESS = access.STAFF

PAGE_SIZE = 50
TIMELINE_LIMIT = 200
TIMELINE_ALL_LIMIT = 5000
FILTER_FIELDS = ("status", "operator_group", "operator", "category", "priority", "call_type")
EXTRA_FILTERS = ("sla", "age", "created", "resolved", "status_code", "status_kind", "groups")


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


@access.gate(access.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    if access.is_staff(request.user):
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


@require_GET
def caller_filter_options(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the caller filter of the list: people by name, e-mail or phone."""
    q = (request.GET.get("caller_q") or "").strip()[:100]
    people = _people_for_filter(q, current_user(request))
    return render(
        request, "servicedesk/_caller_filter_options.html", {"caller_people": people, "caller_q": q}
    )


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


@access.gate(access.SIGNED_IN)
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
        melding = services.open_melding(actor=user, attachment=form.cleaned_data.get("attachment"), **fields)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None
    return melding


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
                ci=data["ci"],
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
                message = _("Call %(number)s has been registered with priority %(priority)s.") % {
                    "number": melding.number,
                    "priority": melding.priority.name,
                }
                if melding.ci is not None:
                    message = f"{message} {configuration_items.registered_impact(melding.ci, user)}"
                messages.success(request, message)
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


# The melding's configuration rows: from the configuration cache rather than joined in.
LOOKUP_FIELDS = (
    "status",
    "priority",
    "impact",
    "urgency",
    "call_type",
    "category",
    "subcategory",
    "operator_group",
    "closure_code",
    "caller_department",
    "caller_branch",
    "supplier",
)
# The people in it, joined in (few joins: PostgreSQL plans a join of many tables for milliseconds).
RELATED_FIELDS = ("operator", "caller", "created_by")


# The people the page shows: the operator and the registrar by name, the caller with their contact
# details (any other field of theirs loads when read).
PAGE_DEFERRED = (
    *queries.name_only("operator"),
    *queries.name_only("created_by"),
    *queries.name_only("caller", "email", "phone", "mobile"),
)


def _melding_for(user: User, pk: int, *, page: bool = False) -> Melding:
    """The melding `user` may see (else 404), with its lookups; `page`: only what its page shows
    of the people in it, and which of its side sections hold anything."""
    cached = config_cache.enabled()
    qs = Melding.objects.visible_to(user).select_related(*RELATED_FIELDS, *(() if cached else LOOKUP_FIELDS))
    if page:
        qs = queries.with_page_sections(qs.defer(*PAGE_DEFERRED))
    melding = qs.filter(pk=pk).first()
    if melding is None:
        raise Http404(_("Call not found."))
    if melding.restricted:  # every read of a security incident is logged
        services.log_restricted_read(melding, reader=user, route="page" if page else "part")
    queries.use_cached_lookups([melding], LOOKUP_FIELDS)
    return queries.load_page_relations(melding) if page else melding


MAILS_SHOWN = 20  # the newest e-mails about a melding shown on its page


@dataclass(frozen=True)
class ActionResult:
    """What an action came to, shown where the operator took it."""

    action: str
    message: str
    level: str = "success"  # or "error"
    conflict: bool = False  # somebody else saved first: offer to reload


def _results_from_messages(request: HttpRequest) -> tuple[ActionResult | None, list[Any]]:
    """Split the session's messages: one an action left before its redirect (no JavaScript) is shown
    at that action; the others at the top of the page."""
    result: ActionResult | None = None
    others: list[Any] = []
    for message in messages.get_messages(request):
        action = next((t[7:] for t in message.extra_tags.split() if t.startswith("action-")), "")
        if action and result is None:
            level = "error" if message.level >= messages.ERROR else "success"
            result = ActionResult(action, str(message), level)
        else:
            others.append(message)
    return result, others


def _detail_context(
    request: HttpRequest,
    melding: Melding,
    *,
    bound: dict[str, f.ActionForm] | None = None,
    result: ActionResult | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    show_all = request.GET.get("history") == "all"
    entries, more = queries.timeline(melding, user, limit=TIMELINE_ALL_LIMIT if show_all else TIMELINE_LIMIT)
    is_closed = melding.closed_at is not None
    is_working = melding.is_open and not is_closed
    is_resolved = melding.status.kind == StatusKind.RESOLVED and not is_closed
    available = actions.available_actions(melding)
    # Only the common forms are rendered with the page; the others load when opened.
    forms_: dict[str, f.ActionForm] = {
        name: actions.make_form(name, melding, user) for name in actions.INLINE_ACTIONS if name in available
    }
    forms_.update(bound or {})
    stored, page_messages = _results_from_messages(request)
    result = result or stored
    partials: list[Melding] = []
    progress = (0, 0)
    filled = functools.partial(queries.section_filled, melding)
    if melding.parent_id is None and filled("partials"):
        partials = queries.partial_incidents(melding, user)
        progress = (sum(1 for p in partials if not p.is_open), len(partials))
    time_totals, time_entries = queries.time_shown(melding, user) if filled("time") else ([], [])
    now = clock.now()
    # The SLA clock replays the status history; staff see all of it, so when the timeline holds
    # everything it serves the clock too, without a query of its own.
    complete = not more and access.is_staff(user)
    history = [e for e in entries if isinstance(e, HistoryEntry)] if complete else None
    sla = services.evaluate(melding, now=now, history=history)
    shown = {*available, result.action if result else ""}
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
        "actions": actions.ACTIONS,
        "available": available,
        "result": result,
        "page_messages": page_messages,
        "show_handling": any(name in shown for name in actions.HANDLING_ACTIONS),
        "entries": entries,
        "more_entries": more and not show_all,
        "is_closed": is_closed,
        "is_working": is_working,
        "is_resolved": is_resolved,
        "partials": partials,
        "progress": progress,
        "links": queries.linked_meldingen(melding, user) if filled("links") else [],
        "time_totals": time_totals,
        "time_entries": time_entries,
        "attachments": list(
            Attachment.objects.visible_to(user)
            .filter(melding=melding)
            .select_related("uploaded_by")
            .defer(*queries.name_only("uploaded_by"))
            .order_by("-created_at")[:200]
        )
        if filled("attachments")
        else [],
        "unlink_version": melding.version,
        "ci_panel": configuration_items.melding_ci_panel(melding, user) if melding.ci_id else None,
        "mails": list(
            OutgoingMessage.objects.for_object("servicedesk.melding", melding.pk)
            .defer("body_text", "body_html", "headers")
            .order_by("-created_at", "-id")[:MAILS_SHOWN]
        )
        if filled("mails")
        else [],
    }


def _render_detail(request: HttpRequest, melding: Melding, status: int = 200, **kwargs: Any) -> HttpResponse:
    context = _detail_context(request, melding, **kwargs)
    template = "servicedesk/_detail_main.html" if is_htmx(request) else "servicedesk/melding_detail.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


def _render_action_page(
    request: HttpRequest,
    melding: Melding,
    name: str,
    *,
    form: f.ActionForm | None,
    result: ActionResult | None = None,
    status: int = 200,
) -> HttpResponse:
    """One action as a page of its own (without JavaScript), or only its form (HTMX)."""
    context = {
        "m": melding,
        "name": name,
        "spec": actions.ACTIONS[name],
        "form": form,
        "result": result,
    }
    template = "servicedesk/_action_form.html" if is_htmx(request) else "servicedesk/melding_action.html"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@require_GET
def melding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _melding_for(current_user(request), pk, page=True))


@require_GET
def operator_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the operator select for the chosen operator group (HTMX): its members."""
    group = next(
        (str(v) for k, v in request.GET.items() if k.endswith(("operator_group", "to_group"))),
        "",
    )
    chosen = next((str(v) for k, v in request.GET.items() if k.endswith("operator")), "")
    people = group_operators(group)
    return render(
        request,
        "servicedesk/_operator_options.html",
        {"people": cached_operators() if people is None else people, "chosen": chosen},
    )


@require_http_methods(["GET", "POST"])
def melding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: the action's form (HTMX: only the form; else a page of its own). POST: carry it out.

    The answer shows the result where the action was taken: with HTMX the page's main part, the
    confirmation or the error in the action's place (status 200, so the browser logs no failed
    request); without JavaScript a redirect to the action's anchor, or on an error the action's page
    with the error at its top.
    """
    user = current_user(request)
    if action not in actions.ACTIONS or (action == "unlink" and request.method == "GET"):
        raise Http404(_("Unknown action."))
    melding = _melding_for(user, pk)
    if request.method == "GET":
        if action not in actions.available_actions(melding):
            if not is_htmx(request):
                return redirect("melding-detail", pk=melding.pk)
            return render(request, "servicedesk/_action_unavailable.html", {"m": melding})
        return _render_action_page(request, melding, action, form=actions.make_form(action, melding, user))

    form = actions.make_form(action, melding, user, request.POST, request.FILES)
    error: DomainError | None = None
    if form.is_valid():
        try:
            message = actions.ACTIONS[action].handler(melding, form.cleaned_data, user)
        except DomainError as exc:
            error = exc
        else:
            if not is_htmx(request):
                messages.success(request, message, extra_tags=f"action-{action}")
                return redirect(f"{reverse('melding-detail', args=[melding.pk])}#action-{action}")
            done = ActionResult(action, message)
            return _render_detail(request, _melding_for(user, pk, page=True), result=done)
    status = error.status_code if error is not None else 400
    refused = isinstance(error, (Conflict, ReadOnly))
    if error is not None and not refused:
        apply_domain_error(form, error)
    result = ActionResult(
        action,
        error.message if refused and error is not None else _("Please correct the errors below."),
        "error",
        conflict=isinstance(error, Conflict),
    )
    current = _melding_for(user, pk) if refused else melding
    # A closed melding takes no input; on a conflict the input stays in the form to copy from.
    kept = None if isinstance(error, ReadOnly) else form
    if not is_htmx(request):
        return _render_action_page(request, current, action, form=kept, result=result, status=status)
    return _render_detail(request, current, bound={action: kept} if kept else None, result=result)


@access.gate(access.SIGNED_IN)
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


@access.gate(access.SIGNED_IN)
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


@access.gate(access.SIGNED_IN)
def portal_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = 200
    if request.method == "POST":
        form = f.PortalMeldingForm(request.POST, request.FILES, user=user)
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
                ci=data.get("ci"),
            )
            if melding is not None:
                record_portal_submission(request, melding)  # views/suggestions.py: deflection record
                messages.success(
                    request,
                    _("Thank you. Your call has number %(number)s; the servicedesk will get back to you.")
                    % {"number": melding.number},
                )
                return redirect("portal-detail", pk=melding.pk)
        status = 400
    else:
        form = f.PortalMeldingForm(user=user)
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
    from ..models import HistoryEntry, Note, Visibility

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


@access.gate(access.SIGNED_IN)
@require_GET
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    melding = _portal_melding(current_user(request), pk)
    return render(request, "servicedesk/portal_detail.html", _portal_context(request, melding))


@access.gate(access.SIGNED_IN)
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
            services.add_note(
                melding,
                text=reply_form.cleaned_data["text"],
                visibility="caller",
                actor=user,
                attachment=reply_form.cleaned_data.get("attachment"),
            )
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
