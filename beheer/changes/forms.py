"""Input shape of the change screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import OperatorGroup, User
from beheer.core.forms import BeheerForm, DateInput, DateTimeLocalInput

from .models import (
    ChangeKind,
    ChangeTemplate,
    DecisionRule,
    Likelihood,
    Phase,
    Project,
    ProjectStatus,
    RiskImpact,
    RiskLevel,
)


def people() -> Any:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


class ChangeForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ChangeKind.choices, initial=ChangeKind.NORMAL)
    requester = PersonChoiceField(label=_("Requester"), queryset=User.objects.none(), required=False)
    client = PersonChoiceField(label=_("Client"), queryset=User.objects.none(), required=False)
    coordinator = PersonChoiceField(
        label=_("Change coordinator"), queryset=User.objects.none(), required=False
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"),
        choices=[("", "—"), *Likelihood.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"),
        choices=[("", "—"), *RiskImpact.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    rollback_plan = forms.CharField(
        label=_("Rollback plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=DateTimeLocalInput)
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=DateTimeLocalInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("requester", people())
        self.set_queryset("client", people())
        self.set_queryset("coordinator", operators())
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))
        self.set_queryset("project", Project.objects.order_by("name", "id"))


class FromTemplateForm(BeheerForm):
    template = forms.ModelChoiceField(label=_("Template"), queryset=ChangeTemplate.objects.none())
    requester = PersonChoiceField(label=_("Requester"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("template", ChangeTemplate.objects.active().order_by("name"))
        self.set_queryset("requester", people())


class MoveForm(BeheerForm):
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.all())
    version = forms.IntegerField(widget=forms.HiddenInput)


class CiForm(BeheerForm):
    ci = forms.CharField(label=_("Configuration item"), max_length=200, help_text=_("Its exact name."))


class ActivityForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    assignee = PersonChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    estimate_minutes = forms.IntegerField(
        label=_("Estimate (minutes)"), min_value=0, max_value=525600, initial=0
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=DateTimeLocalInput)
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=DateTimeLocalInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("assignee", operators())


class DeviationForm(BeheerForm):
    deviation = forms.CharField(
        label=_("Deviation"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class CancelForm(BeheerForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(BeheerForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject."),
    )


class ProjectForm(BeheerForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    goal = forms.CharField(label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(label=_("Plan"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    budget = forms.DecimalField(
        label=_("Budget"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    client = PersonChoiceField(label=_("Client"), queryset=User.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("owner", operators())
        self.set_queryset("client", people())


class PhaseForm(BeheerForm):
    name_nl = forms.CharField(label=_("Name (Dutch)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10000)
    active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskCellForm(BeheerForm):
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=Likelihood.choices, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=RiskImpact.choices, coerce=int)
    level = forms.ModelChoiceField(label=_("Risk level"), queryset=RiskLevel.objects.all())


class ApprovalRuleForm(BeheerForm):
    operator_group = forms.ModelChoiceField(
        label=_("Approving group (CAB)"), queryset=OperatorGroup.objects.none(), required=False
    )
    service_owners = forms.BooleanField(label=_("Owners of the affected services approve"), required=False)
    rule = forms.ChoiceField(label=_("Decision rule"), choices=DecisionRule.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))


class TemplateForm(BeheerForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title of the change"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.none(), required=False
    )
    activities = forms.CharField(
        label=_("Activities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: the title, then a semicolon and the estimate in minutes."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("operator_group", OperatorGroup.objects.active().order_by("name"))


class PortalRequestForm(BeheerForm):
    title = forms.CharField(label=_("What should change?"), max_length=200)
    description = forms.CharField(
        label=_("Explain why and what you need"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    ci = forms.ModelChoiceField(label=_("Object"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        from beheer.cmdb.models import ConfigurationItem

        super().__init__(*args, **kwargs)
        self.set_queryset("ci", ConfigurationItem.objects.visible_to(user).order_by("name", "id"))
