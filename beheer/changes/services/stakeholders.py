"""The stakeholders of a change: add one (a Beheer user or a name with an address), remove one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock
from beheer.core.errors import DomainError, NotFound

from ..models import Change, ChangeAction, Stakeholder, StakeholderRole
from ._base import lock_change, record, save

MAX_STAKEHOLDERS = 200


@transaction.atomic
def add_stakeholder(
    change: Change,
    *,
    actor: User,
    person: User | None = None,
    name: str = "",
    email: str = "",
    role: str = StakeholderRole.STAKEHOLDER,
    interest: str = "",
) -> Stakeholder:
    """Add a stakeholder; a person already on the change is refused with a field message."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    errors: dict[str, str] = {}
    if role not in StakeholderRole.values:
        errors["role"] = _("Unknown role.")
    if person is not None and not person.is_active:
        errors["person"] = _("This person is inactive.")
    name = checks.checked_text(name, field="name", label=_("Name"), max_length=200)
    email = checks.checked_text(email, field="email", label=_("E-mail address"), max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if person is None and not name:
        errors["name"] = _("Choose a person or type a name.")
    interest = checks.checked_text(interest, field="interest", label=_("Interest"), max_length=4000)
    if Stakeholder.objects.filter(change=current).count() >= MAX_STAKEHOLDERS:
        errors["person"] = _("A change has at most %(max)d stakeholders.") % {"max": MAX_STAKEHOLDERS}
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    try:
        with transaction.atomic():
            row = Stakeholder.objects.create(
                change=current,
                person=person,
                name=name or (person.get_full_name() or person.username if person else ""),
                email=email,
                role=role,
                interest=interest,
                added_at=clock.now(),
            )
    except IntegrityError:
        message = _("This person is already a stakeholder of this change.")
        raise DomainError(message, field_errors={"person": message}) from None
    record(current, actor, ChangeAction.STAKEHOLDER_ADDED, field="stakeholders", new=row.name)
    save(current, ())
    return row


@transaction.atomic
def remove_stakeholder(stakeholder: Stakeholder, *, actor: User) -> None:
    access.ensure_staff(actor)
    current = lock_change(stakeholder.change, actor, None)
    found = Stakeholder.objects.filter(change=current, pk=stakeholder.pk).first()
    if found is None:
        raise NotFound(_("Stakeholder not found."))
    found.delete()
    record(current, actor, ChangeAction.STAKEHOLDER_REMOVED, field="stakeholders", old=found.name)
    save(current, ())
