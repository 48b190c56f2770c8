"""The coordinators' configuration of changes: phases, the risk matrix, approval rules, templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError

from .. import services
from ..forms import ApprovalRuleForm, PhaseForm, RiskCellForm, TemplateForm
from ..models import ApprovalRule, ChangeTemplate, Likelihood, Phase, RiskImpact, RiskMatrixCell
from .changes import place_errors

ACCESS = access.COORDINATORS


@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    cells = {(c.likelihood, c.impact): c.level for c in RiskMatrixCell.objects.select_related("level")}
    matrix = [
        (label, [(impact, cells.get((value, impact))) for impact, _label in RiskImpact.choices])
        for value, label in Likelihood.choices
    ]
    return render(
        request,
        "changes/settings.html",
        {
            "phases": Phase.objects.order_by("order", "id"),
            "impacts": RiskImpact.choices,
            "matrix": matrix,
            "risk_form": RiskCellForm(),
            "rules": ApprovalRule.objects.select_related("operator_group").order_by("kind"),
            "templates": ChangeTemplate.objects.order_by("name", "id"),
        },
    )


@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = Phase.objects.filter(pk=pk).first()
    if phase is None:
        raise Http404
    form = PhaseForm(
        request.POST or None,
        initial={
            "name_nl": phase.name_nl,
            "name_en": phase.name_en,
            "order": phase.order,
            "active": phase.active,
            "version": phase.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_phase(
                phase,
                actor=current_user(request),
                expected_version=form.cleaned_data["version"],
                name_nl=form.cleaned_data["name_nl"],
                name_en=form.cleaned_data["name_en"],
                order=form.cleaned_data["order"],
                active=form.cleaned_data["active"],
            )
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("The phase has been saved."))
            return redirect("change-settings")
    return render(request, "changes/config_form.html", {"form": form, "heading": phase.name})


@require_POST
def risk_cell(request: HttpRequest) -> HttpResponse:
    form = RiskCellForm(request.POST)
    if form.is_valid():
        try:
            services.set_risk_cell(actor=current_user(request), **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The risk matrix has been saved."))
    else:
        messages.error(request, _("Choose a likelihood, an impact and a risk level."))
    return redirect("change-settings")


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = ApprovalRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = ApprovalRuleForm(
        request.POST or None,
        initial={
            "operator_group": rule.operator_group_id,
            "service_owners": rule.service_owners,
            "rule": rule.rule,
            "version": rule.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_approval_rule(
                rule,
                actor=current_user(request),
                operator_group=d["operator_group"],
                service_owners=d["service_owners"],
                decision_rule=d["rule"],
                expected_version=d["version"],
            )
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("The approval rule has been saved."))
            return redirect("change-settings")
    return render(request, "changes/config_form.html", {"form": form, "heading": rule.get_kind_display()})


def _lines(text: str) -> list[services.ActivityLine]:
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        title, _sep, minutes = raw.rpartition(";") if ";" in raw else (raw, "", "0")
        estimate = int(minutes.strip()) if minutes.strip().isdigit() and len(minutes.strip()) < 7 else 0
        lines.append(services.ActivityLine(title.strip(), estimate))
    return lines


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = ChangeTemplate.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and template is None:
        raise Http404
    initial = {}
    if template is not None:
        initial = {
            "name": template.name,
            "title": template.title,
            "description": template.description,
            "operator_group": template.operator_group_id,
            "active": template.active,
            "version": template.version,
            "activities": "\n".join(f"{a.title}; {a.estimate_minutes}" for a in template.activities.all()),
        }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if template is None:
                services.create_template(
                    actor=current_user(request),
                    name=d["name"],
                    title=d["title"],
                    description=d["description"],
                    operator_group=d["operator_group"],
                    activities=_lines(d["activities"]),
                )
            else:
                services.update_template(
                    template,
                    actor=current_user(request),
                    expected_version=d["version"],
                    name=d["name"],
                    title=d["title"],
                    description=d["description"],
                    operator_group=d["operator_group"],
                    active=d["active"],
                    activities=_lines(d["activities"]),
                )
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("The template has been saved."))
            return redirect("change-settings")
    heading = template.name if template is not None else _("New template")
    return render(request, "changes/config_form.html", {"form": form, "heading": heading})
