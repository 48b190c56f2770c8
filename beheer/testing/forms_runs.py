"""The forms of the runs and findings pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .models import FindingStatus, Outcome, Severity, TestCase
from .services.findings import DESCRIPTION_MAX
from .services.runs import ACTUAL_MAX, MAX_MINUTES

OUTCOMES = [(o.value, o.label) for o in (Outcome.PASSED, Outcome.FAILED, Outcome.BLOCKED)]


class RunForm(BeheerForm):
    """A new run: where, and which cases (every active case, or a pick)."""

    environment = forms.TypedChoiceField(label=_("Environment"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    which = forms.ChoiceField(
        label=_("Test cases"),
        choices=[("all", _("Every active test case")), ("pick", _("The cases I pick"))],
        initial="all",
        widget=forms.RadioSelect,
    )
    cases = forms.TypedMultipleChoiceField(
        label=_("Pick the cases"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, environments: list[tuple[int, str]], cases: list[TestCase], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        env_field = self.fields["environment"]
        assert isinstance(env_field, forms.ChoiceField)
        env_field.choices = [("", _("(none)")), *environments]
        case_field = self.fields["cases"]
        assert isinstance(case_field, forms.ChoiceField)
        case_field.choices = [(c.pk, f"{c.code} {c.title}") for c in cases]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("which") == "pick" and not data.get("cases"):
            self.add_error("cases", _("Choose at least one test case."))
        return data


class ResultForm(BeheerForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect)
    actual_result = forms.CharField(
        label=_("Actual result"),
        required=False,
        max_length=ACTUAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the case failed or was blocked."),
    )
    minutes = forms.IntegerField(
        label=_("Time (minutes)"), required=False, min_value=0, max_value=MAX_MINUTES
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class EvidenceForm(BeheerForm):
    file = forms.FileField(label=_("Evidence file"))


class FindingForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)


class FindingEditForm(FindingForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class FindingStatusForm(BeheerForm):
    status = forms.ChoiceField(label=_("Status"), choices=FindingStatus.choices)


class ConfirmForm(BeheerForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)
