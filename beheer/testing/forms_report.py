"""The tester's advice form on the test report page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .models import Advice


class TestAdviceForm(BeheerForm):
    __test__ = False

    advice = forms.ChoiceField(label=_("Advice"), choices=Advice.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required for go with conditions (which conditions) and no-go (why not)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
