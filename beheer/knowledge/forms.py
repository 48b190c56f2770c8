"""Input shape of the knowledge screens; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.forms import PersonChoiceField, people
from beheer.core.forms import CleanForm

from .models import (
    ApprovalDecision,
    ArticleStatus,
    Audience,
    DocumentTemplateSection,
    Kind,
    KnowledgeCategory,
)
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

    client = PersonChoiceField(
        label=_("Client"),
        queryset=people(),
        required=False,
        help_text=_("Design documents only: the person who approves each version in the portal."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = people()  # type: ignore[attr-defined]


class PreviewForm(CleanForm):
    body = forms.CharField(required=False, max_length=200_000)
    article = forms.IntegerField(required=False, min_value=1)


class AttachmentForm(CleanForm):
    file = forms.FileField(label=_("File"))


class ApprovalForm(CleanForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("", "—"), *ApprovalDecision.choices])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the version."),
    )


SECTION_FIELDS = ("heading_nl", "heading_en", "guidance_nl", "guidance_en", "mandatory")
EMPTY_ROWS = 3


class TemplateForm(CleanForm):
    """A design template's sections as rows of fields (`<field>_<row>`): the existing sections and
    a few empty rows to add one. A row with both headings empty is left out; `position` orders."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, sections: list[DocumentTemplateSection], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        self.row_count = len(sections) + EMPTY_ROWS
        super().__init__(*args, **kwargs)
        for row in range(self.row_count):
            section = sections[row] if row < len(sections) else None
            n = row + 1
            self.fields[f"position_{row}"] = forms.IntegerField(
                label=_("Order"), min_value=0, max_value=999, required=False
            )
            self.fields[f"heading_nl_{row}"] = forms.CharField(
                label=_("Heading (Dutch)"), max_length=200, required=False
            )
            self.fields[f"heading_en_{row}"] = forms.CharField(
                label=_("Heading (English)"), max_length=200, required=False
            )
            self.fields[f"guidance_nl_{row}"] = forms.CharField(
                label=_("Guidance (Dutch)"),
                max_length=2000,
                required=False,
                widget=forms.Textarea({"rows": 2}),
            )
            self.fields[f"guidance_en_{row}"] = forms.CharField(
                label=_("Guidance (English)"),
                max_length=2000,
                required=False,
                widget=forms.Textarea({"rows": 2}),
            )
            self.fields[f"mandatory_{row}"] = forms.BooleanField(label=_("Mandatory"), required=False)
            self.fields[f"remove_{row}"] = forms.BooleanField(label=_("Remove"), required=False)
            initial.setdefault(f"position_{row}", n * 10)
            if section is not None:
                for name in SECTION_FIELDS:
                    initial.setdefault(f"{name}_{row}", getattr(section, name))

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields per row, for the template."""
        return [
            {name: self[f"{name}_{row}"] for name in ("position", *SECTION_FIELDS, "remove")}
            for row in range(self.row_count)
        ]

    def sections(self) -> list[dict[str, Any]]:
        """The kept rows' values, in the order of their position (then as shown)."""
        d = self.cleaned_data
        kept = []
        for row in range(self.row_count):
            values = {name: d.get(f"{name}_{row}") for name in SECTION_FIELDS}
            if d.get(f"remove_{row}") or not (values["heading_nl"] or values["heading_en"]):
                continue
            kept.append((d.get(f"position_{row}") or 0, row, values))
        return [values for _position, _row, values in sorted(kept, key=lambda k: (k[0], k[1]))]
