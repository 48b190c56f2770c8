"""Input shape of the evaluation screens and of the feedback form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .models import FindingCategory, FindingKind, FollowUpTarget, Stakeholder
from .models.evaluation import SATISFACTION_MAX, SATISFACTION_MIN

SCORES = [(n, str(n)) for n in range(SATISFACTION_MIN, SATISFACTION_MAX + 1)]


class FeedbackRequestForm(BeheerForm):
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Stakeholders"),
        queryset=Stakeholder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one stakeholder.")},
    )

    def __init__(self, *args: Any, change: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if change is not None:
            self.set_queryset("stakeholders", Stakeholder.objects.filter(change=change).order_by("id")[:200])


class FeedbackAnswerForm(BeheerForm):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the result? (1 = not at all, 5 = very)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    went_well = forms.CharField(
        label=_("What went well?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    could_be_better = forms.CharField(
        label=_("What could be better?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    may_contact = forms.BooleanField(label=_("You may contact me about my answer"), required=False)


class FindingForm(BeheerForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices, initial=FindingKind.FINDING)
    category = forms.ChoiceField(
        label=_("Category"), choices=FindingCategory.choices, initial=FindingCategory.OTHER
    )
    text = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConvertForm(BeheerForm):
    to = forms.ChoiceField(choices=FollowUpTarget.choices)


class AdviceForm(BeheerForm):
    advice = forms.CharField(
        label=_("Advice"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Your advice for similar changes; it closes the final report."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
