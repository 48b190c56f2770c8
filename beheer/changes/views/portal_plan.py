"""The plan of a change in the portal: its client sees the activities with their dates and approves
the current version of the plan (the needs and the work planning, B1-K1-W1). Nothing internal: no
assignees, estimates, means or history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import BeheerForm, place_domain_errors

from .. import services
from ..models import Change, ChangeActivity, PlanApproval
from ..services._base import plan_version

ACCESS = access.SIGNED_IN
MAX_ROWS = 100


class PlanApprovalForm(BeheerForm):
    plan_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def portal_plan_context(
    request: HttpRequest, change: Change, form: PlanApprovalForm | None = None
) -> dict[str, Any]:
    """What the portal page shows of the plan: only for the change's client."""
    user = request.user
    if change.client_id is None or change.client_id != getattr(user, "pk", None):
        return {"plan": None}
    activities = list(
        ChangeActivity.objects.planned_for_client(user)
        .filter(change=change)
        .only("pk", "title", "planned_start", "planned_end", "done_at", "order")
        .order_by("planned_start", "order", "id")[:MAX_ROWS]
    )
    version = plan_version(change)
    approval = (
        PlanApproval.objects.filter(change=change, plan_version=version)
        .select_related("approved_by")
        .order_by("-approved_at")
        .first()
    )
    return {
        "plan": {
            "activities": activities,
            "version": version,
            "approval": approval,
            "can_approve": approval is None and bool(activities) and change.status == "open",
        },
        "plan_form": form or PlanApprovalForm(initial={"plan_version": version}),
    }


@require_POST
def portal_plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The client approves the version of the plan they read."""
    from .portal import portal_change_for, render_portal_detail

    change = portal_change_for(request, pk)
    if change is None or change.client_id != request.user.pk:
        raise Http404
    form = PlanApprovalForm(request.POST)
    if form.is_valid():
        if request.POST.get("confirm") != "1":
            form.add_error(None, _("Confirm your decision."))
        else:
            try:
                services.approve_plan(
                    change,
                    actor=current_user(request),
                    expected_plan_version=form.cleaned_data["plan_version"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your approval of the plan is recorded."))
                return redirect("portal-change", pk=change.pk)
    return render_portal_detail(request, change, plan_form=form, status=400)
