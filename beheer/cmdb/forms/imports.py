"""The import screen's upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .. import imports

KIND_CHOICES = [
    (imports.ITEMS, _("Configuration items")),
    (imports.RELATIONS, _("Relations")),
    (imports.LICENCES, _("Licences")),
    (imports.PEOPLE, _("People")),
]
KEY_CHOICES = [
    ("", _("The usual key of the kind")),
    ("asset_tag", _("Asset tag")),
    ("name", _("Name")),
    ("serial_number", _("Serial number")),
    ("host_name", _("Host name")),
    ("username", _("Username")),
    ("email", _("E-mail address")),
    ("reference", _("Reference")),
    ("product", _("Product")),
]


class ImportForm(BeheerForm):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (separated by ; or ,) or XLSX; the first row names the columns.")
    )
    kind = forms.ChoiceField(label=_("Import"), choices=KIND_CHOICES, initial=imports.ITEMS)
    key = forms.ChoiceField(
        label=_("Key column"),
        help_text=_(
            "A record with the same value is updated; otherwise one is created. Usually: asset tag for "
            "configuration items, username for people, reference for licences."
        ),
        choices=KEY_CHOICES,
        required=False,
        initial="",
    )
    partial = forms.BooleanField(label=_("Import the good rows when some are refused"), required=False)

    def __init__(self, *args: Any, people: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not people:  # only coordinators and administrators import people
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in KIND_CHOICES if c[0] != imports.PEOPLE]
