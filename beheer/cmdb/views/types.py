"""CI types and their custom attributes, for administrators: the list, a type's form with its
attributes, an attribute's form. The services refuse anyone else as well."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors

from .. import services
from ..forms import AttributeForm, TypeForm
from ..models import AttributeDefinition, CiType

ACCESS = access.ADMINISTRATORS


def _type(pk: int) -> CiType:
    found = CiType.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _attribute(ci_type: CiType, attribute_pk: int) -> AttributeDefinition:
    found = AttributeDefinition.objects.filter(pk=attribute_pk, ci_type=ci_type).first()
    if found is None:
        raise Http404
    return found


@require_GET
def type_list(request: HttpRequest) -> HttpResponse:
    types = CiType.objects.order_by("order", "name_nl", "id")[:500]
    return render(request, "cmdb/type_list.html", {"types": types})


@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ci_type = _type(pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if ci_type is not None:
        initial = {name: getattr(ci_type, name) for name in TypeForm.base_fields}
    form = TypeForm(request.POST or None, initial=initial or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_type(
                    ci_type,
                    actor=current_user(request),
                    data=services.TypeData(
                        code=data["code"],
                        name_nl=data["name_nl"],
                        name_en=data["name_en"],
                        kind=data["kind"],
                        order=data["order"],
                        active=data["active"],
                    ),
                    expected_version=data["version"] if ci_type else None,
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The type has been saved."))
                return redirect("cmdb-type-edit", pk=saved.pk)
    attributes = list(ci_type.attributes.order_by("order", "id")[:500]) if ci_type else []
    return render(
        request,
        "cmdb/type_form.html",
        {"form": form, "ci_type": ci_type, "attributes": attributes},
        status=status,
    )


@require_POST
def type_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ci_type = _type(pk)
    try:
        services.delete_type(ci_type, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-type-edit", pk=pk)
    messages.success(request, _("The type has been removed."))
    return redirect("cmdb-types")


@require_http_methods(["GET", "POST"])
def attribute_edit(request: HttpRequest, pk: int, attribute_pk: int | None = None) -> HttpResponse:
    ci_type = _type(pk)
    definition = _attribute(ci_type, attribute_pk) if attribute_pk is not None else None
    initial: dict[str, Any] = {}
    if definition is not None:
        initial = {name: getattr(definition, name) for name in AttributeForm.base_fields}
        initial["choices"] = "\n".join(str(c) for c in definition.choices or [])
    form = AttributeForm(request.POST or None, initial=initial or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_attribute(
                    definition,
                    actor=current_user(request),
                    ci_type=ci_type,
                    data=services.AttributeData(
                        code=data["code"],
                        label_nl=data["label_nl"],
                        label_en=data["label_en"],
                        kind=data["kind"],
                        choices=data["choices"],
                        required=data["required"],
                        order=data["order"],
                        active=data["active"],
                    ),
                    expected_version=data["version"] if definition else None,
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The attribute has been saved."))
                return redirect("cmdb-type-edit", pk=ci_type.pk)
    return render(
        request,
        "cmdb/attribute_form.html",
        {"form": form, "ci_type": ci_type, "definition": definition},
        status=status,
    )


@require_POST
def attribute_delete(request: HttpRequest, pk: int, attribute_pk: int) -> HttpResponse:
    ci_type = _type(pk)
    definition = _attribute(ci_type, attribute_pk)
    try:
        services.delete_attribute(definition, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-attribute-edit", pk=pk, attribute_pk=attribute_pk)
    messages.success(request, _("The attribute has been removed."))
    return redirect("cmdb-type-edit", pk=pk)
