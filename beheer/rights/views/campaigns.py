"""Review campaigns: the list (staff), starting one (coordinators), the review screen where each
reviewer confirms or revokes their items (anybody signed in sees only the items they review; staff
see all), the revoke confirmation of an item, and the report with its CSV and XLSX files (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import SortKey, page_for_request

from .. import exports, services
from ..forms import CampaignForm, ConfirmForm, ReviewConfirmForm
from ..models import ReviewCampaign, ReviewItem, ReviewOutcome

ACCESS = access.STAFF

PAGE_SIZE = 50
ORDER = (SortKey("id", descending=True),)
ITEM_ORDER = (SortKey("ci_name"), SortKey("person_name"), SortKey("id"))


def _campaign(request: HttpRequest, pk: int, *, reviewing: bool = False) -> ReviewCampaign:
    """The campaign for staff; for anybody else only a campaign with items they review."""
    rows = ReviewCampaign.objects.all() if reviewing else ReviewCampaign.objects.visible_to(request.user)
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    mine = ReviewItem.objects.visible_to(request.user).filter(campaign=found)
    if reviewing and not access.is_staff(request.user) and not mine.exists():
        raise Http404
    return found


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = page_for_request(
        request,
        ReviewCampaign.objects.visible_to(request.user).select_related("created_by"),
        ORDER,
        size=PAGE_SIZE,
    )
    return render(
        request,
        "rights/campaigns.html",
        {"page": page, "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else ""},
    )


@require_http_methods(["GET", "POST"])
@access.gate(access.COORDINATORS)
def campaign_start(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.start_campaign(
                actor=current_user(request),
                name=form.cleaned_data["name"],
                deadline=form.cleaned_data["deadline"],
                cis=list(form.cleaned_data["cis"]),
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The review has been started."))
            return redirect("rights-campaign-review", pk=campaign.pk)
    return render(request, "rights/campaign_form.html", {"form": form})


@require_GET
@access.gate(access.SIGNED_IN)
def campaign_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The items to review: a reviewer's own, or every item for staff (filter `mine=1`)."""
    campaign = _campaign(request, pk, reviewing=True)
    user = current_user(request)
    items = ReviewItem.objects.visible_to(user).filter(campaign=campaign)
    mine = request.GET.get("mine") == "1" or not access.is_staff(user)
    if mine:
        items = items.filter(reviewer=user)
    if request.GET.get("open") == "1":
        items = items.filter(outcome=ReviewOutcome.OPEN)
    page = page_for_request(
        request, items.select_related("reviewer", "decided_by"), ITEM_ORDER, size=PAGE_SIZE
    )
    for item in page.items:
        answerable = item.outcome == ReviewOutcome.OPEN and services.may_review(user, item)
        item.answerable = campaign.status == "open" and answerable  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("cursor", None)
    base = query.urlencode()
    return render(
        request,
        "rights/campaign_review.html",
        {
            "campaign": campaign,
            "page": page,
            "mine": mine,
            "staff": access.is_staff(user),
            "report": services.campaign_report(campaign) if access.is_staff(user) else None,
            "next_url": f"?{base}&cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


def _item(request: HttpRequest, pk: int, item_pk: int) -> ReviewItem:
    item = (
        ReviewItem.objects.visible_to(request.user)
        .select_related("campaign", "access_right")
        .filter(pk=item_pk, campaign_id=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


@require_POST
@access.gate(access.SIGNED_IN)
def item_confirm(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item(request, pk, item_pk)
    form = ReviewConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.review_item(item, actor=current_user(request), outcome=ReviewOutcome.CONFIRMED, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The right has been confirmed."))
    return redirect("rights-campaign-review", pk=pk)


@require_http_methods(["GET", "POST"])
@access.gate(access.SIGNED_IN)
def item_revoke(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The confirmation step before a reviewer revokes a right."""
    item = _item(request, pk, item_pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_item(
                item,
                actor=current_user(request),
                outcome=ReviewOutcome.REVOKED,
                note=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
            if not form.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("The right has been revoked."))
            return redirect("rights-campaign-review", pk=pk)
    return render(request, "rights/item_revoke.html", {"item": item, "form": form})


@require_GET
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(
        request,
        "rights/campaign_report.html",
        {"campaign": campaign, "report": services.campaign_report(campaign)},
    )


@require_GET
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return exports.report_csv(services.campaign_report(campaign), campaign.pk)  # type: ignore[return-value]


@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return exports.report_xlsx(services.campaign_report(campaign), campaign.pk)  # type: ignore[return-value]
