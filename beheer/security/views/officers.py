"""Who the security and privacy officers are (/security/officers/): every staff member reads the
list; administrators make somebody officer or stop it (`accounts.services.set_officer_marks`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts import services as accounts
from beheer.accounts.forms import PersonChoiceField, operators
from beheer.accounts.models import User
from beheer.core import access
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm

from ..officers import officers_list
from .nav import page_context

ACCESS = access.STAFF_HIDDEN


class OfficerForm(CleanForm):
    person = PersonChoiceField(queryset=User.objects.none(), label=gettext_lazy("Person"))
    security_officer = forms.BooleanField(required=False, label=gettext_lazy("Security officer"))
    privacy_officer = forms.BooleanField(required=False, label=gettext_lazy("Privacy officer"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].queryset = operators()  # type: ignore[attr-defined]


def officers(request: HttpRequest) -> HttpResponse:
    user = access.current_user(request)
    form = OfficerForm()
    if request.method == "POST":
        if not user.is_administrator:
            messages.error(request, _("Only administrators can make somebody security or privacy officer."))
            return redirect("security-officers")
        form = OfficerForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                accounts.set_officer_marks(
                    data["person"],
                    security_officer=data["security_officer"],
                    privacy_officer=data["privacy_officer"],
                    actor=user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("security-officers")
    return render(
        request,
        "security/officers.html",
        {
            **page_context(request, "security-officers"),
            "officers": officers_list(),
            "form": form,
            "may_edit": user.is_administrator,
        },
    )


urlpatterns = [path("security/officers/", officers, name="security-officers")]
