"""Registering meldingen, partial incidents and merging duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem, Supplier
from beheer.core import clock, search
from beheer.core.access import ensure_staff
from beheer.core.checks import checked_text
from beheer.core.errors import DomainError, PermissionDenied

from ..models import (
    CallType,
    Category,
    ClosureCode,
    EntryType,
    Impact,
    Line,
    Melding,
    MeldingLink,
    Note,
    StatusKind,
    Urgency,
    Visibility,
)
from . import notify
from ._base import (
    BRIEF_MAX,
    CALLER_ENTRY_TYPES,
    _check_category,
    _open_partials,
    _reindex,
    _save,
    _touch,
    check_assignment,
    check_ci,
    default_status,
    lock_melding,
    lookup_defaults,
    object_name_for,
    priority_for,
    record_history,
    servicedesk_settings,
)
from .activity import add_attachment
from .service_level import apply_sla


def check_new_melding_group(operator_group: OperatorGroup | None) -> None:
    """The rule `open_melding` applies to the operator group of a new melding (always first line:
    an active first-line group); DomainError on `operator_group`. For screens that choose the group
    of meldingen registered later (monitoring checks, alert sources), so they refuse it at once."""
    check_assignment(Line.FIRST, operator_group, None)


@transaction.atomic
def open_melding(
    *,
    actor: User,
    brief_description: str,
    request: str = "",
    entry_type: str,
    call_type: CallType | None = None,
    caller: User | None = None,
    caller_name: str = "",
    caller_email: str = "",
    caller_phone: str = "",
    category: Category | None = None,
    subcategory: Category | None = None,
    object_name: str = "",
    ci: ConfigurationItem | None = None,
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    target_date: datetime | None = None,
    operator_group: OperatorGroup | None = None,
    operator: User | None = None,
    estimated_minutes: int | None = None,
    estimated_people: int | None = None,
    estimated_means: str = "",
    now: datetime | None = None,
    attachment: UploadedFile | None = None,
) -> Melding:
    """Register a melding, with its first attachment when one is given (both or neither). Callers
    register only for themselves, through the portal, API or e-mail, and only on a CI they own or
    use; operators on any CI not retired. Without an object text the CI's name is the object."""
    if not actor.is_active:
        raise PermissionDenied(_("Your account is inactive."))
    now = now or clock.now()
    brief = checked_text(
        brief_description,
        field="brief_description",
        label=_("Brief description"),
        required=True,
        max_length=BRIEF_MAX,
    )
    request_text = checked_text(request, field="request", label=_("Request"))
    if entry_type not in EntryType.values:
        raise DomainError(_("Unknown entry type."), field_errors={"entry_type": _("Unknown entry type.")})

    if not actor.is_staff_member:
        # A caller registers for themself; the desk decides classification and assignment.
        if entry_type not in CALLER_ENTRY_TYPES:
            entry_type = EntryType.PORTAL
        caller, caller_name, caller_phone = actor, "", ""
        caller_email = ""
        impact = urgency = None
        target_date = None
        operator_group = operator = None
        estimated_minutes = estimated_people = None
        estimated_means = ""

    if caller is None and not caller_name.strip():
        message = _("Choose a caller or enter the name of an unregistered caller.")
        raise DomainError(message, field_errors={"caller": message})
    if caller is not None and not caller.is_active:
        raise DomainError(_("This caller is inactive."), field_errors={"caller": _("Inactive.")})
    _check_category(category, subcategory)
    check_ci(ci, actor)
    object_name = object_name_for(object_name, ci)

    default_call_type, default_impact, default_urgency = lookup_defaults()
    call_type = call_type or default_call_type
    impact = impact or default_impact
    urgency = urgency or default_urgency
    if call_type is None or impact is None or urgency is None:
        raise DomainError(
            _("The servicedesk is not configured: call types, impacts and urgencies are missing.")
        )
    prio = priority_for(impact, urgency)

    if operator_group is None and operator is None:
        operator_group = servicedesk_settings().default_first_line_group
    check_assignment(Line.FIRST, operator_group, operator)
    if target_date is not None and target_date < now - timedelta(minutes=1):
        message = _("The target date lies in the past.")
        raise DomainError(message, field_errors={"target_date": message})
    if estimated_minutes is not None and estimated_minutes < 0:
        raise DomainError(
            _("Estimates cannot be negative."), field_errors={"estimated_minutes": _("Negative.")}
        )

    status = default_status(StatusKind.NEW)
    melding = Melding(
        brief_description=brief,
        request=request_text,
        entry_type=entry_type,
        call_type=call_type,
        line=Line.FIRST,
        caller=caller,
        caller_name=checked_text(caller_name, field="caller_name", label=_("Caller name"), max_length=150),
        caller_email=checked_text(caller_email, field="caller_email", label=_("E-mail"), max_length=254),
        caller_phone=checked_text(caller_phone, field="caller_phone", label=_("Phone"), max_length=40),
        caller_department_id=caller.department_id if caller else None,
        caller_branch_id=caller.branch_id if caller else None,
        category=category,
        subcategory=subcategory,
        object_name=checked_text(object_name, field="object_name", label=_("Object"), max_length=200),
        ci=ci,
        impact=impact,
        urgency=urgency,
        priority=prio,
        priority_level=prio.level,
        target_date=target_date or now + prio.duration,
        target_date_manual=target_date is not None,
        estimated_minutes=estimated_minutes,
        estimated_people=estimated_people,
        estimated_means=checked_text(
            estimated_means, field="estimated_means", label=_("Means"), max_length=500
        ),
        operator_group=operator_group,
        operator=operator,
        status=status,
        is_open=True,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    apply_sla(melding, now=now, new=True)  # deadlines from the SLA, before the row is written
    melding.save(force_insert=True)
    record_history(melding, actor, "created", now=now, detail=brief, public=True)
    _reindex(melding, new=True)
    notify.melding_registered(melding)
    if operator is not None:
        notify.assigned(melding, group_changed=False, operator_changed=True, actor=actor)
    if attachment is not None:
        add_attachment(melding, upload=attachment, actor=actor)
    return melding


@transaction.atomic
def create_partial(
    main: Melding,
    *,
    brief_description: str,
    request: str = "",
    operator_group: OperatorGroup | None = None,
    operator: User | None = None,
    supplier: Supplier | None = None,
    actor: User,
) -> Melding:
    """Deelmelding: a part of the work handed to another group or a supplier."""
    ensure_staff(actor)
    m = lock_melding(main, None)
    now = clock.now()
    if m.parent_id is not None:
        raise DomainError(_("A partial incident cannot have partial incidents of its own."))
    if not m.is_open:
        raise DomainError(_("Partial incidents can only be made for an open call."))
    if operator_group is None and supplier is None and operator is None:
        message = _("Choose an operator group or a supplier.")
        raise DomainError(message, field_errors={"operator_group": message})
    check_assignment(Line.PARTIAL, operator_group, operator)
    brief = checked_text(
        brief_description,
        field="brief_description",
        label=_("Brief description"),
        required=True,
        max_length=BRIEF_MAX,
    )
    partial = Melding.objects.create(
        brief_description=brief,
        request=checked_text(request, field="request", label=_("Request")),
        entry_type=m.entry_type,
        call_type=m.call_type,
        line=Line.PARTIAL,
        parent=m,
        caller=m.caller,
        caller_name=m.caller_name,
        caller_email=m.caller_email,
        caller_phone=m.caller_phone,
        caller_department=m.caller_department,
        caller_branch=m.caller_branch,
        category=m.category,
        subcategory=m.subcategory,
        object_name=m.object_name,
        ci_id=m.ci_id,
        impact=m.impact,
        urgency=m.urgency,
        priority=m.priority,
        priority_level=m.priority_level,
        target_date=m.target_date,
        operator_group=operator_group,
        operator=operator,
        supplier=supplier,
        status=default_status(StatusKind.NEW),
        is_open=True,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record_history(
        partial, actor, "created", now=now, detail=_("Partial incident of %(number)s") % {"number": m.number}
    )
    record_history(m, actor, "partial_created", now=now, new=partial.number, detail=brief)
    _touch(m, now=now)
    search.index_document("melding", partial.pk, title=f"{partial.number} {brief}", body=partial.request)
    return partial


@transaction.atomic
def merge_melding(duplicate: Melding, *, into: Melding, actor: User) -> Melding:
    """Close a duplicate with a reference to the melding it duplicates; link the two."""
    ensure_staff(actor)
    if duplicate.pk == into.pk:
        raise DomainError(_("A call cannot be merged into itself."))
    # lock in id order, like links, so two opposite merges cannot deadlock
    locked = {m.pk: lock_melding(m, None) for m in sorted([duplicate, into], key=lambda x: x.pk)}
    dup, target = locked[duplicate.pk], locked[into.pk]
    if dup.parent_id is not None or target.parent_id is not None:
        raise DomainError(_("Partial incidents cannot be merged."))
    if target.merged_into_id is not None:
        raise DomainError(_("The target call was itself merged into another one."))
    if _open_partials(dup):
        raise DomainError(_("The duplicate still has open partial incidents."))
    now = clock.now()
    closed = default_status(StatusKind.CLOSED)
    solution = _("Duplicate of %(number)s.") % {"number": target.number}
    record_history(dup, actor, "merged", now=now, field="merged_into", new=target.number, public=True)
    record_history(dup, actor, "status", now=now, field="status", old=dup.status, new=closed, public=True)
    dup.status, dup.is_open, dup.merged_into = closed, False, target
    dup.solution = dup.solution or solution
    dup.resolved_at = dup.resolved_at or now
    dup.closed_at = now
    dup.closure_code = ClosureCode.objects.filter(code="duplicate").first() or dup.closure_code
    _save(
        dup,
        ["status", "is_open", "merged_into", "solution", "resolved_at", "closed_at", "closure_code"],
        now=now,
    )
    Note.objects.create(
        melding=target,
        author=actor,
        visibility=Visibility.INTERNAL,
        created_at=now,
        text=_("Merged duplicate %(number)s: %(brief)s\n\n%(request)s")
        % {"number": dup.number, "brief": dup.brief_description, "request": dup.request},
    )
    record_history(target, actor, "merged_duplicate", now=now, new=dup.number)
    _touch(target, now=now)
    low, high = sorted([dup.pk, target.pk])
    MeldingLink.objects.get_or_create(
        from_melding_id=low, to_melding_id=high, defaults={"created_by": actor, "created_at": now}
    )
    _reindex(target)
    return dup
