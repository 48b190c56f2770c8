"""Input shape of the needs page: stakeholders, requirements, notes, questions, designs, and the
client's decision in the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField
from beheer.accounts.models import User
from beheer.core.forms import BeheerForm, DateInput
from beheer.knowledge.models import DESIGN_KINDS, Article, ArticleStatus, Kind

from .forms import people
from .models import Change, MoSCoW, NoteKind, RequirementStatus, Stakeholder, StakeholderRole


def _stakeholders(change: Change) -> Any:
    return Stakeholder.objects.filter(change=change).order_by("name", "id")


class StakeholderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_role_display()})"


class StakeholderForm(BeheerForm):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    name = forms.CharField(
        label=_("Or a name"), max_length=200, required=False, help_text=_("For somebody without an account.")
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=StakeholderRole.choices, initial=StakeholderRole.STAKEHOLDER
    )
    interest = forms.CharField(
        label=_("Interest"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What this person needs or fears."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("person", people())


class RequirementForm(BeheerForm):
    text = forms.CharField(label=_("Requirement"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.ChoiceField(label=_("Priority (MoSCoW)"), choices=MoSCoW.choices, initial=MoSCoW.MUST)
    acceptance_criteria = forms.CharField(
        label=_("Acceptance criteria"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = StakeholderChoiceField(label=_("Source"), queryset=Stakeholder.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=RequirementStatus.choices, initial=RequirementStatus.ACTIVE, required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, change: Change, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("source", _stakeholders(change))
        if not editing:
            del self.fields["status"]


class NeedsNoteForm(BeheerForm):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices, initial=NoteKind.INTERVIEW)
    participants = forms.CharField(label=_("Participants"), max_length=500, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: headings, lists, links."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuestionForm(BeheerForm):
    question = forms.CharField(label=_("Question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    asked_of = StakeholderChoiceField(
        label=_("Asked of"), queryset=Stakeholder.objects.none(), required=False
    )

    def __init__(self, *args: Any, change: Change, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("asked_of", _stakeholders(change))


class AnswerForm(BeheerForm):
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NewDesignForm(BeheerForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Kind.FUNCTIONAL_DESIGN, Kind.FUNCTIONAL_DESIGN.label),
            (Kind.TECHNICAL_DESIGN, Kind.TECHNICAL_DESIGN.label),
        ],
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the kind and the change's title."),
    )


class DesignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_kind_display()})"


class LinkDesignForm(BeheerForm):
    article = DesignChoiceField(label=_("Existing design"), queryset=Article.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        designs = (
            Article.objects.visible_to(user)
            .filter(kind__in=DESIGN_KINDS)
            .exclude(status=ArticleStatus.ARCHIVED)
        )
        newest = list(designs.order_by("-updated_at", "-id").values_list("pk", flat=True)[:200])
        self.set_queryset("article", Article.objects.filter(pk__in=newest).order_by("-updated_at", "-id"))


class NeedsDecisionForm(BeheerForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("I approve the needs and the work planning")), ("reject", _("I reject them"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject."),
    )
    needs_version = forms.IntegerField(widget=forms.HiddenInput)
