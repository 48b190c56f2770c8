"""Configuration items for staff: the list with its filters, a CI's page (attributes, relations,
impact analysis, a picture of its neighbourhood), the create and edit forms, removal and history.

Thin adapters: read through `visible_to`, call one service, redirect; a refused change shows the form
again with the service's messages on its fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.core.forms import parse_id
from beheer.core.pagination import SortKey, page_for_request

from .. import extensions, services
from ..forms import ConfirmForm, FilterForm, ItemForm, RelationForm, TypeChoiceForm, error_field
from ..impact import DOWN, UP, impact
from ..models import CiHistoryEntry, CiType, ConfigurationItem, Relation
from ..queries import ItemFilter, attribute_rows, filter_items
from .picture import neighbourhood

ACCESS = access.STAFF

PAGE_SIZE = 50
ORDER = (SortKey("name"), SortKey("id"))
LIST_COLUMNS = ("ci_type", "owner")


def _item(request: HttpRequest, pk: int) -> ConfigurationItem:
    ci = (
        ConfigurationItem.objects.visible_to(request.user)
        .select_related("ci_type", "owner", "branch", "department", "location", "supplier")
        .filter(pk=pk)
        .first()
    )
    if ci is None:
        raise Http404
    return ci


# --------------------------------------------------------------------------------------------------
# list


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    form.is_valid()
    flt = ItemFilter.from_query(request.GET)
    rows = ConfigurationItem.objects.visible_to(request.user).select_related(*LIST_COLUMNS)
    try:
        rows = filter_items(rows, flt)
    except DomainError as exc:
        messages.error(request, " ".join([exc.message, *(str(m) for m in exc.field_errors.values())]))
        rows = rows.none()
    page = page_for_request(request, rows, ORDER, size=PAGE_SIZE)
    params: list[tuple[str, str]] = [(k, str(v)) for k, v in request.GET.items() if k != "cursor" and v]
    return render(
        request,
        "cmdb/item_list.html",
        {
            "form": form,
            "page": page,
            "attribute_filters": sorted(flt.attributes.items()),
            "first_url": f"?{urlencode(params)}",
            "next_url": f"?{urlencode([*params, ('cursor', page.next_cursor)])}" if page.next_cursor else "",
        },
    )


# --------------------------------------------------------------------------------------------------
# one CI


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _item(request, pk)
    outgoing = list(ci.relations_out.select_related("target__ci_type").order_by("kind", "target__name", "id"))
    incoming = list(ci.relations_in.select_related("source__ci_type").order_by("kind", "source__name", "id"))
    return render(
        request,
        "cmdb/item_detail.html",
        {
            "ci": ci,
            "users": list(ci.users.order_by("last_name", "first_name", "id")[:100]),
            "attributes": attribute_rows(ci),
            "outgoing": outgoing,
            "incoming": incoming,
            "upward": impact(ci, UP, user=request.user),
            "downward": impact(ci, DOWN, user=request.user),
            "picture": neighbourhood(ci, outgoing, incoming),
            "relation_form": RelationForm(),
            "may_delete": access.is_coordinator(request.user),
            "sections": extensions.render_page_sections(request, ci),
        },
    )


@require_GET
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _item(request, pk)
    trail = history.subject_screen_page(request, CiHistoryEntry, ci)
    return render(request, "cmdb/item_history.html", {"ci": ci, **trail})


def _target(text: str, ci: ConfigurationItem, user: Any) -> ConfigurationItem | None:
    """The CI a relation points to: by its number, else by its exact name when one CI has it."""
    visible = ConfigurationItem.objects.visible_to(user)
    pk = parse_id(text)
    if pk is not None:
        return visible.filter(pk=pk).first()
    found = list(visible.filter(name__iexact=text.strip())[:2])
    return found[0] if len(found) == 1 else None


@require_POST
def relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _item(request, pk)
    form = RelationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("cmdb-item", pk=pk)
    data = form.cleaned_data
    target = _target(data["target"], ci, request.user)
    if target is None:
        messages.error(request, _("Choose one existing configuration item, by its number or exact name."))
        return redirect("cmdb-item", pk=pk)
    try:
        services.add_relation(
            ci, actor=current_user(request), target=target, kind=data["kind"], description=data["description"]
        )
    except DomainError as exc:
        messages.error(request, " ".join(dict.fromkeys([exc.message, *exc.field_errors.values()])))
    else:
        messages.success(request, _("The relation has been added."))
    return redirect("cmdb-item", pk=pk)


@require_http_methods(["GET", "POST"])
def relation_remove(request: HttpRequest, pk: int, relation_pk: int) -> HttpResponse:
    ci = _item(request, pk)
    relation = (
        Relation.objects.visible_to(request.user)
        .select_related("source", "target")
        .filter(pk=relation_pk)
        .filter(source=ci)
        .first()
    ) or (
        Relation.objects.visible_to(request.user)
        .select_related("source", "target")
        .filter(pk=relation_pk, target=ci)
        .first()
    )
    if relation is None:
        raise Http404
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.remove_relation(relation, actor=current_user(request))
            messages.success(request, _("The relation has been removed."))
            return redirect("cmdb-item", pk=pk)
        messages.error(request, _("Tick the box to confirm."))
    return render(request, "cmdb/relation_remove.html", {"ci": ci, "relation": relation, "form": form})


# --------------------------------------------------------------------------------------------------
# create and edit


def _posted_type(request: HttpRequest) -> CiType | None:
    pk = parse_id(request.POST.get("ci_type"))
    return CiType.objects.filter(pk=pk).first() if pk is not None else None


def _item_data(form: ItemForm) -> services.ItemData:
    data = form.cleaned_data
    return services.ItemData(
        name=data["name"],
        ci_type=data["ci_type"],
        status=data["status"],
        environment=data["environment"],
        owner=data["owner"],
        users=list(data["users"] or []),
        branch=data["branch"],
        department=data["department"],
        location=data["location"],
        supplier=data["supplier"],
        asset_tag=data["asset_tag"],
        serial_number=data["serial_number"],
        host_name=data["host_name"],
        addresses=data["addresses"],
        purchase_date=data["purchase_date"],
        warranty_until=data["warranty_until"],
        cost=data["cost"],
        description=data["description"],
        attributes=form.attribute_values(),
    )


def _place(form: ItemForm, exc: DomainError) -> None:
    placed = False
    for key, message in exc.field_errors.items():
        name = error_field(key)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _rows_for(ci_type: CiType, ci: ConfigurationItem | None) -> list[tuple[Any, Any]]:
    if ci is not None and ci.ci_type_id == ci_type.pk:
        return attribute_rows(ci)
    return [(d, None) for d in ci_type.attributes.filter(active=True).order_by("order", "id")]


def _retyped_form(request: HttpRequest, new_type: CiType, ci: ConfigurationItem | None) -> ItemForm:
    """The form again with the typed values and the fields of the newly chosen type."""
    initial: dict[str, Any] = {k: v for k, v in request.POST.items() if not k.startswith("attr_")}
    initial["users"] = request.POST.getlist("users")
    initial["shown_type"] = new_type.pk
    form = ItemForm(initial=initial, current_type=ci.ci_type if ci else None)
    form.add_attributes(_rows_for(new_type, ci))
    return form


def _item_form(request: HttpRequest, ci: ConfigurationItem | None, ci_type: CiType) -> HttpResponse:
    current_type = ci.ci_type if ci is not None else None
    if request.method == "POST":
        posted = _posted_type(request)
        shown = parse_id(request.POST.get("shown_type"))
        if posted is not None and shown != posted.pk:
            messages.info(
                request,
                _("The fields of the type %(type)s are shown; fill them in and save.")
                % {"type": posted.name},
            )
            form = _retyped_form(request, posted, ci)
            return _render_form(request, form, ci, posted)
        form = ItemForm(request.POST, current_type=current_type)
        form.add_attributes(_rows_for(posted or ci_type, ci))
        if form.is_valid():
            try:
                if ci is None:
                    saved = services.create_item(actor=current_user(request), data=_item_data(form))
                else:
                    saved = services.update_item(
                        ci,
                        actor=current_user(request),
                        data=_item_data(form),
                        expected_version=form.cleaned_data["version"],
                    )
            except Conflict as exc:
                form.add_error(None, exc.message)
                messages.error(request, exc.message)
            except PermissionDenied as exc:
                messages.error(request, exc.message)
            except DomainError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("The configuration item has been saved."))
                return redirect("cmdb-item", pk=saved.pk)
        return _render_form(request, form, ci, posted or ci_type, status=400)
    initial: dict[str, Any] = {"ci_type": ci_type.pk, "shown_type": ci_type.pk}
    if ci is not None:
        for name in ItemForm.base_fields:
            if name not in ("users", "shown_type", "version", "ci_type"):
                initial[name] = getattr(ci, name)
        initial["users"] = list(ci.users.values_list("pk", flat=True))
        initial["version"] = ci.version
    form = ItemForm(initial=initial, current_type=current_type)
    form.add_attributes(_rows_for(ci_type, ci))
    return _render_form(request, form, ci, ci_type)


def _render_form(
    request: HttpRequest, form: ItemForm, ci: ConfigurationItem | None, ci_type: CiType, *, status: int = 200
) -> HttpResponse:
    return render(request, "cmdb/item_form.html", {"form": form, "ci": ci, "ci_type": ci_type}, status=status)


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    type_pk = parse_id(request.POST.get("ci_type") if request.method == "POST" else request.GET.get("type"))
    ci_type = CiType.objects.filter(pk=type_pk, active=True).first() if type_pk is not None else None
    if ci_type is None:
        choose = TypeChoiceForm(request.GET if "type" in request.GET else None)
        if choose.is_bound:
            choose.is_valid()
        return render(request, "cmdb/item_choose_type.html", {"form": choose})
    return _item_form(request, None, ci_type)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _item(request, pk)
    return _item_form(request, ci, ci.ci_type)


@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _item(request, pk)
    form = ConfirmForm(request.POST or None, initial={"version": ci.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Tick the box to confirm."))
        else:
            try:
                services.delete_item(
                    ci, actor=current_user(request), expected_version=form.cleaned_data["version"]
                )
            except DomainError as exc:  # PermissionDenied and Conflict included
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The configuration item has been removed."))
                return redirect("cmdb-items")
    return render(
        request,
        "cmdb/item_delete.html",
        {"ci": ci, "form": form, "may_delete": access.is_coordinator(request.user)},
    )
