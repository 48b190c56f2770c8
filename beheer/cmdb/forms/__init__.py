"""Input shape of the CMDB screens: a CI with the custom attribute fields of its type, a relation,
the list filter, and CI types with their attributes (administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, Location, User
from beheer.core.forms import BeheerForm, DateInput, NamedChoiceField

from ..models import (
    AttributeDefinition,
    AttributeKind,
    CiAttributeValue,
    CiEnvironment,
    CiKind,
    CiStatus,
    CiType,
    RelationKind,
    Supplier,
)
from ..queries import NO_ENVIRONMENT

ATTRIBUTE_FIELD = "attr_"  # a custom attribute's form field: attr_<code>


def attribute_field_name(code: str) -> str:
    return f"{ATTRIBUTE_FIELD}{code}"


def error_field(key: str) -> str:
    """A service's field error key on this form: `attributes.<code>` is the attribute's field."""
    prefix = "attributes."
    return attribute_field_name(key[len(prefix) :]) if key.startswith(prefix) else key


def people() -> Any:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def raw_value(definition: AttributeDefinition, value: CiAttributeValue | None) -> Any:
    """A stored value as its form field shows it (and sends it back)."""
    if value is None:
        return ""
    if definition.kind == AttributeKind.CI:
        return value.ref_ci_id or ""
    if definition.kind == AttributeKind.PERSON:
        return value.ref_person_id or ""
    if definition.kind == AttributeKind.BOOLEAN:
        return "" if value.flag is None else ("true" if value.flag else "false")
    if definition.kind == AttributeKind.NUMBER:
        return "" if value.number is None else format(value.number.normalize(), "f")
    if definition.kind == AttributeKind.DATE:
        return value.date or ""
    return value.text


def attribute_field(definition: AttributeDefinition, current: Any = "") -> forms.Field:
    """The form field of one custom attribute; the service reads and checks the value."""
    common: dict[str, Any] = {"label": definition.label, "required": False}
    kind = definition.kind
    if kind == AttributeKind.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))], **common)
    if kind == AttributeKind.CHOICE:
        options = [str(c) for c in definition.choices or []]
        if current and str(current) not in options:
            options.append(str(current))  # a value no longer offered stays visible
        return forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in options]], **common)
    if kind == AttributeKind.PERSON:
        return forms.ChoiceField(
            choices=lambda: [("", "—"), *[(str(p.pk), str(p)) for p in people()]], **common
        )
    if kind == AttributeKind.NUMBER:
        return forms.CharField(max_length=40, widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == AttributeKind.DATE:
        return forms.CharField(max_length=20, widget=DateInput(), **common)
    if kind == AttributeKind.CI:
        return forms.CharField(
            max_length=20,
            help_text=_("The number (id) of the configuration item."),
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    return forms.CharField(max_length=500, **common)


class ItemForm(BeheerForm):
    """A CI's common fields; `add_attributes` adds the fields of its type."""

    name = forms.CharField(label=_("Name"), max_length=200)
    ci_type = NamedChoiceField(label=_("Type"), queryset=CiType.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=CiStatus.choices, initial=CiStatus.IN_USE)
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=[("", "—"), *CiEnvironment.choices],
        required=False,
        help_text=_("Development, test, acceptance or production (OTAP); empty when it does not apply."),
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    users = PeopleField(label=_("Users"), queryset=User.objects.none(), required=False)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.all(), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.select_related("branch"), required=False
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.all(), required=False)
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=60, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    host_name = forms.CharField(label=_("Host name"), max_length=255, required=False)
    addresses = forms.CharField(
        label=_("Addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("IP or MAC addresses, one per line."),
    )
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DateInput())
    warranty_until = forms.DateField(label=_("Warranty until"), required=False, widget=DateInput())
    cost = forms.DecimalField(label=_("Cost"), required=False, min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    shown_type = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, current_type: CiType | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = CiType.objects.filter(active=True)
        if current_type is not None:
            types = CiType.objects.filter(active=True) | CiType.objects.filter(pk=current_type.pk)
        self.set_queryset("ci_type", types.order_by("order", "name_nl", "id"))
        self.set_queryset("owner", people())
        self.set_queryset("users", people())
        self.attribute_names: list[str] = []
        self.kept: dict[str, Any] = {}  # inactive attributes' values, sent back unchanged

    def add_attributes(self, rows: list[tuple[AttributeDefinition, Any]]) -> None:
        """The fields of the type's attributes (definition, stored value or None); an attribute no
        longer in use is shown read-only and keeps its value."""
        for definition, value in rows:
            current = raw_value(definition, value)
            if not definition.active:
                if value is not None:
                    self.kept[definition.code] = current
                continue
            name = attribute_field_name(definition.code)
            self.fields[name] = attribute_field(definition, current)
            if not self.is_bound:
                self.initial[name] = current
            self.attribute_names.append(name)

    def attribute_fields(self) -> list[Any]:
        return [self[name] for name in self.attribute_names]

    def common_fields(self) -> list[Any]:
        return [f for f in self.visible_fields() if f.name not in self.attribute_names]

    def attribute_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = dict(self.kept)
        for name in self.attribute_names:
            values[name[len(ATTRIBUTE_FIELD) :]] = data.get(name) or ""
        return values


class TypeChoiceForm(BeheerForm):
    type = NamedChoiceField(label=_("Type"), queryset=CiType.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("type", CiType.objects.filter(active=True).order_by("order", "name_nl", "id"))


class RelationForm(BeheerForm):
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    target = forms.CharField(
        label=_("Configuration item"),
        max_length=200,
        help_text=_("Its number (id) or its exact name."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ConfirmForm(BeheerForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FilterForm(BeheerForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = NamedChoiceField(label=_("Type"), queryset=CiType.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *CiStatus.choices], required=False)
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=[("", "—"), *CiEnvironment.choices, (NO_ENVIRONMENT, _("No environment"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("type", CiType.objects.order_by("order", "name_nl", "id"))


class TypeForm(BeheerForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_nl = forms.CharField(label=_("Name (Dutch)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=CiKind.choices, initial=CiKind.OTHER)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100_000, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AttributeForm(BeheerForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    label_nl = forms.CharField(label=_("Label (Dutch)"), max_length=80)
    label_en = forms.CharField(label=_("Label (English)"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind of value"), choices=AttributeKind.choices)
    choices = forms.CharField(
        label=_("Values to choose from"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; only for a choice."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100_000, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
