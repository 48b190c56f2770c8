"""The shapes of the measures register's forms; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm, DateInput
from beheer.knowledge.models import Article
from beheer.operations.models import ActivitySeries

from .models import Applicability, Catalogue, ImplementationStatus, Theme
from .services.measures.implementations import owner_choices, scope_choices

THEME_CHOICES = [("", _("All themes")), *Theme.choices]


class ControlFilterForm(BeheerForm):
    catalogue = forms.ModelChoiceField(
        label=_("Catalogue"),
        queryset=Catalogue.objects.none(),
        required=False,
        empty_label=_("Current catalogue"),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=THEME_CHOICES, required=False)
    q = forms.CharField(label=_("Number or title"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("catalogue", Catalogue.objects.visible_to(user).order_by("kind", "code"))


class SoaFilterForm(BeheerForm):
    theme = forms.ChoiceField(label=_("Theme"), choices=THEME_CHOICES, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("All")), *Applicability.choices, ("open", _("Not assessed"))],
    )


class OwnControlForm(BeheerForm):
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ApplicabilityForm(BeheerForm):
    applicability = forms.ChoiceField(label=_("Applies"), choices=Applicability.choices)
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ImplementationForm(BeheerForm):
    scope_ci = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=ActivitySeries.objects.none(),
        required=False,
        empty_label=_("Whole organisation"),
        help_text=_("The whole organisation, or one service or application of the CMDB."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    owner = PersonChoiceField(label=_("Owner"), queryset=ActivitySeries.objects.none(), required=False)
    description = forms.CharField(
        label=_("How it is done"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DateInput())
    articles = forms.ModelMultipleChoiceField(
        label=_("Procedures"),
        queryset=Article.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Knowledge articles that describe how it is done."),
    )
    series = forms.ModelMultipleChoiceField(
        label=_("Preventive activities"),
        queryset=ActivitySeries.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A done occurrence counts as evidence until the series' next due date."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, user: Any = None, with_scope: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_scope:
            self.set_queryset("scope_ci", scope_choices(user).order_by("name", "pk"))
        else:
            del self.fields["scope_ci"]
        self.set_queryset("owner", owner_choices().order_by("first_name", "last_name", "pk"))
        self.set_queryset(
            "articles",
            Article.objects.visible_to(user)
            .exclude(kind__in=["solution", "known_error"])
            .order_by("title", "pk"),
        )
        self.set_queryset(
            "series", ActivitySeries.objects.visible_to(user).filter(active=True).order_by("name", "pk")
        )


class ReviewedForm(BeheerForm):
    next_review_on = forms.DateField(label=_("Next review date"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class EvidenceUploadForm(BeheerForm):
    file = forms.FileField(label=_("File"))
