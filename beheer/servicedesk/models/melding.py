"""The melding (call) and its reads: visible_to, queues, search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem, Supplier
from beheer.core import access
from beheer.core.search import matching_ids

from ..sla import clock as sla_clock
from .lookups import CallType, Category, ClosureCode, EntryType, Impact, Line, Priority, Status, Urgency


def sees_every_melding(user: Any) -> bool:
    """Whether `user` may see every melding: an active staff member who is a security officer (the
    only people who see every security incident, `Melding.restricted`).

    The reads of a melding's notes, history and attachments skip the melding filter for them: it
    would select every melding, and compiling that subquery cost as much as the read itself."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and bool(access.is_staff(user))
        and bool(getattr(user, "security_officer", False))
    )


def unrestricted_for(user: Any, path: str = "") -> Q:
    """The condition a staff member who is no security officer puts on meldingen (or, with `path`
    such as "melding__", on the rows of a melding): not a security incident, or one they were given
    access to. A join on the melding's primary key and a small subquery of their grants."""
    from .restricted import MeldingAccess  # defined beside, on this model

    granted = MeldingAccess.objects.filter(person_id=user.pk).values("melding_id")
    if not path:
        return Q(restricted=False) | Q(pk__in=granted)
    return Q(**{f"{path}restricted": False}) | Q(**{f"{path}pk__in": granted})


class MeldingQuerySet(models.QuerySet["Melding"]):
    def visible_to(self, user: Any) -> MeldingQuerySet:
        """Operators see all meldingen but security incidents (`restricted`): those only security
        officers and the people granted access (`MeldingAccess`) see. A caller sees only their own,
        never partial incidents, and never one that became a security incident."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_staff_member:
            if getattr(user, "security_officer", False):
                return self
            return self.filter(unrestricted_for(user))
        return self.filter(caller_id=user.pk, parent__isnull=True, restricted=False)

    def countable_by(self, user: Any) -> MeldingQuerySet:
        """The meldingen `user` may COUNT in reports and dashboards: staff count every melding,
        security incidents included (a count reveals no content); a caller counts what they see.
        Never for rows that show a melding's content: those read `visible_to`."""
        if access.is_staff(user):
            return self
        return self.visible_to(user)

    def open(self) -> MeldingQuerySet:
        return self.filter(is_open=True)

    def queue(self, name: str, user: Any) -> MeldingQuerySet:
        """The operator queue views: mine, my groups, first line, second line, unassigned, all."""
        if name == "mine":
            return self.filter(is_open=True, operator_id=user.pk)
        if name == "groups":
            groups = list(user.operator_groups.values_list("pk", flat=True))
            if len(groups) == 1:  # one index range, already in queue order: no sort
                return self.filter(is_open=True, operator_group_id=groups[0])
            return self.filter(is_open=True, operator_group__in=groups)
        if name == "first":
            return self.filter(is_open=True, line=Line.FIRST)
        if name == "second":
            return self.filter(is_open=True, line=Line.SECOND)
        if name == "partial":
            return self.filter(is_open=True, line=Line.PARTIAL)
        if name == "unassigned":
            return self.filter(is_open=True, operator__isnull=True)
        if name == "open":
            return self.filter(is_open=True)
        if name == "closed":
            return self.filter(is_open=False)
        return self

    def search(self, text: str) -> MeldingQuerySet:
        ids = matching_ids("melding", text)
        if ids is None:
            return self.none()
        return self.filter(pk__in=ids)

    def for_list(self) -> MeldingQuerySet:
        return self.select_related(*FOR_LIST)


# the lookups a list row shows
FOR_LIST = ("status", "priority", "operator_group", "operator", "caller", "category", "call_type")
QUEUES = ["mine", "groups", "first", "second", "partial", "unassigned", "open", "closed", "all"]


class Melding(models.Model):
    """A call: incident, question, service request or complaint."""

    brief_description = models.CharField(_("brief description"), max_length=80)
    request = models.TextField(_("request"), blank=True)
    entry_type = models.CharField(_("entry type"), max_length=12, choices=EntryType.choices)
    call_type = models.ForeignKey(
        CallType, on_delete=models.PROTECT, related_name="+", verbose_name=_("call type")
    )
    line = models.CharField(_("line"), max_length=8, choices=Line.choices, default=Line.FIRST)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partials",
        verbose_name=_("main call"),
    )

    # Caller: a registered person, or an unregistered caller's name and contact data.
    caller = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meldingen",
        verbose_name=_("caller"),
    )
    caller_name = models.CharField(_("caller name"), max_length=150, blank=True)
    caller_email = models.EmailField(_("caller e-mail"), blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=40, blank=True)
    caller_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    caller_branch = models.ForeignKey(
        Branch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("branch")
    )

    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    subcategory = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subcategory"),
    )
    object_name = models.CharField(_("object"), max_length=200, blank=True)
    # The configuration item the melding is about; object_name stays free text (it may name
    # something that is no CI) and takes the CI's name when empty.
    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meldingen",
        verbose_name=_("configuration item"),
    )

    impact = models.ForeignKey(Impact, on_delete=models.PROTECT, related_name="+", verbose_name=_("impact"))
    urgency = models.ForeignKey(
        Urgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("urgency")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )
    priority_level = models.PositiveSmallIntegerField(editable=False)
    target_date = models.DateTimeField(_("target date"))
    target_date_manual = models.BooleanField(
        _("target date set by hand"),
        default=False,
        help_text=_("The SLA no longer moves a target date set by hand."),
    )

    estimated_minutes = models.PositiveIntegerField(_("estimated time (minutes)"), null=True, blank=True)
    estimated_people = models.PositiveSmallIntegerField(_("estimated people"), null=True, blank=True)
    estimated_means = models.CharField(_("estimated means"), max_length=500, blank=True)

    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meldingen",
        verbose_name=_("operator group"),
    )
    operator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_meldingen",
        verbose_name=_("operator"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meldingen",
        verbose_name=_("supplier"),
    )

    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="+", verbose_name=_("status"))
    is_open = models.BooleanField(default=True, editable=False)

    solution = models.TextField(_("solution"), blank=True)
    is_workaround = models.BooleanField(_("workaround"), default=False)
    closure_code = models.ForeignKey(
        ClosureCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure code"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )
    # The knowledge article the melding was resolved with. SET_NULL: articles are archived, never
    # deleted by Beheer; an administrator deleting one on purpose must not be blocked by old meldingen
    # (the solution text keeps its "KB-n" reference).
    solution_article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_meldingen",
        verbose_name=_("solution article"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # A security incident: from the moment an operator marks it, only security officers and the
    # people granted access (`MeldingAccess`) see it, by every route (`visible_to`); see restricted.py.
    restricted = models.BooleanField(_("security incident"), default=False, db_default=False, editable=False)
    # The problem behind a melding is problem management's (problems.ProblemMelding), never a column here.

    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("last change"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    # Service level: computed by the services from the melding's history (see servicedesk/sla/clock.py).
    sla_policy = models.ForeignKey(
        "SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("SLA")
    )
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(
        _("resolution due"), null=True, blank=True, help_text=_("Empty while the clock is paused or stopped.")
    )
    resolution_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    response_met = models.BooleanField(_("response within SLA"), null=True, blank=True)
    resolution_met = models.BooleanField(_("resolution within SLA"), null=True, blank=True)
    update_due = models.DateTimeField(
        _("update due"), null=True, blank=True, help_text=_("When the caller must have had the next update.")
    )
    update_risk_at = models.DateTimeField(_("update at risk from"), null=True, blank=True)
    # When the melding's OLA rows (MeldingOla) were last recomputed; older than updated_at = stale.
    ola_computed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Caller satisfaction, given once when the caller confirms the solution (closed = read-only).
    confirmed_at = models.DateTimeField(_("confirmed by the caller"), null=True, blank=True)
    satisfaction_rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)

    objects = MeldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            # queue views: open meldingen by priority then target date, per selection
            models.Index(
                fields=["priority_level", "target_date", "id"], name="m_open_prio", condition=Q(is_open=True)
            ),
            models.Index(
                fields=["line", "priority_level", "target_date", "id"],
                name="m_open_line_prio",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["operator_group", "priority_level", "target_date", "id"],
                name="m_open_group_prio",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["operator", "priority_level", "target_date", "id"],
                name="m_open_operator_prio",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["priority_level", "target_date", "id"],
                name="m_unassigned_prio",
                condition=Q(is_open=True, operator__isnull=True),
            ),
            # every melding (the API's default list, closed ones) by priority or by target date
            models.Index(fields=["priority_level", "target_date", "id"], name="m_prio"),
            models.Index(fields=["target_date", "id"], name="m_target"),
            models.Index(fields=["-created_at", "-id"], name="m_created"),
            models.Index(fields=["-updated_at", "-id"], name="m_updated"),
            models.Index(fields=["caller", "-created_at", "-id"], name="m_caller_created"),
            models.Index(fields=["status", "-created_at"], name="m_status_created"),
            models.Index(fields=["is_open", "resolved_at"], name="m_open_resolved"),
            # the SLA sweep and the dashboard: open meldingen by their coming deadlines
            models.Index(fields=["resolution_risk_at"], name="m_open_risk", condition=Q(is_open=True)),
            models.Index(fields=["resolution_due"], name="m_open_due", condition=Q(is_open=True)),
            models.Index(
                fields=["response_due"],
                name="m_awaiting_response",
                condition=Q(first_response_at__isnull=True),
            ),
            models.Index(fields=["update_due"], name="m_open_update_due", condition=Q(is_open=True)),
            models.Index(fields=["update_risk_at"], name="m_open_update_risk", condition=Q(is_open=True)),
            # the sweep's backlog of meldingen whose OLA rows were never computed
            models.Index(fields=["id"], name="m_ola_pending", condition=Q(ola_computed_at__isnull=True)),
            # the open meldingen of a CI, newest first (the CI page, the trouble source's distinct CIs);
            # a CI's closed ones go through the foreign key's own index
            models.Index(
                fields=["ci", "-created_at", "-id"],
                name="m_open_ci_created",
                condition=Q(is_open=True, ci__isnull=False),
            ),
            # satisfaction per period (reports)
            models.Index(fields=["confirmed_at"], name="m_confirmed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(line=Line.PARTIAL), name="partial_has_line_partial"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_rating__isnull=True)
                | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5),
                name="satisfaction_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.brief_description}"

    def sla_state(self, now: datetime) -> str:
        """on_track, at_risk, breached, met or paused from the stored SLA fields; "" without an SLA.

        The same rule as the replay (`sla_clock.stored_state`), so the call page, the queues, the sweep and
        `GET /meldingen/{id}/sla` agree, also at a deadline that falls on a closing time.
        """
        if self.resolution_met is None and self.sla_policy_id is None:
            return ""
        snap = sla_clock.Snapshot(
            due=self.resolution_due, risk_at=self.resolution_risk_at, met=self.resolution_met
        )
        return str(sla_clock.stored_state(snap, now, is_open=self.is_open))

    def update_state(self, now: datetime) -> str:
        """The caller-update clock from the stored fields: breached, at_risk, on_track; "" otherwise."""
        if not self.is_open or self.update_due is None:
            return ""
        if sla_clock.deadline_passed(self.update_due, now):
            return "breached"
        if self.update_risk_at is not None and now >= self.update_risk_at:
            return "at_risk"
        return "on_track"

    @property
    def number(self) -> str:
        return format_number(self.pk)

    @property
    def parent_number(self) -> str:
        """The main melding's number, without reading it."""
        return format_number(self.parent_id) if self.parent_id else ""

    @property
    def merged_into_number(self) -> str:
        return format_number(self.merged_into_id) if self.merged_into_id else ""

    @property
    def caller_display(self) -> str:
        if self.caller_id is not None and self.caller is not None:
            return str(self.caller)
        return self.caller_name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None and self.closed_at is None


def format_number(pk: int | None) -> str:
    return f"M{pk:07d}" if pk else "M-"


def parse_number(text: str) -> int | None:
    """'M0001234', 'm1234' or '1234' -> 1234."""
    raw = text.strip().upper().removeprefix("M").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None
