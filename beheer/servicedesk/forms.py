"""Input shape for the servicedesk screens. Forms check shape only; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# BeheerForm, the generic fields and widgets and `active` live in core.forms, PersonChoiceField and
# `operators` in accounts.forms; they stay importable from here for the modules that still do.
from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem, Supplier
from beheer.core import files
from beheer.core.errors import DomainError
from beheer.core.forms import (
    BeheerForm,
    DateInput,
    DateTimeLocalInput,
    LookupField,
    NamedChoiceField,
    active,
    parse_id,
)

from .choices import (
    StatusSelect,
    allowed_next_statuses,
    cached_groups,
    cached_operators,
    cached_rows,
    cached_suppliers,
    group_operators,
)
from .choices import main_categories as cached_main_categories
from .choices import subcategories as cached_subcategories
from .models import (
    CallType,
    Category,
    ClosureCode,
    EntryType,
    Impact,
    Line,
    Melding,
    Priority,
    Status,
    StatusKind,
    Urgency,
    Visibility,
    parse_number,
)
from .queries import SORTS

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
BRIEF_MAX = 80


class SubcategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.parent.display_name} / {obj.display_name}" if obj.parent_id else obj.display_name


def main_categories() -> Any:
    return Category.objects.filter(active=True, parent__isnull=True).order_by("order", "name")


def subcategories(category_id: Any = None) -> Any:
    qs = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    if category_id:
        qs = qs.filter(parent_id=category_id)
    return qs.order_by("parent__order", "parent__name", "order", "name")


def check_upload(upload: Any) -> Any:
    """The shared upload check (size, programs, disguised images) as a form error on the field."""
    if upload is not None:
        try:
            files.check_upload(upload)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
    return upload


class OperatorFollowsGroupMixin(BeheerForm):
    """The operator select lists the members of the chosen operator group; choosing another group
    asks the server for the new list (HTMX). The service refuses an operator outside the group."""

    def follow_group(self, group_field: str, operator_field: str = "operator") -> None:
        group_id = self._chosen(group_field)
        chosen = str(self._chosen(operator_field) or "")
        members = group_operators(group_id)

        def rows() -> list[User]:
            everyone = cached_operators()
            if members is None:
                return everyone
            ids = {p.pk for p in members}
            return [p for p in everyone if p.pk in ids or str(p.pk) == chosen]

        self.set_rows(operator_field, rows, fresh=operators())
        target = self[operator_field].auto_id
        self.fields[group_field].widget.attrs.update(
            {
                "hx-get": reverse("operator-options"),
                "hx-trigger": "change",
                "hx-target": f"#{target}",
                "hx-swap": "innerHTML",
                "hx-include": f"#{target}",
                "hx-sync": "this:replace",
            }
        )

    def _chosen(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return getattr(value, "pk", value)


class CategoryMixin(BeheerForm):
    """Narrow the subcategory choices to the chosen category (the page refreshes them with HTMX)."""

    def narrow_subcategories(self, prefix: str = "") -> None:
        sub_id = self["subcategory"].auto_id
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("subcategory-options"),
                "hx-trigger": "change",
                "hx-target": f"#{sub_id}",
                "hx-swap": "innerHTML",
            }
        )
        raw = self.data.get(prefix + "category") if self.data else self.initial.get("category")
        category_id = getattr(raw, "pk", raw)
        if category_id and str(category_id).isdigit():
            self.set_queryset("subcategory", subcategories(int(category_id)))


# --------------------------------------------------------------------------------------------------
# queue filters


class QueueFilterForm(BeheerForm):
    QUEUE_CHOICES = [
        ("mine", _("My calls")),
        ("groups", _("My operator groups")),
        ("first", _("First line")),
        ("second", _("Second line")),
        ("partial", _("Partial incidents")),
        ("unassigned", _("Unassigned")),
        ("open", _("All open")),
        ("closed", _("Resolved and closed")),
        ("all", _("All calls")),
    ]
    queue = forms.ChoiceField(label=_("Queue"), choices=QUEUE_CHOICES, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    caller = forms.IntegerField(
        label=_("Caller"), required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    status = NamedChoiceField(
        label=_("Status"), queryset=Status.objects.none(), required=False, empty_label=_("Any status")
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"),
        queryset=OperatorGroup.objects.none(),
        required=False,
        empty_label=_("Any group"),
    )
    operator = PersonChoiceField(
        label=_("Operator"), queryset=User.objects.none(), required=False, empty_label=_("Any operator")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Any category")
    )
    priority = NamedChoiceField(
        label=_("Priority"), queryset=Priority.objects.none(), required=False, empty_label=_("Any priority")
    )
    line = forms.ChoiceField(label=_("Line"), choices=[("", _("Any line")), *Line.choices], required=False)
    call_type = NamedChoiceField(
        label=_("Call type"), queryset=CallType.objects.none(), required=False, empty_label=_("Any call type")
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("Any SLA state")),
            ("on_track", _("On track")),
            ("at_risk", _("At risk")),
            ("breached", _("Breached")),
            ("paused", _("Paused")),
            ("met", _("Met")),
        ],
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[
            ("", _("Any age")),
            ("0-2", _("0-2 days")),
            ("3-7", _("3-7 days")),
            ("8-30", _("8-30 days")),
            ("31+", _("More than 30 days")),
        ],
    )
    # Filters the dashboard links to: shown only when the link set them, so they can be cleared.
    created = forms.ChoiceField(
        label=_("Registered"),
        required=False,
        choices=[("", _("Any day")), ("today", _("Today")), ("yesterday", _("Yesterday"))],
    )
    resolved = forms.ChoiceField(
        label=_("Resolved"),
        required=False,
        choices=[("", _("Any day")), ("today", _("Today")), ("yesterday", _("Yesterday"))],
    )
    unassigned = forms.ChoiceField(
        label=_("Operator assigned"),
        required=False,
        choices=[("", _("Assigned or not")), ("1", _("Unassigned only"))],
    )
    status_code = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    status_kind = forms.ChoiceField(
        label=_("Kind of status"), required=False, choices=[("", _("Any kind")), *StatusKind.choices]
    )
    groups = forms.ChoiceField(
        label=_("Operator groups"),
        required=False,
        choices=[("", _("Any group")), ("mine", _("My operator groups")), ("none", _("No operator group"))],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[])

    DASHBOARD_ONLY = ("created", "resolved", "unassigned", "status_code", "status_kind", "groups")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.DASHBOARD_ONLY:
            if not self.data.get(name):
                del self.fields[name]
        if "status_code" in self.fields:
            self.fields["status_code"].choices = [  # type: ignore[attr-defined]
                ("", _("Any status")),
                *((s.code, s.name) for s in Status.objects.order_by("order", "id")),
            ]
        self.set_queryset("status", active(Status))
        self.set_queryset("operator_group", OperatorGroup.objects.active())
        self.set_queryset("operator", operators())
        self.set_queryset("category", main_categories())
        self.set_queryset("priority", active(Priority))
        self.set_queryset("call_type", active(CallType))
        sort_choices = [(key, label) for key, (label, _order) in SORTS.items()]
        self.fields["sort"].choices = sort_choices  # type: ignore[attr-defined]
        for name in (
            "status",
            "operator_group",
            "operator",
            "category",
            "priority",
            "line",
            "call_type",
            "sla",
            "age",
            *(name for name in self.DASHBOARD_ONLY if name in self.fields),
            "sort",
        ):
            self.fields[name].widget.attrs["data-filter"] = name


# --------------------------------------------------------------------------------------------------
# the configuration item a melding is about

CI_UNKNOWN = _("Choose one existing configuration item, by its number or exact name.")
MY_OBJECTS_SHOWN = 200  # the caller's own CIs offered in the portal


def find_ci(text: str, user: Any) -> ConfigurationItem | None:
    """The CI `user` may see that `text` names: by its number, else by its exact name (case-insensitive)
    when one CI has it, as the CMDB's relation form finds its target."""
    visible = ConfigurationItem.objects.visible_to(user)
    pk = parse_id(text)
    if pk is not None:
        return visible.filter(pk=pk).first()
    found = list(visible.filter(name__iexact=text.strip())[:2])
    return found[0] if len(found) == 1 else None


def ci_field() -> forms.CharField:
    return forms.CharField(
        label=_("Configuration item"),
        max_length=200,
        required=False,
        help_text=_("The configuration item's number or exact name; leave empty for none."),
    )


def clean_ci_text(text: str, user: Any) -> ConfigurationItem | None:
    """The CI field's value: None when empty, the CI it names, else a form error (an unknown CI and
    one the user may not see alike)."""
    if not (text or "").strip():
        return None
    ci = find_ci(text, user)
    if ci is None:
        raise forms.ValidationError(CI_UNKNOWN)
    return ci


# --------------------------------------------------------------------------------------------------
# registering


class MeldingCreateForm(CategoryMixin, OperatorFollowsGroupMixin, BeheerForm):
    caller = PersonChoiceField(
        label=_("Caller"), queryset=User.objects.none(), required=False, widget=forms.RadioSelect
    )
    caller_name = forms.CharField(label=_("Name (unregistered caller)"), max_length=150, required=False)
    caller_email = forms.EmailField(label=_("E-mail"), required=False)
    caller_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    brief_description = forms.CharField(
        label=_("Brief description"),
        max_length=BRIEF_MAX,
        widget=forms.TextInput(attrs={"data-counter": "", "autocomplete": "off"}),
    )
    request = forms.CharField(label=_("Request"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    entry_type = forms.ChoiceField(
        label=_("Entry type"),
        choices=[
            (v, label)
            for v, label in EntryType.choices
            if v not in (EntryType.API, EntryType.MONITORING, EntryType.PREVENTIVE)
        ],
        initial=EntryType.PHONE,
    )
    call_type = NamedChoiceField(label=_("Call type"), queryset=CallType.objects.none(), empty_label=None)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    subcategory = SubcategoryChoiceField(
        label=_("Subcategory"), queryset=Category.objects.none(), required=False
    )
    object_name = forms.CharField(label=_("Object"), max_length=200, required=False)
    ci = ci_field()
    impact = NamedChoiceField(label=_("Impact"), queryset=Impact.objects.none(), required=False)
    urgency = NamedChoiceField(label=_("Urgency"), queryset=Urgency.objects.none(), required=False)
    target_date = forms.DateTimeField(
        label=_("Target date"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_INPUT_FORMATS,
        help_text=_("Leave empty to compute it from the priority."),
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    operator = LookupField(label=_("Operator"), required=False, label_from=str)
    estimated_minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"), min_value=0, max_value=10**6, required=False
    )
    estimated_people = forms.IntegerField(
        label=_("Estimated people"), min_value=0, max_value=1000, required=False
    )
    estimated_means = forms.CharField(label=_("Estimated means"), max_length=500, required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.set_queryset("caller", User.objects.visible_to(user).callers())
        self.set_queryset("call_type", active(CallType))
        self.set_queryset("category", main_categories())
        self.set_queryset("subcategory", subcategories())
        self.set_queryset("impact", active(Impact))
        self.set_queryset("urgency", active(Urgency))
        self.set_queryset("operator_group", OperatorGroup.objects.first_line())
        self.follow_group("operator_group")
        self.narrow_subcategories()

    def clean_attachment(self) -> Any:
        return check_upload(self.cleaned_data.get("attachment"))

    def clean_ci(self) -> ConfigurationItem | None:
        return clean_ci_text(self.cleaned_data.get("ci") or "", self.user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("caller")
            and not (data.get("caller_name") or "").strip()
            and not self.has_error("caller")
        ):
            self.add_error("caller", _("Choose a caller or enter the name of an unregistered caller."))
        return data


class PortalMeldingForm(CategoryMixin, BeheerForm):
    brief_description = forms.CharField(
        label=_("Brief description"),
        max_length=BRIEF_MAX,
        widget=forms.TextInput(attrs={"data-counter": "", "autocomplete": "off"}),
        help_text=_("In a few words: what is the matter?"),
    )
    request = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what did you expect, and since when?"),
    )
    call_type = NamedChoiceField(label=_("Call type"), queryset=CallType.objects.none(), empty_label=None)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    subcategory = SubcategoryChoiceField(
        label=_("Subcategory"), queryset=Category.objects.none(), required=False
    )
    ci = forms.ModelChoiceField(
        label=_("My objects"),
        queryset=ConfigurationItem.objects.none(),
        required=False,
        empty_label=_("(none of them)"),
        help_text=_("The device or application this is about, if it is one of yours."),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("call_type", active(CallType))
        self.set_queryset("category", main_categories())
        self.set_queryset("subcategory", subcategories())
        self.narrow_subcategories()
        # the caller's own CIs (owned or used), not retired; no field when they have none
        mine = list(
            ConfigurationItem.objects.visible_to(user).in_use().order_by("name", "id")[:MY_OBJECTS_SHOWN]
        )
        if mine:
            field = self.fields["ci"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = ConfigurationItem.objects.filter(pk__in=[c.pk for c in mine]).order_by(
                "name", "id"
            )
        else:
            del self.fields["ci"]

    def clean_attachment(self) -> Any:
        return check_upload(self.cleaned_data.get("attachment"))


# --------------------------------------------------------------------------------------------------
# actions on a melding; every one carries the version the operator saw


class ActionForm(BeheerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", melding.version)
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.melding = melding
        self.user = user

    prefix_name = ""


class ClassificationForm(ActionForm):
    prefix_name = "classify"
    brief_description = forms.CharField(
        label=_("Brief description"), max_length=BRIEF_MAX, widget=forms.TextInput(attrs={"data-counter": ""})
    )
    request = forms.CharField(label=_("Request"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    call_type = LookupField(label=_("Call type"), empty_label=None)
    category = LookupField(label=_("Category"), required=False, label_from=str)
    subcategory = LookupField(
        label=_("Subcategory"),
        required=False,
        label_from=lambda c: f"{c.parent.display_name} / {c.display_name}" if c.parent_id else c.display_name,
    )
    object_name = forms.CharField(label=_("Object"), max_length=200, required=False)
    ci = ci_field()
    impact = LookupField(label=_("Impact"), empty_label=None)
    urgency = LookupField(label=_("Urgency"), empty_label=None)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        for name in ("brief_description", "request", "object_name"):
            kwargs["initial"].setdefault(name, getattr(melding, name))
        kwargs["initial"].setdefault("ci", str(melding.ci_id) if melding.ci_id else "")
        for name in ("call_type", "category", "subcategory", "impact", "urgency"):
            kwargs["initial"].setdefault(name, getattr(melding, f"{name}_id"))
        super().__init__(*args, melding=melding, user=user, **kwargs)
        call_types = [c for c in cached_rows(CallType) if c.active or c.pk == melding.call_type_id]
        self.set_rows("call_type", lambda: call_types)
        self.set_rows("category", cached_main_categories, fresh=Category.objects.filter(active=True))
        raw = self.data.get("classify-category") if self.is_bound else melding.category_id
        chosen = str(raw) if raw and str(raw).isdigit() else ""
        self.set_rows(
            "subcategory",
            lambda: cached_subcategories(chosen),
            fresh=Category.objects.filter(active=True, parent__isnull=False),
        )
        self.set_rows("impact", lambda: [r for r in cached_rows(Impact) if r.active])
        self.set_rows("urgency", lambda: [r for r in cached_rows(Urgency) if r.active])
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("subcategory-options"),
                "hx-trigger": "change",
                "hx-target": f"#{self['subcategory'].auto_id}",
                "hx-swap": "innerHTML",
            }
        )

    def clean_ci(self) -> ConfigurationItem | None:
        return clean_ci_text(self.cleaned_data.get("ci") or "", self.user)


class TargetDateForm(ActionForm):
    prefix_name = "target"
    target_date = forms.DateTimeField(
        label=_("Target date"), widget=DateTimeLocalInput(), input_formats=DATETIME_INPUT_FORMATS
    )

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        from django.utils import timezone

        kwargs.setdefault("initial", {"target_date": timezone.localtime(melding.target_date)})
        super().__init__(*args, melding=melding, user=user, **kwargs)


class AssignForm(OperatorFollowsGroupMixin, ActionForm):
    prefix_name = "assign"
    operator_group = LookupField(label=_("Operator group"), required=False, label_from=str)
    operator = LookupField(label=_("Operator"), required=False, label_from=str)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"operator_group": melding.operator_group_id, "operator": melding.operator_id}
        )
        super().__init__(*args, melding=melding, user=user, **kwargs)
        line = melding.line

        def groups() -> list[OperatorGroup]:
            return [
                g
                for g in cached_groups()
                if (line != Line.FIRST or g.is_first_line) and (line != Line.SECOND or g.is_second_line)
            ]

        self.set_rows("operator_group", groups, fresh=OperatorGroup.objects.all())
        self.follow_group("operator_group")


class StatusForm(ActionForm):
    """The status select; a status that asks for the supplier shows the supplier select too."""

    prefix_name = "status"
    status = LookupField(label=_("Status"), empty_label=None, widget=StatusSelect)
    supplier = LookupField(
        label=_("Supplier"),
        required=False,
        label_from=str,
        help_text=_("Only for a status that waits for a supplier."),
    )

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"supplier": melding.supplier_id})
        super().__init__(*args, melding=melding, user=user, **kwargs)
        statuses = allowed_next_statuses(melding)
        self.set_rows("status", lambda: statuses)
        widget = self.fields["status"].widget
        assert isinstance(widget, StatusSelect)
        widget.asks_supplier = {str(s.pk) for s in statuses if s.asks_supplier}
        if widget.asks_supplier:
            self.set_rows("supplier", cached_suppliers, fresh=Supplier.objects.all())
        else:
            del self.fields["supplier"]


class EscalateForm(OperatorFollowsGroupMixin, ActionForm):
    prefix_name = "escalate"
    second_line = True
    to_group = LookupField(label=_("Operator group"), label_from=str)
    operator = LookupField(label=_("Operator"), required=False, label_from=str)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        super().__init__(*args, melding=melding, user=user, **kwargs)
        second = self.second_line

        def groups() -> list[OperatorGroup]:
            return [g for g in cached_groups() if (g.is_second_line if second else g.is_first_line)]

        self.set_rows("to_group", groups, fresh=OperatorGroup.objects.all())
        self.follow_group("to_group")


class DeescalateForm(EscalateForm):
    prefix_name = "deescalate"
    second_line = False


class EstimatesForm(ActionForm):
    prefix_name = "estimates"
    minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"), min_value=0, max_value=10**6, required=False
    )
    people = forms.IntegerField(label=_("Estimated people"), min_value=0, max_value=1000, required=False)
    means = forms.CharField(label=_("Estimated means"), max_length=500, required=False)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "minutes": melding.estimated_minutes,
                "people": melding.estimated_people,
                "means": melding.estimated_means,
            },
        )
        super().__init__(*args, melding=melding, user=user, **kwargs)


class NoteForm(ActionForm):
    prefix_name = "note"
    text = forms.CharField(label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )


class TimeForm(ActionForm):
    prefix_name = "time"
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NumberForm(ActionForm):
    """A form that names another melding by its number (link, merge)."""

    number = forms.CharField(label=_("Call number"), max_length=20)

    def clean_number(self) -> Melding:
        pk = parse_number(self.cleaned_data["number"])
        other = Melding.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if other is None:
            raise forms.ValidationError(_("No call with this number."))
        return other


class LinkForm(NumberForm):
    prefix_name = "link"


class MergeForm(NumberForm):
    prefix_name = "merge"


class UnlinkForm(ActionForm):
    prefix_name = "unlink"
    other = forms.IntegerField(widget=forms.HiddenInput)

    def clean_other(self) -> Melding:
        other = Melding.objects.visible_to(self.user).filter(pk=self.cleaned_data["other"]).first()
        if other is None:
            raise forms.ValidationError(_("No call with this number."))
        return other


class PartialForm(OperatorFollowsGroupMixin, ActionForm):
    prefix_name = "partial"
    brief_description = forms.CharField(label=_("Brief description"), max_length=BRIEF_MAX)
    request = forms.CharField(label=_("Request"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    operator_group = LookupField(label=_("Operator group"), required=False, label_from=str)
    operator = LookupField(label=_("Operator"), required=False, label_from=str)
    supplier = LookupField(label=_("Supplier"), required=False, label_from=str)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        super().__init__(*args, melding=melding, user=user, **kwargs)
        self.set_rows("operator_group", cached_groups, fresh=OperatorGroup.objects.all())
        self.set_rows("supplier", cached_suppliers, fresh=Supplier.objects.all())
        self.follow_group("operator_group")


class AttachmentForm(ActionForm):
    prefix_name = "attachment"
    file = forms.FileField(label=_("File"))
    visible_to_caller = forms.BooleanField(label=_("Visible to caller"), required=False, initial=True)

    def clean_file(self) -> Any:
        return check_upload(self.cleaned_data.get("file"))


class ResolveForm(ActionForm):
    prefix_name = "resolve"
    solution = forms.CharField(
        label=_("Solution"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_workaround = forms.BooleanField(label=_("This is a workaround"), required=False)
    closure_code = LookupField(label=_("Closure code"), required=False)
    # set by "Resolve with this article" in the suggestions panel; the service checks visibility
    article = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, melding: Melding, user: User, **kwargs: Any) -> None:
        super().__init__(*args, melding=melding, user=user, **kwargs)
        self.set_rows("closure_code", lambda: [c for c in cached_rows(ClosureCode) if c.active])


class CloseForm(ActionForm):
    prefix_name = "close"


class ReopenForm(ActionForm):
    prefix_name = "reopen"
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# --------------------------------------------------------------------------------------------------
# portal


class ReplyForm(BeheerForm):
    text = forms.CharField(
        label=_("Your reply"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def clean_attachment(self) -> Any:
        return check_upload(self.cleaned_data.get("attachment"))


class PortalReopenForm(BeheerForm):
    reason = forms.CharField(
        label=_("Why is the problem not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


RATING_CHOICES = [
    ("", _("No rating")),
    ("1", _("1 - very dissatisfied")),
    ("2", _("2 - dissatisfied")),
    ("3", _("3 - neutral")),
    ("4", _("4 - satisfied")),
    ("5", _("5 - very satisfied")),
]


class ConfirmForm(BeheerForm):
    """Confirming a solution, with an optional satisfaction rating and comment."""

    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how your call was handled? (optional)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="",
        widget=forms.RadioSelect(attrs={"class": "rating-choice"}),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
