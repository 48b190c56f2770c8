"""Input shape of the acceptance session screens (operators) and of the portal's acceptance pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField
from beheer.accounts.models import User
from beheer.core.forms import BeheerForm, DateTimeLocalInput
from beheer.knowledge.models import Article, ArticleStatus, Audience

from .models import CouldWork, SignOff, TestCase, TestPlan

OUTCOME_CHOICES = [
    ("passed", _("It worked as described")),
    ("failed", _("It did not work")),
    ("blocked", _("I could not carry it out")),
]


def active_cases(plan: TestPlan) -> Any:
    return TestCase.objects.filter(plan=plan, withdrawn=False).order_by("number", "id")


def caller_instructions() -> Any:
    return Article.objects.filter(audience=Audience.CALLERS, status=ArticleStatus.PUBLISHED).order_by(
        "title", "id"
    )


class SessionForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeLocalInput)
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DateTimeLocalInput)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    online_link = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )
    introduction = forms.CharField(
        label=_("Introduction for the users"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    instructions = forms.ModelMultipleChoiceField(
        label=_("User instructions to read first"),
        queryset=Article.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published knowledge articles for callers."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("instructions", caller_instructions())


class ParticipantForm(BeheerForm):
    person = PersonChoiceField(label=_("User"), queryset=User.objects.none())
    cases = forms.ModelMultipleChoiceField(
        label=_("Test cases"),
        queryset=TestCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one test case.")},
    )

    def __init__(self, *args: Any, plan: TestPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset(
            "person", User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")
        )
        self.set_queryset("cases", active_cases(plan))


class ParticipantCasesForm(BeheerForm):
    cases = forms.ModelMultipleChoiceField(
        label=_("Test cases"),
        queryset=TestCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one test case.")},
    )

    def __init__(self, *args: Any, plan: TestPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("cases", active_cases(plan))


class SessionAdviceForm(BeheerForm):
    advice = forms.ChoiceField(label=_("Acceptance advice"), choices=SignOff.choices)
    text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for conditions and for not accepted."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StepForm(BeheerForm):
    """One step of a user's case: done, as expected or not, a remark."""

    index = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=999)
    done = forms.BooleanField(label=_("Done"), required=False)
    ok = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("Not said")), ("yes", _("As expected")), ("no", _("Not as expected"))],
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(
        label=_("Remark"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CompleteForm(BeheerForm):
    outcome = forms.ChoiceField(label=_("How did it go?"), choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    remark = forms.CharField(
        label=_("Remark"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when it did not work or you could not carry it out."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ScreenshotForm(BeheerForm):
    file = forms.FileField(
        label=_("Screenshot or photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class CouldWorkForm(BeheerForm):
    answer = forms.ChoiceField(
        label=_("Could you work with the new part?"), choices=CouldWork.choices, widget=forms.RadioSelect
    )
    remark = forms.CharField(
        label=_("Remark"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignOffForm(BeheerForm):
    decision = forms.ChoiceField(label=_("Your decision"), choices=SignOff.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for conditions and for not accepted."),
    )
