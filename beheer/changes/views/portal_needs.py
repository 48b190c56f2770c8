"""The needs of a change in the portal: the requirements with their MoSCoW priority and acceptance
criteria, the open questions asked of the signed-in person, the designs waiting for their decision,
and the client's approval or rejection of the current needs version. Nothing internal: no notes, no
stakeholder interests, no history. Only the change's client decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.knowledge.models import ApprovalRole, ArticleVersion, VersionApproval, VersionState

from .. import services
from ..forms_needs import NeedsDecisionForm
from ..models import Change, ChangeDesign, NeedsApproval, OpenQuestion, Requirement, RequirementStatus
from ..traceability import needs_status

ACCESS = access.SIGNED_IN
MAX_ROWS = 500


def waiting_designs(change: Change, user: Any) -> list[ArticleVersion]:
    """The versions of the change's designs waiting for `user`'s decision as the documents' client."""
    linked = ChangeDesign.objects.visible_to(user).filter(change=change).values("article_id")
    decided = VersionApproval.objects.filter(approver_id=user.pk, role=ApprovalRole.CLIENT).values(
        "version_id"
    )
    return list(
        ArticleVersion.objects.for_client(user)
        .filter(article__in=linked, state__in=[VersionState.REVIEW, VersionState.PUBLISHED])
        .exclude(pk__in=decided)
        .select_related("article")
        .order_by("-created_at", "-id")[:50]
    )


def portal_needs_context(
    request: HttpRequest, change: Change, form: NeedsDecisionForm | None = None
) -> dict[str, Any]:
    user = request.user
    requirements = list(
        Requirement.objects.visible_to(user).filter(change=change, status=RequirementStatus.ACTIVE)[:MAX_ROWS]
    )
    status = needs_status(change, user)
    decided = NeedsApproval.objects.filter(
        change=change, needs_version=status.version, approver_id=user.pk
    ).exists()
    can_decide = (
        bool(requirements) and change.client_id == user.pk and change.status == "open" and not decided
    )
    return {
        "needs_requirements": requirements,
        "needs_status": status,
        "needs_questions": list(
            OpenQuestion.objects.visible_to(user).filter(change=change, asked_of__person_id=user.pk)[
                :MAX_ROWS
            ]
        ),
        "needs_designs": waiting_designs(change, user) if change.client_id == user.pk else [],
        "needs_can_decide": can_decide,
        "needs_form": form or NeedsDecisionForm(initial={"needs_version": status.version}),
    }


@require_POST
def portal_needs_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's decision on the needs version they read (a rejection needs a comment)."""
    from .portal import portal_change_for, render_portal_detail

    change = portal_change_for(request, pk)
    if change is None:
        raise Http404
    form = NeedsDecisionForm(request.POST)
    if form.is_valid():
        if request.POST.get("confirm") != "1":
            form.add_error(None, _("Confirm your decision."))
        else:
            try:
                services.decide_needs(
                    change,
                    actor=current_user(request),
                    needs_version=form.cleaned_data["needs_version"],
                    approve=form.cleaned_data["decision"] == "approve",
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                from beheer.core.forms import place_domain_errors

                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your decision on the needs is recorded."))
                return redirect("portal-change", pk=change.pk)
    return render_portal_detail(request, change, needs_form=form, status=400)
