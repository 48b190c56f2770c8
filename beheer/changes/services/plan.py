"""The implementation plan of a change: planning activities (with dependencies, people and means),
approving the plan, and informing the stakeholders.

A dependency links two activities of the same change; one that would close a loop is refused. The
plan has a version: once a version is approved, any change to its activities or to the change's
planned window gives a new version (`plan_state.plan_changed`), so the approval shows as outdated
and a normal change cannot enter execution until the new version is approved. The change
coordinator or the client approves the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access, checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Article, ArticleStatus
from beheer.notifications import services as notifications

from .. import timeline
from ..models import (
    ActivityDependency,
    Change,
    ChangeAction,
    ChangeActivity,
    PlanApproval,
    PlanNotice,
    PlanNoticeRecipient,
    Stakeholder,
)
from ._base import lock_change, plan_version, record, save
from .activities import MAX_ESTIMATE
from .plan_state import plan_changed, sync_maintenance_window

MAX_PEOPLE = 1000
MAX_DEPENDENCIES = 50
MAX_ACTIVITIES = 500
SUBJECT_MAX = 200
TEXT_MAX = 10000
MAX_RECIPIENTS = 500


@dataclass(frozen=True)
class ActivityData:
    """The fields of an activity people plan."""

    title: str
    assignee: User | None = None
    operator_group: OperatorGroup | None = None
    estimate_minutes: int = 0
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    people_count: int = 1
    means: str = ""
    depends_on: Sequence[int] = field(default_factory=tuple)  # ids of activities of the same change


def _check(data: ActivityData, *, change: Change, activity_id: int | None) -> tuple[str, str, list[int]]:
    errors: dict[str, str] = {}
    title = ""
    try:
        title = checks.checked_text(
            data.title, field="title", label=_("Title"), required=True, max_length=200
        )
    except DomainError as exc:
        errors.update(exc.field_errors)
    means = ""
    try:
        means = checks.checked_text(data.means, field="means", label=_("Means"), max_length=4000)
    except DomainError as exc:
        errors.update(exc.field_errors)
    if isinstance(data.estimate_minutes, bool) or not 0 <= data.estimate_minutes <= MAX_ESTIMATE:
        errors["estimate_minutes"] = _("Enter an estimate of at most a year.")
    if isinstance(data.people_count, bool) or not 0 <= data.people_count <= MAX_PEOPLE:
        errors["people_count"] = _("Enter a number of people from 0 to %(max)d.") % {"max": MAX_PEOPLE}
    if data.assignee is not None and not data.assignee.is_staff_member:
        errors["assignee"] = _("The assignee must be an operator.")
    if data.operator_group is not None and not data.operator_group.active:
        errors["operator_group"] = _("This operator group is inactive.")
    if data.planned_start and data.planned_end and data.planned_end <= data.planned_start:
        errors["planned_end"] = _("The end must be after the start.")
    ids = list(dict.fromkeys(data.depends_on))
    if len(ids) > MAX_DEPENDENCIES:
        errors["depends_on"] = _("At most %(max)d dependencies.") % {"max": MAX_DEPENDENCIES}
    elif ids:
        if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            errors["depends_on"] = _("Choose activities of this change.")
        elif activity_id is not None and activity_id in ids:
            errors["depends_on"] = _("An activity cannot depend on itself.")
        else:
            own = set(
                ChangeActivity.objects.filter(change_id=change.pk, pk__in=ids).values_list("pk", flat=True)
            )
            if own != set(ids):
                errors["depends_on"] = _("Choose activities of this change.")
            elif activity_id is not None:
                edges: dict[int, list[int]] = {}
                rows = ActivityDependency.objects.filter(activity__change_id=change.pk).exclude(
                    activity_id=activity_id
                )
                for a, d in rows.values_list("activity_id", "depends_on_id"):
                    edges.setdefault(a, []).append(d)
                if timeline.creates_cycle(activity_id, ids, edges):
                    errors["depends_on"] = _("This would make the activities wait for each other in a loop.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return title, means, ids


def _set_dependencies(activity: ChangeActivity, ids: list[int]) -> bool:
    have = set(ActivityDependency.objects.filter(activity=activity).values_list("depends_on_id", flat=True))
    if have == set(ids):
        return False
    ActivityDependency.objects.filter(activity=activity).exclude(depends_on_id__in=ids).delete()
    ActivityDependency.objects.bulk_create(
        ActivityDependency(activity=activity, depends_on_id=i) for i in ids if i not in have
    )
    return True


ACTIVITY_FIELDS = (
    "title",
    "assignee",
    "operator_group",
    "estimate_minutes",
    "planned_start",
    "planned_end",
    "people_count",
    "means",
)


@transaction.atomic
def plan_activity(
    change: Change, *, actor: User, data: ActivityData, expected_version: int | None = None
) -> ChangeActivity:
    """Add an activity to the plan, with its dependencies, people and means."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    if ChangeActivity.objects.filter(change=current).count() >= MAX_ACTIVITIES:
        raise DomainError(_("A change has at most %(max)d activities.") % {"max": MAX_ACTIVITIES})
    title, means, ids = _check(data, change=current, activity_id=None)
    last = (
        ChangeActivity.objects.filter(change=current)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    activity = ChangeActivity.objects.create(
        change=current,
        title=title,
        assignee=data.assignee,
        operator_group=data.operator_group,
        estimate_minutes=data.estimate_minutes,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        people_count=data.people_count,
        means=means,
        order=(last or 0) + 10,
    )
    _set_dependencies(activity, ids)
    record(current, actor, ChangeAction.ACTIVITY_ADDED, field="activity", new=title)
    plan_changed(current)
    save(current, ())
    return activity


@transaction.atomic
def update_activity(
    activity: ChangeActivity, *, actor: User, data: ActivityData, expected_version: int | None
) -> ChangeActivity:
    """Edit a planned activity (`expected_version` is the change's version the editor read)."""
    access.ensure_staff(actor)
    current = lock_change(activity.change, actor, expected_version)
    found = checks.locked(ChangeActivity.objects.filter(change=current), activity.pk)
    if found is None:
        raise NotFound(_("Activity not found."))
    title, means, ids = _check(data, change=current, activity_id=found.pk)
    before = history.snapshot(found, ACTIVITY_FIELDS)
    found.title = title
    found.assignee = data.assignee
    found.operator_group = data.operator_group
    found.estimate_minutes = data.estimate_minutes
    found.planned_start = data.planned_start
    found.planned_end = data.planned_end
    found.people_count = data.people_count
    found.means = means
    changes = history.changes_since(before, found)
    deps_changed = _set_dependencies(found, ids)
    if not changes and not deps_changed:
        return found
    found.save(update_fields=list(ACTIVITY_FIELDS))
    detail = "; ".join(f"{c.field}: {c.old} -> {c.new}" for c in changes)
    if deps_changed:
        names = (
            ChangeActivity.objects.filter(pk__in=ids).order_by("order", "id").values_list("title", flat=True)
        )
        detail = "; ".join(filter(None, [detail, _("depends on") + ": " + (", ".join(names) or "—")]))
    record(current, actor, ChangeAction.ACTIVITY_CHANGED, field="activity", new=title, detail=detail[:4000])
    plan_changed(current)
    save(current, ())
    return found


def may_approve_plan(change: Change, user: object) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and pk in (change.coordinator_id, change.client_id)


@transaction.atomic
def approve_plan(
    change: Change, *, actor: User, expected_plan_version: int | None, comment: str = ""
) -> PlanApproval:
    """The change coordinator or the client approves the current version of the plan."""
    current = lock_change(change, actor, None)
    if not may_approve_plan(current, actor):
        raise PermissionDenied(_("Only the change coordinator or the client approves the plan."))
    comment = checks.checked_text(comment, field="comment", label=_("Comment"), max_length=4000)
    version = plan_version(current)
    if expected_plan_version is not None and expected_plan_version != version:
        raise Conflict(_("The plan has changed since you read it. Reload it and check it again."))
    if not ChangeActivity.objects.filter(change=current).exists():
        message = _("Plan at least one activity first.")
        raise DomainError(message, field_errors={"plan": message})
    existing = PlanApproval.objects.filter(change=current, plan_version=version).first()
    if existing is not None:
        return existing
    approval = PlanApproval.objects.create(
        change=current, approved_by=actor, approved_at=clock.now(), plan_version=version, comment=comment
    )
    record(current, actor, ChangeAction.PLAN_APPROVED, field="plan", new=str(version), detail=comment)
    save(current, ())
    return approval


def _article_link(article: Article, *, staff: bool) -> str:
    name = "knowledge-detail" if staff else "portal-knowledge-detail"
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=[article.pk])


@transaction.atomic
def inform_stakeholders(
    change: Change,
    *,
    actor: User,
    subject: str,
    text: str,
    stakeholders: Sequence[Stakeholder],
    article: Article | None = None,
) -> PlanNotice:
    """Send a notice about the planned work to the chosen stakeholders through the outbox. With a
    user instruction that asks for a read acknowledgement, the stakeholders who are users and may read
    it are subscribed to it, so they confirm reading it in the knowledge base."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, value, label, limit in (
        ("subject", subject, _("Subject"), SUBJECT_MAX),
        ("text", text, _("Text"), TEXT_MAX),
    ):
        try:
            values[name] = checks.checked_text(
                value, field=name, label=label, required=True, max_length=limit
            )
        except DomainError as exc:
            errors.update(exc.field_errors)
    chosen_ids = list(dict.fromkeys(s.pk for s in stakeholders))
    rows = list(Stakeholder.objects.filter(change=current, pk__in=chosen_ids).select_related("person"))
    if not chosen_ids:
        errors["stakeholders"] = _("Choose at least one stakeholder.")
    elif len(chosen_ids) > MAX_RECIPIENTS:
        errors["stakeholders"] = _("At most %(max)d stakeholders at once.") % {"max": MAX_RECIPIENTS}
    elif len(rows) != len(chosen_ids):
        errors["stakeholders"] = _("Choose stakeholders of this change.")
    found_article = None
    if article is not None:
        found_article = (
            Article.objects.visible_to(actor).select_related("current_version").filter(pk=article.pk).first()
        )
        if found_article is None or found_article.status != ArticleStatus.PUBLISHED:
            errors["article"] = _("Choose a published article.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    now = clock.now()
    notice = PlanNotice.objects.create(
        change=current,
        subject=values["subject"],
        text=values["text"],
        article=found_article,
        article_version=found_article.current_version.number
        if found_article is not None and found_article.current_version is not None
        else None,
        sent_by=actor,
        sent_at=now,
    )
    recipients: list[PlanNoticeRecipient] = []
    staff_people: list[User] = []
    others: list[User | str] = []
    ack = found_article is not None and found_article.acknowledgement_required
    for s in rows:
        person = s.person if s.person is not None and s.person.is_active else None
        address = s.address
        subscribed = False
        if ack and person is not None and found_article is not None:
            try:
                knowledge.subscribe(found_article, actor=actor, user=person)
                subscribed = True
            except DomainError:
                subscribed = False
        target: User | str | None = person if person is not None and person.email else (address or None)
        if isinstance(target, User) and target.is_staff_member:
            staff_people.append(target)
        elif target is not None:
            others.append(target)
        recipients.append(
            PlanNoticeRecipient(
                notice=notice,
                stakeholder=s,
                person=person,
                name=s.name or str(person or ""),
                address=address,
                notified_at=now if target is not None else None,
                subscribed=subscribed,
            )
        )
    PlanNoticeRecipient.objects.bulk_create(recipients)
    context = {
        "change_number": current.number,
        "change_title": current.title,
        "notice_subject": notice.subject,
        "notice_text": notice.text,
        "article_title": found_article.title if found_article is not None else "",
        "acknowledgement_required": "yes" if ack else "no",
        "planned_start": _when(current.planned_start),
        "planned_end": _when(current.planned_end),
    }
    for group, staff in ((staff_people, True), (others, False)):
        if not group:
            continue
        link = _article_link(found_article, staff=staff) if found_article is not None else ""
        notifications.enqueue(
            "change_plan_notice",
            key=f"change:{current.pk}:notice:{notice.pk}",
            recipients=group,
            context={**context, "link_url": link},
            object_ref=("changes.change", current.pk),
        )
    record(
        current,
        actor,
        ChangeAction.PLAN_NOTICE,
        field="stakeholders",
        new=notice.subject,
        detail=", ".join(r.name for r in recipients)[:4000],
    )
    save(current, ())
    return notice


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import formats, timezone

    return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))


__all__ = [
    "ActivityData",
    "approve_plan",
    "inform_stakeholders",
    "may_approve_plan",
    "plan_activity",
    "sync_maintenance_window",
    "update_activity",
]
