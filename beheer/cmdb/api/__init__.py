"""JSON adapter for the CMDB: CI types and their attributes, configuration items, their relations,
impact and history. Mounted under /api/v1/cmdb/ (beheer/api.py); the schemas are in schemas.py.

Thin: authenticate, look up through `visible_to` (hidden or missing -> 404 alike), call one service
(cmdb/services), serialise. Staff read and keep the CMDB; only administrators define types and
attributes; removing a CI is for coordinators and administrators (the service says so: 403).
A reference in a body (type, owner, users, branch, department, location, supplier) is an id; an
unknown id is a 400 on that field. Field errors are keyed by the body's field names
(`type_id`, `user_ids`, ...); a custom attribute's by `attributes.<code>`, as the service gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import Branch, Department, Location, User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, get_row, ref, version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors

from .. import services
from ..impact import impact
from ..models import (
    AttributeDefinition,
    AttributeKind,
    CiAttributeValue,
    CiHistoryEntry,
    CiType,
    ConfigurationItem,
    Relation,
    Supplier,
)
from ..queries import ItemFilter, filter_items
from ..schemas import (
    AttributeIn,
    AttributeOut,
    CiDeleteParams,
    ImpactOut,
    ItemIn,
    ItemListParams,
    ItemOut,
    ItemPage,
    RelationIn,
    RelationOut,
    TypeIn,
    TypeOut,
)

router = access.declare(
    Router(tags=["cmdb"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("The CMDB is for operators.")),
)
TYPES = access.Gate(
    access.Audience.ADMINISTRATOR,
    message=gettext_lazy("Only administrators may define CI types and attributes."),
)

ITEM_ORDER = (SortKey("name"), SortKey("id"))
ITEM_REFERENCES = ("ci_type", "owner", "branch", "department", "location", "supplier")
# The service's field names for the references, as the body names them.
BODY_FIELDS = {
    "ci_type": "type_id",
    "owner": "owner_id",
    "users": "user_ids",
    "branch": "branch_id",
    "department": "department_id",
    "location": "location_id",
    "supplier": "supplier_id",
    "target": "target_id",
}
T = TypeVar("T")


# --------------------------------------------------------------------------------------------------
# serialising


def _json_value(row: CiAttributeValue) -> Any:
    """A stored attribute value as JSON: numbers as numbers, dates as ISO text, references as
    {id, name}."""
    kind = row.definition.kind
    if kind == AttributeKind.CI:
        return ref(row.ref_ci)
    if kind == AttributeKind.PERSON:
        return ref(row.ref_person)
    if kind == AttributeKind.NUMBER:
        number = row.number
        if number is None:
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == AttributeKind.DATE:
        return row.date.isoformat() if row.date is not None else None
    if kind == AttributeKind.BOOLEAN:
        return row.flag
    return row.text


def _values_by_ci(ci_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The custom attributes of these CIs, in one query: {ci id: {code: value}}."""
    rows = (
        CiAttributeValue.objects.filter(ci_id__in=list(ci_ids))
        .select_related("definition", "ref_ci", "ref_person")
        .order_by("definition__order", "definition_id")
    )
    result: dict[int, dict[str, Any]] = {}
    for row in rows:
        result.setdefault(row.ci_id, {})[row.definition.code] = _json_value(row)
    return result


def _type_ref(ci_type: CiType) -> dict[str, Any]:
    return {"id": ci_type.pk, "name": ci_type.name}


def item_summary(ci: ConfigurationItem, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ci.pk,
        "name": ci.name,
        "type": _type_ref(ci.ci_type),
        "status": ci.status,
        "environment": ci.environment,
        "owner": ref(ci.owner),
        "host_name": ci.host_name,
        "asset_tag": ci.asset_tag,
        "attributes": values,
        "version": ci.version,
    }


def item_out(ci: ConfigurationItem) -> dict[str, Any]:
    return {
        "id": ci.pk,
        "name": ci.name,
        "type": _type_ref(ci.ci_type),
        "status": ci.status,
        "environment": ci.environment,
        "owner": ref(ci.owner),
        "users": [ref(u) for u in sorted(ci.users.all(), key=lambda u: (str(u), u.pk))],
        "branch": ref(ci.branch),
        "department": ref(ci.department),
        "location": ref(ci.location),
        "supplier": ref(ci.supplier),
        "asset_tag": ci.asset_tag,
        "serial_number": ci.serial_number,
        "host_name": ci.host_name,
        "addresses": ci.addresses,
        "purchase_date": ci.purchase_date,
        "warranty_until": ci.warranty_until,
        "cost": ci.cost,
        "description": ci.description,
        "attributes": _values_by_ci([ci.pk]).get(ci.pk, {}),
        "created_at": ci.created_at,
        "updated_at": ci.updated_at,
        "version": ci.version,
    }


def attribute_out(definition: AttributeDefinition) -> dict[str, Any]:
    return {
        "id": definition.pk,
        "code": definition.code,
        "label": definition.label,
        "label_nl": definition.label_nl,
        "label_en": definition.label_en,
        "kind": definition.kind,
        "choices": list(definition.choices or []),
        "required": definition.required,
        "order": definition.order,
        "active": definition.active,
        "version": definition.version,
    }


def type_out(ci_type: CiType) -> dict[str, Any]:
    return {
        "id": ci_type.pk,
        "code": ci_type.code,
        "name": ci_type.name,
        "name_nl": ci_type.name_nl,
        "name_en": ci_type.name_en,
        "kind": ci_type.kind,
        "shipped": ci_type.shipped,
        "order": ci_type.order,
        "active": ci_type.active,
        "version": ci_type.version,
        "attributes": [attribute_out(a) for a in ci_type.attributes.all()],
    }


def relation_out(relation: Relation, ci_id: int) -> dict[str, Any]:
    outgoing = relation.source_id == ci_id
    other = relation.target if outgoing else relation.source
    return {
        "id": relation.pk,
        "direction": "out" if outgoing else "in",
        "kind": relation.kind,
        "label": relation.get_kind_display() if outgoing else relation.reverse_label,
        "reverse_label": relation.reverse_label,
        "other": ref(other),
        "description": relation.description,
        "created_at": relation.created_at,
    }


# --------------------------------------------------------------------------------------------------
# lookups


def _item(request: HttpRequest, pk: int) -> ConfigurationItem:
    ci = (
        ConfigurationItem.objects.visible_to(current_user(request))
        .select_related(*ITEM_REFERENCES)
        .filter(pk=pk)
        .first()
    )
    if ci is None:
        raise NotFound(_("Configuration item not found."))
    return ci


def _type(pk: int) -> CiType:
    found = CiType.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("CI type not found."))
    return found


def _attribute(ci_type: CiType, pk: int) -> AttributeDefinition:
    found = AttributeDefinition.objects.filter(ci_type=ci_type, pk=pk).first()
    if found is None:
        raise NotFound(_("Attribute not found."))
    return found


def _in_body_terms(call: Callable[[], T]) -> T:
    """`call()`, with the service's field errors on references keyed as the body names them."""
    try:
        return call()
    except DomainError as exc:
        if not exc.field_errors or not set(exc.field_errors) & set(BODY_FIELDS):
            raise
        renamed = type(exc)(
            exc.message, field_errors={BODY_FIELDS.get(k, k): v for k, v in exc.field_errors.items()}
        )
        raise renamed from exc


def _item_data(payload: ItemIn) -> services.ItemData:
    """The service's input from the body; every reference looked up (unknown -> 400 on its field),
    all of them checked before the first error is raised."""
    look = Lookup()
    found: dict[str, Any] = {
        field: look.row(model, pk, field, required=required)
        for field, model, pk, required in (
            ("type_id", CiType, payload.type_id, True),
            ("owner_id", User, payload.owner_id, False),
            ("branch_id", Branch, payload.branch_id, False),
            ("department_id", Department, payload.department_id, False),
            ("location_id", Location, payload.location_id, False),
            ("supplier_id", Supplier, payload.supplier_id, False),
        )
    }
    users = look.many(User, payload.user_ids, "user_ids")
    look.done()
    return services.ItemData(
        name=payload.name,
        ci_type=found["type_id"],
        status=payload.status,
        environment=payload.environment,
        owner=found["owner_id"],
        users=users,
        branch=found["branch_id"],
        department=found["department_id"],
        location=found["location_id"],
        supplier=found["supplier_id"],
        asset_tag=payload.asset_tag,
        serial_number=payload.serial_number,
        host_name=payload.host_name,
        addresses=payload.addresses,
        purchase_date=payload.purchase_date,
        warranty_until=payload.warranty_until,
        cost=payload.cost,
        description=payload.description,
        attributes=dict(payload.attributes),
    )


def _detail(pk: int, request: HttpRequest) -> dict[str, Any]:
    ci = _item(request, pk)
    ci = (
        ConfigurationItem.objects.select_related(*ITEM_REFERENCES)
        .prefetch_related("users")
        .filter(pk=ci.pk)
        .first()
    ) or ci
    return item_out(ci)


# --------------------------------------------------------------------------------------------------
# types and attributes


@router.get("/types", response={200: list[TypeOut], **errors(403)}, summary="CI types with their attributes")
def list_types(request: HttpRequest) -> list[dict[str, Any]]:
    """Every CI type (active or not), in their order, each with its custom attributes."""
    attrs = Prefetch("attributes", queryset=AttributeDefinition.objects.order_by("order", "id"))
    rows = CiType.objects.visible_to(current_user(request)).prefetch_related(attrs).order_by("order", "id")
    return [type_out(t) for t in rows[:1000]]


def _save_type(request: HttpRequest, ci_type: CiType | None, payload: TypeIn) -> CiType:
    data = services.TypeData(
        code=payload.code,
        name_nl=payload.name_nl,
        name_en=payload.name_en,
        kind=payload.kind,
        order=payload.order,
        active=payload.active,
    )
    return services.save_type(
        ci_type, actor=current_user(request), data=data, expected_version=payload.version
    )


def _type_detail(pk: int) -> dict[str, Any]:
    return type_out(CiType.objects.prefetch_related("attributes").get(pk=pk))


@access.gate(TYPES)
@router.post("/types", response={201: TypeOut, **errors(400, 403)}, summary="Add a CI type")
def create_type(request: HttpRequest, payload: TypeIn) -> Answer[dict[str, Any]]:
    return Answer(201, _type_detail(_save_type(request, None, payload).pk))


@access.gate(TYPES)
@router.put(
    "/types/{type_id}",
    response={200: TypeOut, **errors(400, 403, 404, 409)},
    summary="Change a CI type (send its version)",
)
def update_type(request: HttpRequest, type_id: Id, payload: TypeIn) -> dict[str, Any]:
    ci_type = _type(type_id)
    version_sent(payload.version)
    return _type_detail(_save_type(request, ci_type, payload).pk)


@access.gate(TYPES)
@router.delete(
    "/types/{type_id}",
    response={204: None, **errors(400, 403, 404)},
    summary="Remove a CI type (not shipped, no CIs)",
)
def delete_type(request: HttpRequest, type_id: Id) -> Answer[None]:
    services.delete_type(_type(type_id), actor=current_user(request))
    return Answer(204, None)


def _save_attribute(
    request: HttpRequest, ci_type: CiType, definition: AttributeDefinition | None, payload: AttributeIn
) -> AttributeDefinition:
    data = services.AttributeData(
        code=payload.code,
        label_nl=payload.label_nl,
        label_en=payload.label_en,
        kind=payload.kind,
        choices=list(payload.choices),
        required=payload.required,
        order=payload.order,
        active=payload.active,
    )
    return services.save_attribute(
        definition,
        actor=current_user(request),
        ci_type=ci_type,
        data=data,
        expected_version=payload.version,
    )


@access.gate(TYPES)
@router.post(
    "/types/{type_id}/attributes",
    response={201: AttributeOut, **errors(400, 403, 404)},
    summary="Add a custom attribute to a CI type",
)
def create_attribute(request: HttpRequest, type_id: Id, payload: AttributeIn) -> Answer[dict[str, Any]]:
    return Answer(201, attribute_out(_save_attribute(request, _type(type_id), None, payload)))


@access.gate(TYPES)
@router.put(
    "/types/{type_id}/attributes/{attribute_id}",
    response={200: AttributeOut, **errors(400, 403, 404, 409)},
    summary="Change a custom attribute (send its version)",
)
def update_attribute(
    request: HttpRequest, type_id: Id, attribute_id: Id, payload: AttributeIn
) -> dict[str, Any]:
    ci_type = _type(type_id)
    definition = _attribute(ci_type, attribute_id)
    version_sent(payload.version)
    return attribute_out(_save_attribute(request, ci_type, definition, payload))


@access.gate(TYPES)
@router.delete(
    "/types/{type_id}/attributes/{attribute_id}",
    response={204: None, **errors(400, 403, 404)},
    summary="Remove a custom attribute (no CI has a value for it)",
)
def delete_attribute(request: HttpRequest, type_id: Id, attribute_id: Id) -> Answer[None]:
    services.delete_attribute(_attribute(_type(type_id), attribute_id), actor=current_user(request))
    return Answer(204, None)


# --------------------------------------------------------------------------------------------------
# configuration items


@router.get(
    "/items",
    response={200: ItemPage, **errors(400, 403)},
    summary="Configuration items by name (keyset pagination; filter with attr.<code>=value)",
)
def list_items(request: HttpRequest, params: Query[ItemListParams]) -> dict[str, Any]:
    """CIs sorted by name, `limit` (1-200) per page; pass `next_cursor` as `cursor` for the next
    page. Filters: `type` (id), `status`, `environment` (a code, or "none" for CIs without one),
    `q`, `owner` (id) and a custom attribute as
    `attr.<code>=value` (read as the attribute's kind reads it; at most 5). A value that cannot be
    read is a 400 with a message on its field."""
    user = current_user(request)
    rows = filter_items(ConfigurationItem.objects.visible_to(user), ItemFilter.from_query(request.GET))
    rows = rows.select_related("ci_type", "owner")
    page = keyset_page(rows, ITEM_ORDER, cursor=params.cursor, size=params.limit)
    values = _values_by_ci(ci.pk for ci in page.items) if page.items else {}
    return {
        "items": [item_summary(ci, values.get(ci.pk, {})) for ci in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/items/{item_id}", response={200: ItemOut, **errors(403, 404)}, summary="One configuration item")
def get_item(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    return _detail(item_id, request)


@router.post("/items", response={201: ItemOut, **errors(400, 403)}, summary="Add a configuration item")
def create_item(request: HttpRequest, payload: ItemIn) -> Answer[dict[str, Any]]:
    user = current_user(request)
    data = _item_data(payload)
    ci = _in_body_terms(lambda: services.create_item(actor=user, data=data))
    return Answer(201, _detail(ci.pk, request))


@router.put(
    "/items/{item_id}",
    response={200: ItemOut, **errors(400, 403, 404, 409)},
    summary="Change a configuration item (send its version)",
)
def update_item(request: HttpRequest, item_id: Id, payload: ItemIn) -> dict[str, Any]:
    ci = _item(request, item_id)
    version_sent(payload.version)
    data = _item_data(payload)
    user = current_user(request)
    _in_body_terms(lambda: services.update_item(ci, actor=user, data=data, expected_version=payload.version))
    return _detail(ci.pk, request)


@router.delete(
    "/items/{item_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a configuration item (coordinators and administrators)",
)
def delete_item(request: HttpRequest, item_id: Id, params: Query[CiDeleteParams]) -> Answer[None]:
    """Removes the CI with its relations and attribute values; its history stays. Retiring a CI
    (status "retired") is what people normally do. Send `version` to refuse a stale removal (409)."""
    services.delete_item(
        _item(request, item_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


# --------------------------------------------------------------------------------------------------
# relations, impact and history


@router.get(
    "/items/{item_id}/relations",
    response={200: list[RelationOut], **errors(403, 404)},
    summary="A CI's relations, both directions",
)
def list_relations(request: HttpRequest, item_id: Id) -> list[dict[str, Any]]:
    ci = _item(request, item_id)
    rows = (
        Relation.objects.visible_to(current_user(request))
        .filter(Q(source=ci) | Q(target=ci))
        .select_related("source", "target")
        .order_by("id")
    )
    return [relation_out(r, ci.pk) for r in rows[:1000]]


@router.post(
    "/items/{item_id}/relations",
    response={201: RelationOut, **errors(400, 403, 404)},
    summary="Relate this CI to another: this <kind> target",
)
def create_relation(request: HttpRequest, item_id: Id, payload: RelationIn) -> Answer[dict[str, Any]]:
    ci = _item(request, item_id)
    user = current_user(request)
    target = get_row(
        ConfigurationItem, payload.target_id, "target_id", rows=ConfigurationItem.objects.visible_to(user)
    )
    relation = _in_body_terms(
        lambda: services.add_relation(
            ci, actor=user, target=target, kind=payload.kind, description=payload.description
        )
    )
    relation = Relation.objects.select_related("source", "target").get(pk=relation.pk)
    return Answer(201, relation_out(relation, ci.pk))


@router.delete(
    "/relations/{relation_id}", response={204: None, **errors(403, 404)}, summary="Remove a relation"
)
def delete_relation(request: HttpRequest, relation_id: Id) -> Answer[None]:
    user = current_user(request)
    relation = Relation.objects.visible_to(user).filter(pk=relation_id).first()
    if relation is None:
        raise NotFound(_("Relation not found."))
    services.remove_relation(relation, actor=user)
    return Answer(204, None)


@router.get(
    "/items/{item_id}/impact",
    response={200: ImpactOut, **errors(403, 404)},
    summary="What fails with this CI (up) or what it rests on (down)",
)
def item_impact(request: HttpRequest, item_id: Id, direction: Literal["up", "down"] = "up") -> dict[str, Any]:
    """`count` CIs reached (the CI itself not counted) and the `service_count` services among them;
    `items` the first 50, services first; upward also the people who use or own a CI reached
    (`people_count`, `people` the first 50 by name)."""
    found = impact(_item(request, item_id), direction, user=current_user(request))
    return {
        "direction": direction,
        "count": found.count,
        "service_count": found.service_count,
        "items": [
            {"id": c.pk, "name": c.name, "type": c.ci_type.code, "kind": c.ci_type.kind} for c in found.items
        ],
        "people": [ref(p) for p in found.people],
        "people_count": found.people_count,
    }


@router.get(
    "/items/{item_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A CI's history, newest first (keyset pagination)",
)
def item_history(
    request: HttpRequest, item_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    """Who created or changed the CI, its attributes (`attributes.<code>`) and relations, when,
    old -> new; `limit` (1-200) per page; pass `next_cursor` as `cursor` for older rows."""
    return subject_history_page(
        CiHistoryEntry,
        item_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Configuration item not found."),
    )
