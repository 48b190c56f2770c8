"""What the register shows on the pages of the apps below it, registered in `RightsConfig.ready()`:
the CI page's "Access rights" panel (`cmdb.extensions`) and the person page's rights
(`accounts.extensions`). Each reads a bounded number of rows in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from beheer.core import access

from .models import RIGHT_CI_KINDS, AccessPolicy, AccessRight, RightStatus

SHOWN = 50


def ci_section(request: Any, ci: Any) -> str:
    """The CI's live rights (requested, approved, granted) and its approver; staff only, and only
    on applications and services. Three queries."""
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    kind = getattr(getattr(ci, "ci_type", None), "kind", None)
    if kind not in RIGHT_CI_KINDS:
        return ""
    rows = list(
        AccessRight.objects.visible_to(user)
        .live()
        .filter(ci=ci)
        .select_related("person")
        .order_by("status", "person__last_name", "id")[: SHOWN + 1]
    )
    policy = AccessPolicy.objects.filter(ci=ci).select_related("approver").first()
    owner = None
    if policy is None or policy.approver is None:
        owner = type(ci).objects.filter(pk=ci.pk).select_related("owner").first()
    approver = policy.approver if policy is not None and policy.approver else getattr(owner, "owner", None)
    return render_to_string(
        "rights/_ci_section.html",
        {
            "ci": ci,
            "rows": rows[:SHOWN],
            "more": len(rows) > SHOWN,
            "policy": policy,
            "approver": approver,
        },
        request=request,
    )


def person_section(person: Any) -> str:
    """The rights a person holds (granted), for the person's page (coordinators and up). One query."""
    rows = list(
        AccessRight.objects.filter(person=person, status=RightStatus.GRANTED)
        .select_related("ci")
        .order_by("ci__name", "right", "id")[: SHOWN + 1]
    )
    return render_to_string(
        "rights/_person_section.html", {"person": person, "rows": rows[:SHOWN], "more": len(rows) > SHOWN}
    )
