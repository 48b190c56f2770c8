"""The access policy of a CI: who approves requests for its rights (empty: the CI's owner) and the
rights it knows (a request must name one of them when there are any). Coordinators and
administrators keep it; a change is recorded in the CI's history."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import CiAction, CiHistoryEntry, ConfigurationItem
from beheer.core import access, clock, history
from beheer.core.checks import check_version
from beheer.core.errors import DomainError, PermissionDenied

from ..models import RIGHT_CI_KINDS, AccessPolicy, rights_list

MAX_RIGHTS = 50


@transaction.atomic
@history.stored_text
def _labels() -> tuple[str, str]:
    return _("Access approver"), _("Known rights")


def save_access_policy(
    ci: ConfigurationItem,
    *,
    actor: User,
    approver: User | None,
    known_rights: str,
    expected_version: int | None,
) -> AccessPolicy:
    """Create or change the CI's policy; `expected_version` is the policy's version the editor read
    (None for a CI without one yet)."""
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators and administrators set who approves access."))
    locked_ci = (
        ConfigurationItem.objects.select_for_update().select_related("ci_type").filter(pk=ci.pk).first()
    )
    if locked_ci is None:
        raise DomainError(_("This configuration item no longer exists."))
    errors: dict[str, str] = {}
    if locked_ci.ci_type.kind not in RIGHT_CI_KINDS:
        errors["ci"] = _("Access rights are registered on applications and services only.")
    if approver is not None and not approver.is_active:
        errors["approver"] = _("This person is no longer active.")
    rights = rights_list(known_rights)
    if len(rights) > MAX_RIGHTS or any(len(r) > 80 for r in rights):
        errors["known_rights"] = _("At most %(count)d rights of at most 80 characters each.") % {
            "count": MAX_RIGHTS
        }
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    now = clock.now()
    policy = AccessPolicy.objects.select_for_update().filter(ci=locked_ci).first()
    if policy is None:
        policy = AccessPolicy(ci=locked_ci, version=0)
    else:
        check_version(
            policy.version, expected_version, _("Somebody else changed this policy. Reload it and try again.")
        )
    old = (str(policy.approver) if policy.approver_id else "", policy.known_rights)
    policy.approver = approver
    policy.known_rights = "\n".join(rights)
    new = (str(approver) if approver else "", policy.known_rights)
    if old == new and policy.pk is not None:
        return policy
    policy.version += 1
    policy.updated_at = now
    policy.updated_by = actor
    policy.save()
    # The CI's history names the change in words (its own fields have no access policy), in the
    # installation's language like every history text.
    approver_label, rights_label = _labels()
    for label, before, after in (
        (approver_label, old[0], new[0]),
        (rights_label, old[1].replace("\n", ", "), new[1].replace("\n", ", ")),
    ):
        if before != after:
            history.record(
                CiHistoryEntry,
                locked_ci,
                actor=actor,
                action=CiAction.CHANGED,
                detail=f"{label}: {before or '—'} → {after or '—'}",
            )
    return policy
