"""JSON adapter for change notices and read acknowledgements, mounted in the knowledge router
(/api/v1/knowledge/articles/{id}/subscriptions, .../acknowledge, .../acknowledgements,
.../acknowledgement-setting). Hidden articles answer 404; callers get 404 on the editors' endpoints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import Department, OperatorGroup, User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import NotFound
from beheer.core.pagination import keyset_page
from beheer.core.schemas import Id

from .. import services
from ..models import Article, ArticleAcknowledgement, ArticleSubscription
from ..queries import (
    ACKNOWLEDGED_ORDER,
    PENDING_ORDER,
    acknowledgement_counts,
    acknowledgements_of,
    pending_readers,
)
from ..schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    AcknowledgementParams,
    AcknowledgementSettingIn,
    AcknowledgementSettingOut,
    AcknowledgementStatusOut,
    ArticleSubscriptionOut,
    SubscriptionIn,
    errors,
)

PUBLISHED_IN = "beheer.knowledge.notices_api"  # the operation ids of before the move (beheer/api.py)

router = access.declare(Router(tags=["knowledge"]), access.SIGNED_IN)


def _visible(request: HttpRequest, pk: int) -> Article:
    article = Article.objects.visible_to(request.user).select_related("current_version").filter(pk=pk).first()
    if article is None:
        raise NotFound(_("Article not found."))
    return article


def _editable(request: HttpRequest, pk: int) -> Article:
    """Staff who may read the article; callers never learn about subscribers or readers."""
    article = _visible(request, pk)
    if not access.is_staff(request.user):
        raise NotFound(_("Article not found."))
    return article


def _lookup(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."), field_errors={field: _("Not found.")})
    return found


def subscription_out(s: ArticleSubscription) -> dict[str, Any]:
    return {"id": s.pk, "type": s.target_type, "target_id": s.target.pk, "name": str(s.target)}


def person_out(u: User) -> dict[str, Any]:
    return {"id": u.pk, "name": str(u), "email": u.email}


def acknowledgement_out(a: ArticleAcknowledgement) -> dict[str, Any]:
    return {**person_out(a.user), "acknowledged_at": a.acknowledged_at.isoformat()}


@router.get(
    "/articles/{article_id}/subscriptions", response={200: list[ArticleSubscriptionOut], **errors(404)}
)
def list_subscriptions(request: HttpRequest, article_id: Id) -> list[dict[str, Any]]:
    article = _editable(request, article_id)
    return [subscription_out(s) for s in article.subscriptions.for_list().order_by("pk")[:500]]


@router.post(
    "/articles/{article_id}/subscriptions",
    response={201: ArticleSubscriptionOut, **errors(400, 403, 404)},
)
def add_subscription(request: HttpRequest, article_id: Id, payload: SubscriptionIn) -> Answer:
    article = _editable(request, article_id)
    subscription = services.subscribe(
        article,
        actor=current_user(request),
        operator_group=_lookup(OperatorGroup, payload.operator_group, "operator_group"),
        department=_lookup(Department, payload.department, "department"),
        user=_lookup(User, payload.user, "user"),
    )
    return Answer(201, subscription_out(subscription))


@router.delete(
    "/articles/{article_id}/subscriptions/{subscription_id}",
    response={204: None, **errors(403, 404)},
)
def remove_subscription(request: HttpRequest, article_id: Id, subscription_id: Id) -> Answer:
    article = _editable(request, article_id)
    subscription = ArticleSubscription.objects.filter(pk=subscription_id, article=article).first()
    if subscription is None:
        raise NotFound(_("Subscription not found."))
    services.unsubscribe(subscription, actor=current_user(request))
    return Answer(204, None)


@router.put(
    "/articles/{article_id}/acknowledgement-setting",
    response={200: AcknowledgementSettingOut, **errors(400, 403, 404, 409)},
)
def acknowledgement_setting(
    request: HttpRequest, article_id: Id, payload: AcknowledgementSettingIn
) -> dict[str, Any]:
    article = services.set_acknowledgement_required(
        _editable(request, article_id),
        actor=current_user(request),
        expected_version=payload.version,
        required=payload.required,
    )
    return {"requires_acknowledgement": article.requires_acknowledgement, "version": article.version}


@router.post(
    "/articles/{article_id}/acknowledge",
    response={200: AcknowledgementOut, **errors(400, 404, 409)},
)
def acknowledge(request: HttpRequest, article_id: Id, payload: AcknowledgeIn) -> dict[str, Any]:
    """Confirm having read the current published version (any reader; twice is harmless)."""
    ack = services.acknowledge(
        _visible(request, article_id), actor=current_user(request), number=payload.number
    )
    return {"version": ack.version.number, "acknowledged_at": ack.acknowledged_at.isoformat()}


@router.get(
    "/articles/{article_id}/acknowledgements", response={200: AcknowledgementStatusOut, **errors(400, 404)}
)
def acknowledgement_status(
    request: HttpRequest, article_id: Id, params: Query[AcknowledgementParams]
) -> dict[str, Any]:
    """Counts, and one keyset page of the readers who have not (`list=pending`) or have
    (`list=acknowledged`) acknowledged the current version."""
    article = _editable(request, article_id)
    counts = acknowledgement_counts(article)
    size = max(1, min(params.size, 200))
    items: list[dict[str, Any]]
    if params.list == "acknowledged":
        acks = keyset_page(acknowledgements_of(article), ACKNOWLEDGED_ORDER, cursor=params.cursor, size=size)
        items, next_cursor = [acknowledgement_out(a) for a in acks.items], acks.next_cursor
    else:
        people = keyset_page(pending_readers(article), PENDING_ORDER, cursor=params.cursor, size=size)
        items, next_cursor = [person_out(u) for u in people.items], people.next_cursor
    version = article.current_version
    return {
        "version": version.number if version else None,
        "requires_acknowledgement": article.acknowledgement_required,
        "counts": {
            "expected": counts.expected,
            "acknowledged": counts.acknowledged,
            "pending": counts.pending,
            "total": counts.total,
        },
        "list": params.list,
        "items": items,
        "next_cursor": next_cursor,
    }
