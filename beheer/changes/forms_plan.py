"""Input shape of the plan screens: an activity, the plan's approval, a notice to stakeholders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import OperatorGroup, User
from beheer.core.forms import BeheerForm, DateTimeLocalInput
from beheer.knowledge.models import Article, ArticleStatus, Kind

from .models import ChangeActivity, Stakeholder


class PlanActivityForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    assignee = PersonChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=DateTimeLocalInput)
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=DateTimeLocalInput)
    estimate_minutes = forms.IntegerField(
        label=_("Estimate (minutes)"), min_value=0, max_value=525600, initial=0
    )
    people_count = forms.IntegerField(label=_("People"), min_value=0, max_value=1000, initial=1)
    means = forms.CharField(
        label=_("Means"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tools, materials, rooms, access."),
    )
    depends_on = forms.ModelMultipleChoiceField(
        label=_("Depends on"),
        queryset=ChangeActivity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The activities that must be finished first."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, change: Any, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("assignee", operators())
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))
        rows = ChangeActivity.objects.filter(change=change).order_by("order", "id")
        self.set_queryset("depends_on", rows.exclude(pk=exclude) if exclude else rows)


class PlanApprovalForm(BeheerForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan_version = forms.IntegerField(widget=forms.HiddenInput)


class NoticeForm(BeheerForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Stakeholders"),
        queryset=Stakeholder.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    article = forms.ModelChoiceField(
        label=_("User instruction"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("When it asks for a read acknowledgement, the stakeholders confirm reading it there."),
    )

    def __init__(self, *args: Any, change: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("stakeholders", Stakeholder.objects.filter(change=change).order_by("id"))
        ids = (
            Article.objects.visible_to(user)
            .filter(status=ArticleStatus.PUBLISHED, kind=Kind.INSTRUCTION)
            .order_by("title", "id")
            .values_list("pk", flat=True)[:200]
        )
        self.set_queryset("article", Article.objects.filter(pk__in=list(ids)).order_by("title", "id"))
        self.fields["stakeholders"].initial = [s.pk for s in self.fields["stakeholders"].queryset]  # type: ignore[attr-defined]
