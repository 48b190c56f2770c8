"""Findings of a test plan (minimal: recording one)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock

from ..models import ParticipantCase, Severity, TestFinding, TestPlan, TestResult
from ._base import TITLE_MAX, next_number, record, text


@transaction.atomic
def record_finding(
    plan: TestPlan,
    *,
    actor: User,
    title: str,
    description: str = "",
    severity: str = "medium",
    result: TestResult | None = None,
    participant_case: ParticipantCase | None = None,
) -> TestFinding:
    """A finding of `plan`, numbered within the plan, with the trail's entry."""
    title = text(title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)
    description = text(description, field="description", label=_("Description"))
    if severity not in Severity.values:
        severity = Severity.MEDIUM
    finding = TestFinding.objects.create(
        plan=plan,
        number=next_number(plan, "finding_counter"),
        title=title,
        description=description,
        severity=severity,
        result=result,
        participant_case=participant_case,
        created_by=actor,
        created_at=clock.now(),
    )
    record(plan, actor, "finding", field="finding", new=f"{finding.number} {finding.title}"[:200])
    return finding
