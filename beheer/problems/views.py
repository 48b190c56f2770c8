"""The problem screens (operators, coordinators, administrators): list, register, page, actions, resolve.

Thin adapters: parse a form, call one problem service, redirect (or re-render with the errors). Every
action is a plain POST followed by a redirect; destructive ones ask for confirmation first. Callers get
403 on every problem page and never see anything of a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import Conflict, DomainError, ReadOnly
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import page_for_request
from beheer.knowledge.models import Article
from beheer.servicedesk.models import Melding

from . import forms as pf
from . import services
from .models import Problem, ProblemHistoryEntry, ProblemMelding, ProblemStatus
from .queries import ORDER, filter_problems, link_choices, open_counts
from .workflow import allowed_actions

ACCESS = access.STAFF

PAGE_SIZE = 50
LINKED_SHOWN = 500
HISTORY_SHOWN = 300


# --------------------------------------------------------------------------------------------------
# list


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = pf.ProblemFilterForm(request.GET)
    form.is_valid()
    qs = filter_problems(Problem.objects.visible_to(user), form.cleaned_data).for_list()
    page = page_for_request(request, qs, ORDER, size=PAGE_SIZE)
    counts = open_counts([p.pk for p in page.items])
    rows = [(p, counts.get(p.pk, (0, 0))) for p in page.items]
    params = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
    next_url = f"?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else ""
    return render(
        request,
        "problems/problem_list.html",
        {"form": form, "page": page, "rows": rows, "next_url": next_url, "is_first_page": page.is_first},
    )


# --------------------------------------------------------------------------------------------------
# register and edit


def problem_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = pf.ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            problem = services.open_problem(
                actor=user,
                title=d["title"],
                description=d["description"],
                impact=d["impact"],
                urgency=d["urgency"],
                operator_group=d["operator_group"],
                operator=d["operator"],
                root_cause=d["root_cause"],
                workaround=d["workaround"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(
                request, _("Problem %(number)s has been registered.") % {"number": problem.number}
            )
            return redirect("problem-detail", pk=problem.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "problems/problem_form.html", {"form": form, "problem": None}, status=status)


def _problem_for(user: User, pk: int) -> Problem:
    problem = (
        Problem.objects.visible_to(user)
        .select_related(
            "impact", "urgency", "priority", "operator_group", "operator", "known_error_article", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404(_("Problem not found."))
    return problem


def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    problem = _problem_for(user, pk)
    form = pf.ProblemForm(request.POST or None, problem=problem)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.edit_problem(
                    problem,
                    actor=user,
                    expected_version=d["version"],
                    title=d["title"],
                    description=d["description"],
                    impact=d["impact"],
                    urgency=d["urgency"],
                    root_cause=d["root_cause"],
                    workaround=d["workaround"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The problem has been saved."))
                return redirect("problem-detail", pk=problem.pk)
    return render(request, "problems/problem_form.html", {"form": form, "problem": problem}, status=status)


# --------------------------------------------------------------------------------------------------
# the problem page and its actions


@dataclass(frozen=True)
class ActionSpec:
    form: type[pf.ProblemActionForm]
    handler: Callable[[Problem, dict[str, Any], User], str]


def _analyse(p: Problem, d: dict[str, Any], u: User) -> str:
    services.analyse_problem(p, actor=u, expected_version=d["version"])
    return _("The problem is being analysed.")


def _known_error(p: Problem, d: dict[str, Any], u: User) -> str:
    services.mark_known_error(p, actor=u, expected_version=d["version"])
    return _("The problem is now a known error.")


def _close(p: Problem, d: dict[str, Any], u: User) -> str:
    services.close_problem(p, actor=u, expected_version=d["version"])
    return _("The problem has been closed.")


def _reopen(p: Problem, d: dict[str, Any], u: User) -> str:
    services.reopen_problem(p, reason=d["reason"], actor=u, expected_version=d["version"])
    return _("The problem has been reopened.")


def _assign(p: Problem, d: dict[str, Any], u: User) -> str:
    services.assign_problem(
        p, operator_group=d["operator_group"], operator=d["operator"], actor=u, expected_version=d["version"]
    )
    return _("The assignment has been saved.")


def _link(p: Problem, d: dict[str, Any], u: User) -> str:
    services.link_melding(p, melding=d["number"], actor=u)
    return _("Call %(number)s has been linked.") % {"number": d["number"].number}


def _unlink(p: Problem, d: dict[str, Any], u: User) -> str:
    services.unlink_melding(p, melding=d["melding"], actor=u)
    return _("The link has been removed.")


def _article(p: Problem, d: dict[str, Any], u: User) -> str:
    services.create_known_error_article(
        p, actor=u, expected_version=d["version"], title=d["title"], audience=d["audience"]
    )
    return _("A draft known-error article has been created.")


def _link_article(p: Problem, d: dict[str, Any], u: User) -> str:
    services.link_known_error_article(p, article=d["article"], actor=u, expected_version=d["version"])
    return _("The known-error article has been linked.")


def _unlink_article(p: Problem, d: dict[str, Any], u: User) -> str:
    services.link_known_error_article(p, article=None, actor=u, expected_version=d["version"])
    return _("The known-error article has been unlinked.")


ACTIONS: dict[str, ActionSpec] = {
    "analyse": ActionSpec(pf.AnalyseForm, _analyse),
    "known_error": ActionSpec(pf.KnownErrorForm, _known_error),
    "close": ActionSpec(pf.CloseForm, _close),
    "reopen": ActionSpec(pf.ReopenForm, _reopen),
    "assign": ActionSpec(pf.AssignForm, _assign),
    "link": ActionSpec(pf.LinkMeldingForm, _link),
    "unlink": ActionSpec(pf.UnlinkMeldingForm, _unlink),
    "article": ActionSpec(pf.CreateArticleForm, _article),
    "link_article": ActionSpec(pf.LinkArticleForm, _link_article),
    "unlink_article": ActionSpec(pf.UnlinkArticleForm, _unlink_article),
}


def _available(problem: Problem, user: User) -> list[str]:
    if problem.status == ProblemStatus.CLOSED:
        return []
    names = [a for a in allowed_actions(problem.status) if a != "resolve"]
    if "close" in names and not user.is_coordinator:
        names.remove("close")
    names += ["assign", "link", "unlink"]
    names += ["unlink_article"] if problem.known_error_article_id else ["article", "link_article"]
    return names


def _detail_context(
    request: HttpRequest, problem: Problem, *, bound: dict[str, pf.ProblemActionForm] | None = None
) -> dict[str, Any]:
    user = current_user(request)
    available = _available(problem, user)
    forms_: dict[str, pf.ProblemActionForm] = {
        name: ACTIONS[name].form(problem=problem, user=user) for name in available
    }
    forms_.update(bound or {})
    linked = list(
        Melding.objects.visible_to(user)
        .filter(problem_link__problem=problem)
        .select_related("status", "operator_group", "operator", "priority")
        .order_by("-is_open", "id")[:LINKED_SHOWN]
    )
    history = list(
        ProblemHistoryEntry.objects.visible_to(user)
        .filter(problem=problem)
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_SHOWN]
    )
    return {
        "p": problem,
        "forms": forms_,
        "open_action": next(iter(bound)) if bound else "",
        "linked": linked,
        "open_linked": sum(1 for m in linked if m.is_open),
        "history": history,
        "can_resolve": "resolve" in allowed_actions(problem.status)
        or problem.status == ProblemStatus.RESOLVED,
        "is_closed": problem.status == ProblemStatus.CLOSED,
        "article_visible": problem.known_error_article_id is not None
        and Article.objects.visible_to(user).filter(pk=problem.known_error_article_id).exists(),
    }


@require_GET
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem_for(current_user(request), pk)
    return render(request, "problems/problem_detail.html", _detail_context(request, problem))


@require_POST
def problem_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = current_user(request)
    problem = _problem_for(user, pk)
    if action not in ACTIONS:
        raise Http404(_("Unknown action."))
    form = ACTIONS[action].form(request.POST, problem=problem, user=user)
    status = 400
    if form.is_valid():
        try:
            message = ACTIONS[action].handler(problem, form.cleaned_data, user)
        except DomainError as exc:
            status = exc.status_code
            if isinstance(exc, (Conflict, ReadOnly)):
                messages.error(request, exc.message)
                problem = _problem_for(user, pk)
            else:
                place_domain_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("problem-detail", pk=problem.pk)
    context = _detail_context(request, problem, bound={action: form})
    return render(request, "problems/problem_detail.html", context, status=status)


# --------------------------------------------------------------------------------------------------
# resolve: a confirmation screen with the linked meldingen, then a report per melding


def _open_linked(problem: Problem, user: User) -> list[Melding]:
    return list(
        Melding.objects.visible_to(user)
        .filter(problem_link__problem=problem, is_open=True)
        .select_related("status")
        .order_by("id")[:LINKED_SHOWN]
    )


def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    problem = _problem_for(user, pk)
    if problem.status == ProblemStatus.CLOSED or not (
        "resolve" in allowed_actions(problem.status) or problem.status == ProblemStatus.RESOLVED
    ):
        messages.error(request, _("This problem cannot be resolved now."))
        return redirect("problem-detail", pk=problem.pk)
    open_meldingen = _open_linked(problem, user)
    form = pf.ResolveForm(request.POST or None, problem=problem, user=user, open_meldingen=open_meldingen)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = services.resolve_problem(
                    problem,
                    solution=d.get("solution") or "",
                    resolve_meldingen=d["meldingen"],
                    note_others=d["note_others"],
                    actor=user,
                    expected_version=d["version"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The problem has been resolved."))
                return render(
                    request, "problems/problem_resolved.html", {"p": result.problem, "result": result}
                )
    return render(
        request,
        "problems/problem_resolve.html",
        {"p": problem, "form": form, "open_meldingen": open_meldingen},
        status=status,
    )


# --------------------------------------------------------------------------------------------------
# from the melding page: link the melding to a problem, or unlink it


def _melding(user: User, pk: int) -> Melding:
    melding = Melding.objects.visible_to(user).filter(pk=pk).first()
    if melding is None:
        raise Http404(_("Call not found."))
    return melding


@require_GET
def melding_problem_choices(request: HttpRequest, pk: int) -> HttpResponse:
    """The open problems to link a melding to (the options of the link form's list), asked for
    when the form is opened, so the melding page does not query and render them every time."""
    user = current_user(request)
    _melding(user, pk)
    return render(request, "problems/_problem_choices.html", {"choices": link_choices(user)})


@require_POST
def melding_problem_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    melding = _melding(user, pk)
    form = pf.MeldingProblemForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for e in form.errors.get("problem", [])))
    else:
        problem = form.cleaned_data["problem"]
        try:
            services.link_melding(problem, melding=melding, actor=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The call has been linked to problem %(number)s.") % {"number": problem.number}
            )
    return redirect(reverse("melding-detail", args=[melding.pk]))


@require_POST
def melding_problem_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    melding = _melding(user, pk)
    link = ProblemMelding.objects.visible_to(user).filter(melding=melding).select_related("problem").first()
    problem = link.problem if link is not None else None
    if problem is not None:
        try:
            services.unlink_melding(problem, melding=melding, actor=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The link has been removed."))
    return redirect(reverse("melding-detail", args=[melding.pk]))
