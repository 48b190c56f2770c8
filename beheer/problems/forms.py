"""Input shape for the problem screens. Forms check shape only; the problem services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import OperatorGroup, User
from beheer.core.forms import BeheerForm, NamedChoiceField, active
from beheer.knowledge.models import Article, Audience
from beheer.servicedesk.models import Impact, Melding, Urgency, parse_number

from .models import Problem, ProblemStatus, parse_problem_number

TEXTAREA = {"rows": 4}


class ProblemFilterForm(BeheerForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open problems")), ("all", _("All")), *ProblemStatus.choices],
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    operator = PersonChoiceField(label=_("Operator"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))
        self.set_queryset("operator", operators())


class ProblemForm(BeheerForm):
    """Register (with assignment) or edit (text and classification) a problem."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    impact = NamedChoiceField(label=_("Impact"), queryset=Impact.objects.none(), empty_label=None)
    urgency = NamedChoiceField(label=_("Urgency"), queryset=Urgency.objects.none(), empty_label=None)
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    operator = PersonChoiceField(label=_("Operator"), queryset=User.objects.none(), required=False)
    root_cause = forms.CharField(
        label=_("Root-cause analysis"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    workaround = forms.CharField(label=_("Workaround"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, problem: Problem | None = None, **kwargs: Any) -> None:
        if problem is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": problem.version,
                    "title": problem.title,
                    "description": problem.description,
                    "impact": problem.impact_id,
                    "urgency": problem.urgency_id,
                    "root_cause": problem.root_cause,
                    "workaround": problem.workaround,
                },
            )
        super().__init__(*args, **kwargs)
        self.set_queryset("impact", active(Impact))
        self.set_queryset("urgency", active(Urgency))
        if problem is None:
            self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))
            self.set_queryset("operator", operators())
            impact = active(Impact).order_by("-level").first()
            urgency = active(Urgency).order_by("-level").first()
            self.fields["impact"].initial = impact.pk if impact else None
            self.fields["urgency"].initial = urgency.pk if urgency else None
        else:  # the assignment has its own form on the problem page
            del self.fields["operator_group"], self.fields["operator"]


class ProblemActionForm(BeheerForm):
    """A status action on the problem page; carries the version the operator saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    prefix_name = ""

    def __init__(self, *args: Any, problem: Problem, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", problem.version)
        kwargs.setdefault("prefix", self.prefix_name or None)
        super().__init__(*args, **kwargs)
        self.problem = problem
        self.user = user


class AnalyseForm(ProblemActionForm):
    prefix_name = "analyse"


class KnownErrorForm(ProblemActionForm):
    prefix_name = "known_error"


class CloseForm(ProblemActionForm):
    prefix_name = "close"


class ReopenForm(ProblemActionForm):
    prefix_name = "reopen"
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(ProblemActionForm):
    prefix_name = "assign"
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    operator = PersonChoiceField(label=_("Operator"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, problem: Problem, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"operator_group": problem.operator_group_id, "operator": problem.operator_id}
        )
        super().__init__(*args, problem=problem, user=user, **kwargs)
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))
        self.set_queryset("operator", operators())


class LinkMeldingForm(ProblemActionForm):
    prefix_name = "link"
    number = forms.CharField(label=_("Call number"), max_length=20)

    def clean_number(self) -> Melding:
        pk = parse_number(self.cleaned_data["number"])
        melding = Melding.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if melding is None:
            raise forms.ValidationError(_("No call with this number."))
        return melding


class UnlinkMeldingForm(ProblemActionForm):
    prefix_name = "unlink"
    melding = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_melding(self) -> Melding:
        melding = Melding.objects.visible_to(self.user).filter(pk=self.cleaned_data["melding"]).first()
        if melding is None:
            raise forms.ValidationError(_("No call with this number."))
        return melding


AUDIENCES = [(Audience.OPERATORS, Audience.OPERATORS.label), (Audience.CALLERS, Audience.CALLERS.label)]


class CreateArticleForm(ProblemActionForm):
    prefix_name = "article"
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=AUDIENCES, initial=Audience.OPERATORS)

    def __init__(self, *args: Any, problem: Problem, user: User, **kwargs: Any) -> None:
        super().__init__(*args, problem=problem, user=user, **kwargs)
        self.fields["title"].initial = problem.title
        if user.is_administrator:
            choice = forms.ChoiceField(
                label=_("Audience"), choices=Audience.choices, initial=Audience.OPERATORS
            )
            self.fields["audience"] = choice


class LinkArticleForm(ProblemActionForm):
    prefix_name = "link_article"
    article = forms.IntegerField(label=_("Article number"), min_value=1, max_value=2**53)

    def clean_article(self) -> Article:
        article = Article.objects.visible_to(self.user).filter(pk=self.cleaned_data["article"]).first()
        if article is None:
            raise forms.ValidationError(_("Article not found."))
        return article


class UnlinkArticleForm(ProblemActionForm):
    prefix_name = "unlink_article"


class IdsField(forms.TypedMultipleChoiceField):
    """Checkboxes of ids; an id no longer offered (a melding resolved meanwhile) is not an error:
    the service skips whatever is not an open linked melding."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and len(str(value)) <= 18


class ResolveForm(ProblemActionForm):
    """The confirmation screen: the solution and which linked meldingen to resolve with it."""

    prefix_name = "resolve"
    solution = forms.CharField(label=_("Solution"), widget=forms.Textarea(attrs={"rows": 5}))
    meldingen = IdsField(
        label=_("Resolve these linked calls with the solution"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    note_others = forms.BooleanField(
        label=_("Add an internal note to the linked calls that stay open"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, problem: Problem, user: User, open_meldingen: list[Melding], **kwargs: Any
    ):
        super().__init__(*args, problem=problem, user=user, **kwargs)
        field = self.fields["meldingen"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(m.pk, f"{m.number} {m.brief_description}") for m in open_meldingen]
        field.initial = [m.pk for m in open_meldingen]
        self.fields["solution"].initial = problem.solution
        if problem.status == ProblemStatus.RESOLVED:
            self.fields["solution"].required = False
            self.fields["solution"].disabled = True


class MeldingProblemForm(BeheerForm):
    """On the melding page: the problem to link the melding to, by number."""

    problem = forms.CharField(label=_("Problem number"), max_length=20)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "problem")
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_problem(self) -> Problem:
        pk = parse_problem_number(self.cleaned_data["problem"])
        problem = Problem.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if problem is None:
            raise forms.ValidationError(_("No problem with this number."))
        return problem
