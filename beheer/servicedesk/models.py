"""Meldingen (calls) and everything that hangs off them.

Reads are QuerySet methods; `Melding.objects.visible_to(user)` is the one permission filter used by
lists, detail pages, search, exports and the API alike. Writes live in services.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup, User
from beheer.cmdb.models import Supplier
from beheer.core.models import LocalizedNameModel
from beheer.core.search import matching_ids


def _english() -> bool:
    return (get_language() or "nl")[:2] == "en"


class EntryType(models.TextChoices):
    """Wijze van binnenkomst."""

    PHONE = "phone", _("Phone")
    DESK = "desk", _("Desk")
    PORTAL = "portal", _("Self-service portal")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")


class Line(models.TextChoices):
    FIRST = "first", _("First line")
    SECOND = "second", _("Second line")
    PARTIAL = "partial", _("Partial incident")


class StatusKind(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_KINDS = (StatusKind.NEW, StatusKind.OPEN, StatusKind.WAITING)


class Status(LocalizedNameModel):
    """A processing status; admins add their own, each belonging to one kind."""

    kind = models.CharField(_("kind"), max_length=10, choices=StatusKind.choices)
    pauses_sla = models.BooleanField(_("pauses SLA"), default=False)
    is_default = models.BooleanField(
        _("default for its kind"),
        default=False,
        help_text=_("Used when the system moves a melding to this kind."),
    )
    allowed_next = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_previous",
        verbose_name=_("allowed next statuses"),
    )

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("status")
        verbose_name_plural = _("statuses")


class CallType(LocalizedNameModel):
    """Soort melding: incident, question, service request, complaint."""

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("call type")
        verbose_name_plural = _("call types")


class Impact(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 is the highest impact."))

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("impact")
        verbose_name_plural = _("impacts")


class Urgency(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 is the highest urgency."))

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("urgency")
        verbose_name_plural = _("urgencies")


class Priority(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(
        _("level"), unique=True, help_text=_("1 is the highest priority.")
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution time allowed (minutes)"), help_text=_("Used to compute the target date.")
    )

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.resolution_minutes)


class PriorityMatrixCell(models.Model):
    """Impact x urgency -> priority."""

    impact = models.ForeignKey(Impact, on_delete=models.CASCADE, related_name="+", verbose_name=_("impact"))
    urgency = models.ForeignKey(
        Urgency, on_delete=models.CASCADE, related_name="+", verbose_name=_("urgency")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="uniq_matrix_cell")]


class ClosureCode(LocalizedNameModel):
    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("closure code")
        verbose_name_plural = _("closure codes")


class Category(models.Model):
    """A category, or a subcategory when it has a parent (two levels)."""

    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name


class ServicedeskSettings(models.Model):
    """Business settings of the servicedesk, edited by administrators (one row)."""

    reopen_days = models.PositiveSmallIntegerField(
        _("reopen period (days)"),
        default=14,
        help_text=_("A caller can reopen a resolved melding this long."),
    )
    auto_close = models.BooleanField(
        _("close automatically"),
        default=True,
        help_text=_("Close resolved meldingen when the reopen period ends."),
    )
    default_first_line_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default first-line group"),
    )
    number_prefix = models.CharField(_("number prefix"), max_length=4, default="M")

    class Meta:
        verbose_name = _("servicedesk settings")
        verbose_name_plural = _("servicedesk settings")

    @classmethod
    def current(cls) -> ServicedeskSettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls(pk=1)


class MeldingQuerySet(models.QuerySet["Melding"]):
    def visible_to(self, user: Any) -> MeldingQuerySet:
        """Operators see all meldingen; a caller sees only their own, never partial incidents."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_staff_member:
            return self
        return self.filter(caller_id=user.pk, parent__isnull=True)

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
        return self.select_related(
            "status", "priority", "operator_group", "operator", "caller", "category", "call_type"
        )


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
        verbose_name=_("main melding"),
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

    impact = models.ForeignKey(Impact, on_delete=models.PROTECT, related_name="+", verbose_name=_("impact"))
    urgency = models.ForeignKey(
        Urgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("urgency")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )
    priority_level = models.PositiveSmallIntegerField(editable=False)
    target_date = models.DateTimeField(_("target date"))

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
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

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

    objects = MeldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(line=Line.PARTIAL), name="partial_has_line_partial"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.brief_description}"

    @property
    def number(self) -> str:
        return format_number(self.pk)

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


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal note")
    CALLER = "caller", _("Visible to caller")


class NoteQuerySet(models.QuerySet["Note"]):
    def visible_to(self, user: Any) -> NoteQuerySet:
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        if user is not None and getattr(user, "is_staff_member", False):
            return qs
        return qs.filter(visibility=Visibility.CALLER)


class Note(models.Model):
    """Actie: a progress entry. Internal notes stay with operators; replies reach the caller."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    text = models.TextField(_("text"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(_("created"))

    objects = NoteQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "created_at", "id"], name="note_melding_created")]


class HistoryQuerySet(models.QuerySet["HistoryEntry"]):
    def visible_to(self, user: Any) -> HistoryQuerySet:
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        if user is not None and getattr(user, "is_staff_member", False):
            return qs
        return qs.filter(public=True)


class HistoryEntry(models.Model):
    """Who changed what, when, old -> new; written by the service layer."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)  # as shown in Dutch
    new_value = models.TextField(blank=True)
    old_value_en = models.TextField(blank=True)  # as shown in English
    new_value_en = models.TextField(blank=True)
    detail = models.TextField(blank=True)
    public = models.BooleanField(default=False)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "at", "id"], name="history_melding_at")]

    @property
    def old_display(self) -> str:
        return self.old_value_en if _english() else self.old_value

    @property
    def new_display(self) -> str:
        return self.new_value_en if _english() else self.new_value


class TimeEntry(models.Model):
    """Bestede tijd: time registered on a melding, per line."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="time_entries")
    operator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    line = models.CharField(max_length=8, choices=Line.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["melding", "date"], name="time_melding_date"),
            models.Index(fields=["operator", "date"], name="time_operator_date"),
        ]


class MeldingLink(models.Model):
    """A 'related to' link between two meldingen; stored once with from.id < to.id."""

    from_melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="+")
    to_melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_melding", "to_melding"], name="uniq_melding_link"),
            models.CheckConstraint(condition=Q(from_melding__lt=models.F("to_melding")), name="link_ordered"),
        ]
        indexes = [models.Index(fields=["to_melding"], name="link_to")]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def visible_to(self, user: Any) -> AttachmentQuerySet:
        qs = self.filter(melding__in=Melding.objects.visible_to(user))
        if user is not None and getattr(user, "is_staff_member", False):
            return qs
        return qs.filter(visible_to_caller=True)


class Attachment(models.Model):
    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    visible_to_caller = models.BooleanField(_("visible to caller"), default=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["melding", "created_at"], name="attachment_melding")]
