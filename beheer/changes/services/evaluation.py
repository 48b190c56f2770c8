"""The evaluation of a change: feedback asked of stakeholders and their answers, findings and lessons
learned, follow-up actions (each converted once into a call, a change or a knowledge article draft)
and the advice of the final report.

Evaluation work starts once the change has reached the evaluation phase (or is closed) and goes on
after it closed; a cancelled change is read-only.

A feedback request carries a random secret: only its SHA-256 is stored; the link in the e-mail
holds the secret itself. The link works once and expires after `FEEDBACK_DAYS` days. Unknown secrets
are counted per address with the sign-in throttle of accounts, so guessing links is as slow as
guessing passwords. A stakeholder who is a Beheer user may also answer in the portal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly, TooManyAttempts
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Audience, Kind
from beheer.notifications import services as notifications
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType

from .. import workflow
from ..models import (
    Change,
    ChangeAction,
    ChangeKind,
    ChangeStatus,
    Evaluation,
    FeedbackRequest,
    Finding,
    FindingCategory,
    FindingKind,
    FollowUp,
    FollowUpTarget,
    Stakeholder,
)
from ..models.evaluation import SATISFACTION_MAX, SATISFACTION_MIN
from ._base import lock_change, phase_code, record, save
from .changes import ChangeData, create_change

FEEDBACK_DAYS = 30
TOKEN_BYTES = 32
TOKEN_MAX = 100
ANSWER_MAX = 4000
TEXT_MAX = 4000
MAX_FINDINGS = 200
MAX_FOLLOW_UPS = 100
MAX_REQUESTS = 1000
BRIEF_MAX = 80


@history.stored_text
def _follow_up_of(number: str) -> str:
    return _("Follow-up of change %(number)s.") % {"number": number}


# -- shared ------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_evaluate(change: Change) -> bool:
    """Has the change reached its evaluation (the phase, or closed), and is it not cancelled?"""
    if change.status == ChangeStatus.CANCELLED:
        return False
    return change.status == ChangeStatus.CLOSED or phase_code(change) == workflow.EVALUATION


def _lock_for_evaluation(change: Change, actor: User) -> Change:
    access.ensure_staff(actor)
    current = lock_change(change, actor, None, closed_ok=True)
    if current.status == ChangeStatus.CANCELLED:
        raise ReadOnly(
            _("Change %(number)s is cancelled and can no longer be changed.") % {"number": current.number}
        )
    if not can_evaluate(current):
        raise DomainError(_("The evaluation starts when the change is in the evaluation phase."))
    return current


def feedback_link(token: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("change-feedback-answer", args=[token])


# -- feedback requests -------------------------------------------------------------------------------


@transaction.atomic
def request_feedback(
    change: Change, *, actor: User, stakeholders: Sequence[Stakeholder]
) -> list[FeedbackRequest]:
    """Ask the chosen stakeholders of `change` for feedback: one request each, with its own link,
    mailed through the outbox. A stakeholder with an open request (not answered, not expired) is
    skipped; the requests made are returned."""
    current = _lock_for_evaluation(change, actor)
    ids = {s.pk for s in stakeholders}
    if not ids:
        message = _("Choose at least one stakeholder.")
        raise DomainError(message, field_errors={"stakeholders": message})
    rows = list(Stakeholder.objects.filter(change=current, pk__in=ids).select_related("person"))
    if len(rows) != len(ids):
        message = _("Choose stakeholders of this change.")
        raise DomainError(message, field_errors={"stakeholders": message})
    unreachable = [s.name for s in rows if not s.address and not (s.person and s.person.is_active)]
    if unreachable:
        message = _("No e-mail address for: %(names)s.") % {"names": ", ".join(unreachable)}
        raise DomainError(message, field_errors={"stakeholders": message})
    now = clock.now()
    waiting = set(
        FeedbackRequest.objects.filter(
            change=current, stakeholder__in=rows, answered_at__isnull=True, expires_at__gt=now
        ).values_list("stakeholder_id", flat=True)
    )
    fresh = [s for s in rows if s.pk not in waiting]
    if FeedbackRequest.objects.filter(change=current).count() + len(fresh) > MAX_REQUESTS:
        raise DomainError(_("A change has at most %(max)d feedback requests.") % {"max": MAX_REQUESTS})
    made: list[FeedbackRequest] = []
    expires = now + timedelta(days=FEEDBACK_DAYS)
    last_day = formats.date_format(timezone.localtime(expires), "d-m-Y")
    for stakeholder in fresh:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = FeedbackRequest.objects.create(
            change=current,
            stakeholder=stakeholder,
            person=stakeholder.person,
            name=stakeholder.name,
            email=stakeholder.address,
            token_hash=token_digest(token),
            requested_at=now,
            requested_by=actor,
            expires_at=expires,
        )
        made.append(row)
        person = stakeholder.person
        recipient: notifications.RecipientSpec = (
            person
            if person is not None and person.is_active and person.email
            else notifications.Recipient(address=stakeholder.address, name=stakeholder.name)
        )
        notifications.enqueue(
            "change_feedback_requested",
            key=f"change:{current.pk}:feedback:{row.pk}",
            recipients=[recipient],
            context={
                "change_number": current.number,
                "change_title": current.title,
                "link_url": feedback_link(token),
                "expires_on": last_day,
            },
            object_ref=("changes.change", current.pk),
        )
    if made:
        record(
            current,
            actor,
            ChangeAction.FEEDBACK_REQUESTED,
            at=now,
            field="feedback",
            detail=", ".join(r.name for r in made),
        )
        save(current, ())
    return made


def feedback_for_token(token: str, *, address: str) -> FeedbackRequest:
    """The request a feedback link's secret belongs to (answered or expired ones too: the page says
    so). An unknown secret counts as a failed attempt for the address; too many refuse every link
    from it for a while (TooManyAttempts). Not atomic: the count must stay when NotFound follows."""
    key = f"feedback-link {address}"
    if accounts.login_throttled(username=key, address=address):
        raise TooManyAttempts(_("Too many wrong links. Wait a quarter of an hour and try again."))
    token = (token or "").strip()
    digest = token_digest(token) if 0 < len(token) <= TOKEN_MAX else ""
    found = (
        FeedbackRequest.objects.select_related("change", "change__phase").filter(token_hash=digest).first()
        if digest
        else None
    )
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        accounts.begin_login_attempt(username=key, address=address)
        raise NotFound(_("This feedback link is not valid."))
    return found


def is_expired(row: FeedbackRequest) -> bool:
    return row.answered_at is None and row.expires_at <= clock.now()


@transaction.atomic
def answer_feedback(
    feedback: FeedbackRequest,
    *,
    actor: User | None,
    satisfaction: int | None,
    went_well: str = "",
    could_be_better: str = "",
    may_contact: bool = False,
) -> FeedbackRequest:
    """The stakeholder's answer, once. `actor` is the signed-in person the request is addressed to,
    or None for an answer through the e-mail link (the caller found the request by its secret)."""
    if actor is not None:
        if not actor.is_active:
            raise PermissionDenied(_("Your account is inactive."))
        rows = FeedbackRequest.objects.filter(person_id=actor.pk)
    else:
        rows = FeedbackRequest.objects.all()
    found = checks.locked(rows, feedback.pk)
    if found is None:
        raise NotFound(_("Feedback request not found."))
    if found.answered_at is not None:
        raise Conflict(_("This feedback has already been given. Thank you!"))
    now = clock.now()
    if found.expires_at <= now:
        raise ReadOnly(_("This feedback request has expired."))
    if found.change.status == ChangeStatus.CANCELLED:
        raise ReadOnly(_("This change has been cancelled: no feedback is needed any more."))
    errors: dict[str, str] = {}
    if satisfaction is None or not SATISFACTION_MIN <= satisfaction <= SATISFACTION_MAX:
        errors["satisfaction"] = _("Choose a score from 1 to 5.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    found.went_well = checks.checked_text(
        went_well, field="went_well", label=_("What went well"), max_length=ANSWER_MAX
    )
    found.could_be_better = checks.checked_text(
        could_be_better, field="could_be_better", label=_("What could be better"), max_length=ANSWER_MAX
    )
    found.satisfaction = satisfaction
    found.may_contact = bool(may_contact)
    found.answered_at = now
    found.save(update_fields=["went_well", "could_be_better", "satisfaction", "may_contact", "answered_at"])
    record(
        found.change,
        actor,
        ChangeAction.FEEDBACK_ANSWERED,
        at=now,
        field="feedback",
        new=f"{satisfaction}/5",
        detail=found.name,
    )
    return found


def answer_feedback_by_token(
    token: str,
    *,
    address: str,
    satisfaction: int | None,
    went_well: str = "",
    could_be_better: str = "",
    may_contact: bool = False,
) -> FeedbackRequest:
    """An answer through the e-mail link, without signing in."""
    found = feedback_for_token(token, address=address)
    return answer_feedback(
        found,
        actor=None,
        satisfaction=satisfaction,
        went_well=went_well,
        could_be_better=could_be_better,
        may_contact=may_contact,
    )


# -- findings and lessons ----------------------------------------------------------------------------


@transaction.atomic
def add_finding(
    change: Change,
    *,
    actor: User,
    text: str,
    kind: str = FindingKind.FINDING,
    category: str = FindingCategory.OTHER,
) -> Finding:
    """A finding of the evaluation, or a lesson learned (`kind`), in a category."""
    current = _lock_for_evaluation(change, actor)
    errors: dict[str, str] = {}
    if kind not in FindingKind.values:
        errors["kind"] = _("Unknown kind.")
    if category not in FindingCategory.values:
        errors["category"] = _("Unknown category.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    text = checks.checked_text(text, field="text", label=_("Text"), required=True, max_length=TEXT_MAX)
    if Finding.objects.filter(change=current).count() >= MAX_FINDINGS:
        message = _("A change has at most %(max)d findings and lessons.") % {"max": MAX_FINDINGS}
        raise DomainError(message, field_errors={"text": message})
    now = clock.now()
    finding = Finding.objects.create(
        change=current, kind=kind, category=category, text=text, created_at=now, created_by=actor
    )
    record(
        current,
        actor,
        ChangeAction.FINDING_ADDED,
        at=now,
        field="findings",
        new=str(finding.get_kind_display()),
        detail=text,
    )
    save(current, ())
    return finding


@transaction.atomic
def remove_finding(finding: Finding, *, actor: User) -> None:
    current = _lock_for_evaluation(finding.change, actor)
    found = Finding.objects.filter(change=current, pk=finding.pk).first()
    if found is None:
        raise NotFound(_("Finding not found."))
    found.delete()
    record(
        current,
        actor,
        ChangeAction.FINDING_REMOVED,
        field="findings",
        old=str(found.get_kind_display()),
        detail=found.text,
    )
    save(current, ())


# -- follow-up actions -------------------------------------------------------------------------------


@transaction.atomic
def add_follow_up(change: Change, *, actor: User, title: str, description: str = "") -> FollowUp:
    current = _lock_for_evaluation(change, actor)
    title = checks.checked_text(title, field="title", label=_("Title"), required=True, max_length=200)
    description = checks.checked_text(
        description, field="description", label=_("Description"), max_length=TEXT_MAX
    )
    if FollowUp.objects.filter(change=current).count() >= MAX_FOLLOW_UPS:
        message = _("A change has at most %(max)d follow-up actions.") % {"max": MAX_FOLLOW_UPS}
        raise DomainError(message, field_errors={"title": message})
    now = clock.now()
    row = FollowUp.objects.create(
        change=current, title=title, description=description, created_at=now, created_by=actor
    )
    record(current, actor, ChangeAction.FOLLOW_UP_ADDED, at=now, field="follow_ups", new=title)
    save(current, ())
    return row


def follow_up_target(row: FollowUp) -> str:
    """What a converted follow-up became, as its number: M0000123, W0000045 or KB-12."""
    if row.melding_id:
        return row.melding.number if row.melding else ""
    if row.new_change_id:
        return row.new_change.number if row.new_change else ""
    if row.article_id:
        return f"KB-{row.article_id}"
    return ""


@transaction.atomic
def convert_follow_up(follow_up: FollowUp, *, actor: User, to: str) -> FollowUp:
    """Turn a follow-up action into a call, a new change (of the same client, coordinator and
    project) or a knowledge article draft, in one step, and link it. A follow-up is converted once:
    a second conversion is refused (Conflict), whatever it would become."""
    current = _lock_for_evaluation(follow_up.change, actor)
    found = checks.locked(FollowUp.objects.filter(change=current), follow_up.pk)
    if found is None:
        raise NotFound(_("Follow-up action not found."))
    if to not in FollowUpTarget.values:
        message = _("Choose a call, a change or a knowledge article.")
        raise DomainError(message, field_errors={"to": message})
    if found.converted_to:
        raise Conflict(
            _("This follow-up action has already been converted to %(target)s.")
            % {"target": found.get_converted_to_display()}
        )
    origin = _follow_up_of(current.number)
    text = f"{found.description}\n\n{origin}".strip()
    now = clock.now()
    fields = ["converted_to", "converted_at", "converted_by"]
    if to == FollowUpTarget.MELDING:
        caller = current.coordinator if current.coordinator and current.coordinator.is_active else actor
        found.melding = servicedesk.open_melding(
            actor=actor,
            brief_description=found.title[:BRIEF_MAX],
            request=text if len(found.title) <= BRIEF_MAX else f"{found.title}\n\n{text}",
            entry_type=EntryType.DESK,
            caller=caller,
        )
        fields.append("melding")
    elif to == FollowUpTarget.CHANGE:
        found.new_change = create_change(
            actor=actor,
            data=ChangeData(
                title=found.title,
                description=text,
                kind=ChangeKind.NORMAL,
                requester=actor,
                client=current.client,
                coordinator=current.coordinator,
                operator_group=current.operator_group,
                project=current.project,
            ),
        )
        fields.append("new_change")
    else:
        found.article = knowledge.create_article(
            actor=actor,
            title=found.title,
            body=knowledge.escape_markdown(text),
            kind=Kind.PROCEDURE_OTHER,
            audience=Audience.OPERATORS,
            change_note=origin,
        )
        fields.append("article")
    found.converted_to = to
    found.converted_at = now
    found.converted_by = actor
    found.save(update_fields=fields)
    record(
        current,
        actor,
        ChangeAction.FOLLOW_UP_CONVERTED,
        at=now,
        field="follow_ups",
        old=found.title,
        new=follow_up_target(found),
    )
    save(current, ())
    return found


# -- advice ------------------------------------------------------------------------------------------


def evaluation_of(change: Change) -> Evaluation | None:
    return Evaluation.objects.filter(change_id=change.pk).first()


@transaction.atomic
def set_advice(change: Change, *, actor: User, advice: str, expected_version: int | None) -> Evaluation:
    """The coordinator's advice for the final report, at the version of the evaluation they read (0
    before anybody wrote one)."""
    current = _lock_for_evaluation(change, actor)
    advice = checks.checked_text(advice, field="advice", label=_("Advice"), max_length=TEXT_MAX * 5)
    row = Evaluation.objects.select_for_update().filter(change=current).first()
    changed = _("Somebody else changed the advice in the meantime. Reload the page and try again.")
    now = clock.now()
    if row is None:
        checks.check_version(0, expected_version, changed)
        row = Evaluation.objects.create(change=current, advice=advice, updated_at=now, updated_by=actor)
        old = ""
    else:
        checks.check_version(row.version, expected_version, changed)
        old = row.advice
        if old == advice:
            return row
        row.advice = advice
        row.updated_at = now
        row.updated_by = actor
        row.version += 1
        row.save(update_fields=["advice", "updated_at", "updated_by", "version"])
    record(current, actor, ChangeAction.ADVICE_CHANGED, at=now, field="advice", old=old, new=advice)
    save(current, ())
    return row
