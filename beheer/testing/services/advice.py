"""The tester's advice on a change (testadvies): go, go with conditions or no-go, with the reasons,
recorded on the test plan with who gave it and when. The advice closes the test report.

Rules: staff only; the advice is one of `Advice`; the text is required for "go with conditions"
(which conditions) and "no-go" (why not), optional for "go"; the plan is read at the version the
tester saw; the plan of a closed change is read-only. Saving the same advice and text again changes
nothing (no new version, no trail row).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import DomainError

from ..models import Advice, TestingAction, TestPlan
from . import _base

NEEDS_TEXT = (Advice.GO_WITH_CONDITIONS, Advice.NO_GO)


@transaction.atomic
def give_advice(
    plan: TestPlan, *, actor: User, expected_version: int | None, advice: str, text: str
) -> TestPlan:
    """Record the tester's advice on `plan` (a value of `Advice`) with its explanation `text`."""
    current = _base.lock_plan(plan, actor, expected_version)
    if advice not in Advice.values:
        message = _("Choose go, go with conditions or no-go.")
        raise DomainError(message, field_errors={"advice": message})
    explained = _text(text, required=advice in NEEDS_TEXT)
    if current.advice == advice and current.advice_text == explained:
        return current
    old = current.advice
    now = clock.now()
    current.advice = advice
    current.advice_text = explained
    current.advised_by = actor
    current.advised_at = now
    current.updated_at = now
    current.version += 1
    current.save(update_fields=["advice", "advice_text", "advised_by", "advised_at", "updated_at", "version"])
    _base.record(
        current, actor, TestingAction.ADVICE, at=now, field="advice", old=old, new=advice, detail=explained
    )
    return current


def _text(value: str, *, required: bool) -> str:
    if required and not (value or "").strip():
        message = _("Say which conditions apply, or why the change should not go ahead.")
        raise DomainError(message, field_errors={"text": message})
    return _base.text(value, field="text", label=_("Explanation"))
