"""The implementation of a control for a scope (the whole organisation, or a service or
application CI): status, owner, how it is done, review date, and evidence (files, knowledge
procedures, preventive activity series). Register managers create implementations; they and the
owner change them. Every change is in the control's trail, the scope named in its detail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import Role, User
from beheer.cmdb.models import CiKind, ConfigurationItem
from beheer.core import access, checks, clock, files, history
from beheer.core.errors import DomainError, NotFound
from beheer.knowledge.models import Article
from beheer.operations.models import ActivitySeries

from ...models import Control, EvidenceFile, Implementation, ImplementationStatus, MeasuresAction
from ._base import ensure_manager, ensure_may_edit, record, text

SCOPE_KINDS = (CiKind.SERVICE, CiKind.SOFTWARE)
FIELDS = ["status", "owner", "description", "review_on"]
CHANGED = _("Somebody else changed this implementation in the meantime. Reload it and try again.")


def scope_choices(user: Any) -> Any:
    """The CIs an implementation can be scoped to: services and applications in use."""
    return ConfigurationItem.objects.visible_to(user).in_use().filter(ci_type__kind__in=SCOPE_KINDS)


def owner_choices() -> Any:
    """The people who can own an implementation: active operators, coordinators, administrators."""
    staff = Q(role__in=[Role.OPERATOR, Role.COORDINATOR, Role.ADMIN]) | Q(is_superuser=True)
    return User.objects.filter(staff, is_active=True)


def _status(value: str) -> str:
    if value not in ImplementationStatus.values:
        message = _("Choose a status.")
        raise DomainError(message, field_errors={"status": message})
    return value


def _owner(owner: User | None) -> User | None:
    if owner is not None and not (owner.is_active and access.is_staff(owner)):
        message = _("The owner must be an active operator.")
        raise DomainError(message, field_errors={"owner": message})
    return owner


def _linked(
    actor: Any, articles: Iterable[Article], series: Iterable[ActivitySeries]
) -> tuple[list[Article], list[ActivitySeries]]:
    chosen_articles = list({a.pk: a for a in articles}.values())
    chosen_series = list({s.pk: s for s in series}.values())
    if chosen_articles:
        visible = set(
            Article.objects.visible_to(actor)
            .filter(pk__in=[a.pk for a in chosen_articles])
            .values_list("pk", flat=True)
        )
        if len(visible) != len(chosen_articles):
            message = _("Choose knowledge articles you can read.")
            raise DomainError(message, field_errors={"articles": message})
    if chosen_series:
        visible = set(
            ActivitySeries.objects.visible_to(actor)
            .filter(pk__in=[s.pk for s in chosen_series])
            .values_list("pk", flat=True)
        )
        if len(visible) != len(chosen_series):
            message = _("Choose preventive activities you can see.")
            raise DomainError(message, field_errors={"series": message})
    return chosen_articles, chosen_series


def _names(rows: Iterable[Any]) -> list[str]:
    return sorted(str(r) for r in rows)


def create_implementation(
    control: Control,
    *,
    actor: Any,
    scope_ci: ConfigurationItem | None = None,
    status: str = ImplementationStatus.NOT_STARTED,
    owner: User | None = None,
    description: str = "",
    review_on: date | None = None,
    articles: Iterable[Article] = (),
    series: Iterable[ActivitySeries] = (),
) -> Implementation:
    """Record how `control` is implemented for `scope_ci` (None: the whole organisation)."""
    ensure_manager(actor)
    if not Control.objects.visible_to(actor).active().filter(pk=control.pk).exists():
        raise NotFound(_("Control not found."))
    if scope_ci is not None and not scope_choices(actor).filter(pk=scope_ci.pk).exists():
        message = _("Choose a service or application in use.")
        raise DomainError(message, field_errors={"scope_ci": message})
    status = _status(status)
    owner = _owner(owner)
    how = text(description, field="description", label=_("How it is done"))
    chosen_articles, chosen_series = _linked(actor, articles, series)
    now = clock.now()
    try:
        with transaction.atomic():
            implementation = Implementation.objects.create(
                control=control,
                scope_ci=scope_ci,
                status=status,
                owner=owner,
                description=how,
                review_on=review_on,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            implementation.articles.set(chosen_articles)
            implementation.series.set(chosen_series)
            changes = history.diff(
                {},
                {
                    **history.snapshot(implementation, FIELDS).values,
                    "articles": history.render(_names(chosen_articles)),
                    "series": history.render(_names(chosen_series)),
                },
            )
            record(
                control,
                actor,
                MeasuresAction.IMPLEMENTATION_ADDED,
                changes=changes,
                detail=implementation.scope_name,
            )
    except IntegrityError:
        message = _("This control already has an implementation for this scope.")
        raise DomainError(message, field_errors={"scope_ci": message}) from None
    return implementation


def lock_implementation(
    implementation: Implementation, actor: Any, expected_version: int | None
) -> Implementation:
    found = checks.locked_at(
        Implementation.objects.visible_to(actor).select_related("control", "scope_ci", "owner"),
        implementation.pk,
        expected_version,
        missing=_("Implementation not found."),
        changed=CHANGED,
    )
    ensure_may_edit(actor, found)
    return found


def _touch(implementation: Implementation) -> None:
    Implementation.objects.filter(pk=implementation.pk).update(
        version=F("version") + 1, updated_at=clock.now()
    )
    implementation.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def update_implementation(
    implementation: Implementation,
    *,
    actor: Any,
    expected_version: int | None,
    status: str,
    owner: User | None,
    description: str,
    review_on: date | None,
    articles: Iterable[Article],
    series: Iterable[ActivitySeries],
) -> Implementation:
    found = lock_implementation(implementation, actor, expected_version)
    status = _status(status)
    owner = _owner(owner)
    how = text(description, field="description", label=_("How it is done"))
    chosen_articles, chosen_series = _linked(actor, articles, series)
    old_articles = list(found.articles.all())
    old_series = list(found.series.all())
    before = history.snapshot(
        found, FIELDS, extra={"articles": _names(old_articles), "series": _names(old_series)}
    )
    found.status, found.owner, found.description, found.review_on = status, owner, how, review_on
    changes = history.changes_since(
        before, found, extra={"articles": _names(chosen_articles), "series": _names(chosen_series)}
    )
    if not changes:
        return found
    found.save(update_fields=["status", "owner", "description", "review_on"])
    if {a.pk for a in old_articles} != {a.pk for a in chosen_articles}:
        found.articles.set(chosen_articles)
    if {s.pk for s in old_series} != {s.pk for s in chosen_series}:
        found.series.set(chosen_series)
    _touch(found)
    record(
        found.control, actor, MeasuresAction.IMPLEMENTATION_CHANGED, changes=changes, detail=found.scope_name
    )
    return found


@transaction.atomic
def mark_reviewed(
    implementation: Implementation, *, actor: Any, expected_version: int | None, next_review_on: date
) -> Implementation:
    """The owner or a register manager confirms the implementation is still right; the next review
    date must lie in the future."""
    found = lock_implementation(implementation, actor, expected_version)
    if next_review_on <= timezone.localdate(clock.now()):
        message = _("The next review date must lie in the future.")
        raise DomainError(message, field_errors={"next_review_on": message})
    old = history.render(found.review_on)
    found.review_on = next_review_on
    found.save(update_fields=["review_on"])
    _touch(found)
    record(
        found.control,
        actor,
        MeasuresAction.REVIEWED,
        field="review_on",
        old=old,
        new=history.render(next_review_on),
        detail=found.scope_name,
    )
    return found


def add_evidence_file(implementation: Implementation, *, actor: Any, upload: Any) -> EvidenceFile:
    """Store an uploaded file as evidence (checked: size, not a program, an image that is one)."""
    checked = files.check_upload(upload)
    with transaction.atomic():
        found = lock_implementation(implementation, actor, None)
        evidence = EvidenceFile(
            implementation=found,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
            created_at=clock.now(),
        )
        evidence.file.save(checked.name, upload, save=False)
        evidence.save()
        _touch(found)
        record(
            found.control,
            actor,
            MeasuresAction.EVIDENCE_ADDED,
            field="file",
            new=checked.name,
            detail=found.scope_name,
        )
    return evidence


def remove_evidence_file(evidence: EvidenceFile, *, actor: Any) -> None:
    with transaction.atomic():
        found = (
            EvidenceFile.objects.visible_to(actor)
            .select_related("implementation")
            .filter(pk=evidence.pk)
            .first()
        )
        if found is None:
            raise NotFound(_("File not found."))
        implementation = lock_implementation(found.implementation, actor, None)
        stored = found.file.name
        name = found.original_name
        found.delete()
        _touch(implementation)
        record(
            implementation.control,
            actor,
            MeasuresAction.EVIDENCE_REMOVED,
            field="file",
            old=name,
            detail=implementation.scope_name,
        )
        storage = found.file.storage
        transaction.on_commit(lambda: storage.delete(stored) if stored else None)
