"""The register of processing activities (AVG art. 30): create, change, archive; every change in
the activity's history. Privacy officers and administrators write; staff read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import checks, clock, history
from beheer.core.errors import DomainError

from ... import access
from ...models import Control, LegalBasis, PrivacyAction, ProcessingActivity, ProcessingHistoryEntry

NAME_MAX = 200
TEXT_MAX = 10_000
FIELDS = (
    "name",
    "purpose",
    "legal_basis",
    "legal_basis_note",
    "people_categories",
    "data_categories",
    "special_categories",
    "recipients",
    "transfer_outside_eu",
    "transfer_safeguards",
    "retention",
    "owner",
    "review_date",
)


@dataclass(frozen=True)
class ActivityData:
    """What a person fills in for a processing activity (checked by `_clean`)."""

    name: str
    purpose: str
    legal_basis: str
    people_categories: str
    data_categories: str
    retention: str
    legal_basis_note: str = ""
    special_categories: bool = False
    recipients: str = ""
    transfer_outside_eu: bool = False
    transfer_safeguards: str = ""
    owner: User | None = None
    review_date: date | None = None
    applications: tuple[ConfigurationItem, ...] = ()
    measures: tuple[Control, ...] = ()


def _clean(data: ActivityData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def text(name: str, label: str, *, required: bool = False, max_length: int = TEXT_MAX) -> None:
        try:
            values[name] = checks.checked_text(
                getattr(data, name), field=name, label=label, required=required, max_length=max_length
            )
        except DomainError as exc:
            errors.update(exc.field_errors)

    text("name", _("Name"), required=True, max_length=NAME_MAX)
    text("purpose", _("Purpose"), required=True)
    text("legal_basis_note", _("Explanation of the legal basis"))
    text("people_categories", _("Categories of people"), required=True)
    text("data_categories", _("Categories of personal data"), required=True)
    text("recipients", _("Recipients"))
    text("transfer_safeguards", _("Safeguards for the transfer"))
    text("retention", _("Retention"), required=True)
    if data.legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Choose one of the legal bases of AVG article 6.")
    values["legal_basis"] = data.legal_basis
    values["special_categories"] = bool(data.special_categories)
    values["transfer_outside_eu"] = bool(data.transfer_outside_eu)
    if (
        values["transfer_outside_eu"]
        and not values.get("transfer_safeguards")
        and "transfer_safeguards" not in errors
    ):
        errors["transfer_safeguards"] = _("Describe the safeguards of a transfer outside the EU.")
    if data.owner is not None and not data.owner.is_staff_member:
        errors["owner"] = _("The owner must be an active staff member.")
    values["owner"] = data.owner
    values["review_date"] = data.review_date
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return values


def _links(data: ActivityData) -> dict[str, str]:
    return {
        "applications": history.render(sorted(ci.name for ci in data.applications)),
        "measures": history.render(sorted(c.number for c in data.measures)),
    }


def _current_links(activity: ProcessingActivity) -> dict[str, str]:
    return {
        "applications": history.render(sorted(activity.applications.values_list("name", flat=True))),
        "measures": history.render(sorted(activity.measures.values_list("number", flat=True))),
    }


def _record(activity: ProcessingActivity, actor: User, action: str, **kwargs: Any) -> None:
    history.record(ProcessingHistoryEntry, activity, actor=actor, action=action, **kwargs)


@transaction.atomic
def create_activity(data: ActivityData, *, actor: User) -> ProcessingActivity:
    access.ensure_privacy_manager(actor)
    values = _clean(data)
    now = clock.now()
    activity = ProcessingActivity.objects.create(**values, created_at=now, updated_at=now)
    activity.applications.set(data.applications)
    activity.measures.set(data.measures)
    _record(activity, actor, PrivacyAction.CREATED)
    return activity


def _locked(activity: ProcessingActivity, actor: User, expected_version: int | None) -> ProcessingActivity:
    return checks.locked_at(
        ProcessingActivity.objects.visible_to(actor),
        activity.pk,
        expected_version,
        missing=_("Processing activity not found."),
        changed=_("Somebody else changed this processing activity in the meantime. Reload it and try again."),
    )


@transaction.atomic
def update_activity(
    activity: ProcessingActivity, *, actor: User, expected_version: int | None, data: ActivityData
) -> ProcessingActivity:
    access.ensure_privacy_manager(actor)
    current = _locked(activity, actor, expected_version)
    values = _clean(data)
    before = history.snapshot(current, FIELDS, extra=_current_links(current))
    for name, value in values.items():
        setattr(current, name, value)
    changes = history.changes_since(before, current, extra=_links(data))
    if not changes:
        return current
    current.updated_at = clock.now()
    current.version = F("version") + 1
    current.save()
    current.applications.set(data.applications)
    current.measures.set(data.measures)
    current.refresh_from_db()
    _record(current, actor, PrivacyAction.CHANGED, changes=changes)
    return current


@transaction.atomic
def set_activity_active(
    activity: ProcessingActivity, *, actor: User, expected_version: int | None, active: bool
) -> ProcessingActivity:
    """Archive an activity that stopped (kept in the register's history) or bring it back."""
    access.ensure_privacy_manager(actor)
    current = _locked(activity, actor, expected_version)
    if current.active == active:
        return current
    ProcessingActivity.objects.filter(pk=current.pk).update(
        active=active, updated_at=clock.now(), version=F("version") + 1
    )
    current.refresh_from_db()
    _record(current, actor, PrivacyAction.RESTORED if active else PrivacyAction.ARCHIVED)
    return current
