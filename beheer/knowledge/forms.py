"""Input shape of the knowledge screens; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import CleanForm

from .models import ArticleStatus, Audience, Kind, KnowledgeCategory
from .queries import ci_ids_from_text


class ArticleFilterForm(CleanForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=KnowledgeCategory.objects.filter(active=True)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ArticleStatus.choices]
    )
    review = forms.ChoiceField(
        label=_("Review"),
        required=False,
        choices=[("", _("Any review date")), ("overdue", _("Review overdue"))],
    )
    ci = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class ArticleForm(CleanForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=KnowledgeCategory.objects.filter(active=True)
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=400, help_text=_("Separate tags with commas.")
    )
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(
            attrs={
                "rows": 18,
                "hx-post": reverse_lazy("knowledge-preview"),
                "hx-trigger": "input changed delay:400ms, load, kb-attachments-changed from:body",
                "hx-target": "#kb-preview",
            }
        ),
    )
    review_interval_days = forms.IntegerField(
        label=_("Review interval (days)"), min_value=1, max_value=3650, initial=365
    )
    change_note = forms.CharField(label=_("Change note"), required=False, max_length=500)
    cis = forms.CharField(
        label=_("Configuration items"),
        required=False,
        max_length=20_000,
        help_text=_(
            "The configuration items this article documents, by number or exact name, separated by commas."
        ),
    )

    def clean_cis(self) -> list[int]:
        """The CIs typed, each by its number or exact name; the unknown ones named in the error."""
        try:
            return ci_ids_from_text(self.cleaned_data.get("cis") or "")
        except ValueError as exc:
            raise forms.ValidationError(
                _("Unknown configuration item: %(names)s. Give each by its number or exact name."),
                params={"names": str(exc)},
            ) from exc


class PreviewForm(CleanForm):
    body = forms.CharField(required=False, max_length=200_000)
    article = forms.IntegerField(required=False, min_value=1)


class AttachmentForm(CleanForm):
    file = forms.FileField(label=_("File"))
