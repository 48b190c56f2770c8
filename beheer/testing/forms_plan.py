"""Input shapes of the test plan pages: the plan, an environment and its preparation, a case (its
steps one per line as "action => expected result"), the library's cases and copying them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import User
from beheer.changes.models import Change, Requirement, RequirementStatus
from beheer.cmdb.models import CiEnvironment, CiStatus, ConfigurationItem
from beheer.core.forms import BeheerForm, DateTimeLocalInput

from .models import StandardTestCase, TestType
from .services.plans import MAX_STEPS, STEP_MAX

SEPARATOR = "=>"
MAX_CHOICES = 200

STEPS_HELP = gettext_lazy(
    'One step per line: the action, then "=>" and the expected result, for example '
    '"Open the printer list => The new printer is listed". At most 50 steps.'
)


def parse_steps(value: str) -> list[tuple[str, str]]:
    """The lines of the steps field as (action, expected) pairs; empty lines skipped."""
    steps = []
    for line in (value or "").splitlines():
        if not line.strip():
            continue
        action, _sep, expected = line.partition(SEPARATOR)
        steps.append((action.strip(), expected.strip()))
    return steps


def steps_text(steps: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{s['action']} {SEPARATOR} {s['expected']}" if s.get("expected") else s["action"] for s in steps
    )


class StepsField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=gettext_lazy("Steps"),
            required=False,
            max_length=MAX_STEPS * (2 * STEP_MAX + 10),
            widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
            help_text=STEPS_HELP,
            **kwargs,
        )

    def clean(self, value: Any) -> list[tuple[str, str]]:
        text = super().clean(value)
        steps = parse_steps(text)
        if len(steps) > MAX_STEPS:
            raise forms.ValidationError(_("A test case has at most %(max)d steps.") % {"max": MAX_STEPS})
        for number, (action, expected) in enumerate(steps, start=1):
            if not action:
                raise forms.ValidationError(_("Step %(number)d has no action.") % {"number": number})
            if len(action) > STEP_MAX or len(expected) > STEP_MAX:
                raise forms.ValidationError(
                    _("Step %(number)d: each text at most %(max)d characters.")
                    % {"number": number, "max": STEP_MAX}
                )
        return steps


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.code} {text}"


class PlanForm(BeheerForm):
    scope = forms.CharField(
        label=gettext_lazy("Scope"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What is tested, and what is not."),
    )
    entry_criteria = forms.CharField(
        label=gettext_lazy("Entry criteria"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("When testing may start."),
    )
    exit_criteria = forms.CharField(
        label=gettext_lazy("Exit criteria"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("When testing is done."),
    )
    test_types = forms.MultipleChoiceField(
        label=gettext_lazy("Test types"),
        required=False,
        choices=TestType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def environment_cis(user: Any) -> Any:
    """The CIs of the test and acceptance environments the reader may choose (at most 200)."""
    rows = (
        ConfigurationItem.objects.visible_to(user)
        .filter(environment__in=[CiEnvironment.TEST, CiEnvironment.ACCEPTANCE])
        .exclude(status=CiStatus.RETIRED)
        .order_by("name", "id")
    )
    ids = list(rows.values_list("pk", flat=True)[:MAX_CHOICES])
    return ConfigurationItem.objects.filter(pk__in=ids).order_by("name", "id")


class EnvironmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_environment_display()})"


class EnvironmentForm(BeheerForm):
    ci = EnvironmentChoiceField(
        label=gettext_lazy("Environment"),
        queryset=ConfigurationItem.objects.none(),
        help_text=gettext_lazy("A configuration item of the test or acceptance environment."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("ci", environment_cis(user))


class PrepareForm(BeheerForm):
    checklist = forms.CharField(
        label=gettext_lazy("Checklist"),
        max_length=50 * 310,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One item per line, at most 50."),
    )
    planned_for = forms.DateTimeField(label=gettext_lazy("Planned for"), widget=DateTimeLocalInput())
    assignee = PersonChoiceField(label=gettext_lazy("Assignee"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("assignee", operators())

    def clean_checklist(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["checklist"].splitlines() if line.strip()]


class CaseFieldsForm(BeheerForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    test_type = forms.ChoiceField(label=gettext_lazy("Test type"), choices=TestType.choices)
    preconditions = forms.CharField(
        label=gettext_lazy("Preconditions"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    steps = StepsField()


class CaseForm(CaseFieldsForm):
    requirements = RequirementChoiceField(
        label=gettext_lazy("Requirements"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, change: Change, linked: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("requirements", requirement_choices(change, linked))


def requirement_choices(change: Change, linked: list[int] | None = None) -> Any:
    """The change's active requirements, and withdrawn ones a case is already linked to."""
    return Requirement.objects.filter(change=change).filter(
        Q(status=RequirementStatus.ACTIVE) | Q(pk__in=linked or [])
    )


class StandardCaseForm(CaseFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class StandardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_test_type_display()})"


class CopyForm(BeheerForm):
    cases = StandardChoiceField(
        label=gettext_lazy("Standard test cases"),
        queryset=StandardTestCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    requirements = RequirementChoiceField(
        label=gettext_lazy("Requirements"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Each copy is linked to these requirements."),
    )

    def __init__(self, *args: Any, change: Change, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = list(StandardTestCase.objects.filter(active=True).values_list("pk", flat=True)[:MAX_CHOICES])
        self.set_queryset("cases", StandardTestCase.objects.filter(pk__in=ids))
        self.set_queryset("requirements", requirement_choices(change))


class LibrarySearchForm(BeheerForm):
    q = forms.CharField(label=gettext_lazy("Search by title"), required=False, max_length=200)
