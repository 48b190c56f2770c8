"""The import screen's upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .. import imports


class ImportForm(BeheerForm):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (separated by ; or ,) or XLSX; the first row names the columns.")
    )
    kind = forms.ChoiceField(
        label=_("Import"),
        choices=[(imports.ITEMS, _("Configuration items")), (imports.RELATIONS, _("Relations"))],
        initial=imports.ITEMS,
    )
    key = forms.ChoiceField(
        label=_("Key column"),
        help_text=_("A configuration item with the same value is updated; otherwise one is created."),
        choices=[
            ("asset_tag", _("Asset tag")),
            ("name", _("Name")),
            ("serial_number", _("Serial number")),
            ("host_name", _("Host name")),
        ],
        initial="asset_tag",
    )
    partial = forms.BooleanField(label=_("Import the good rows when some are refused"), required=False)
