"""The SLA check screen: a proposal form and, once submitted, the replayed figures. Saves nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beheer.core import access
from beheer.core.errors import DomainError

from .. import sla_check
from ..forms import SlaCheckForm

ACCESS = access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Only coordinators can check an SLA."))


@require_GET
def sla_check_view(request: HttpRequest) -> HttpResponse:
    """GET only: the form submits to itself with ``run=1`` so a check can be bookmarked and shared."""
    user = request.user
    result: sla_check.CheckResult | None = None
    policy: sla_check.PolicyDefaults | None = None
    if request.GET.get("run"):
        form = SlaCheckForm(request.GET)
        proposal = form.proposal()
        if proposal is not None:
            try:
                result = sla_check.run_check(proposal, user=user)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        form = SlaCheckForm()
        raw = request.GET.get("policy", "")
        if raw:
            policy = sla_check.policy_defaults(int(raw)) if raw.isdigit() and len(raw) < 12 else None
            if policy is None:
                messages.error(request, _("That SLA policy does not exist."))
            else:
                form.apply_policy(policy)
    return render(
        request,
        "reports/sla_check.html",
        {"form": form, "result": result, "policy": policy},
    )
