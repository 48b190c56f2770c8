"""Screens for change notices and read acknowledgements: subscriptions (editors), the "I have read this
version" button (readers), and who has and has not acknowledged the current version (editors).

Thin adapters like articles.py: look the article up through visible_to (hidden -> 404), call one
service, redirect.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beheer.accounts.models import Department, OperatorGroup, User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm, place_domain_errors
from beheer.core.pagination import keyset_page

from .. import services
from ..models import Article, ArticleSubscription
from ..queries import (
    ACKNOWLEDGED_ORDER,
    PENDING_ORDER,
    acknowledgement_counts,
    acknowledgements_of,
    pending_readers,
    visible_article,
)

ACCESS = access.STAFF_HIDDEN

PAGE_SIZE = 50


class SubscriptionForm(CleanForm):
    operator_group = forms.ModelChoiceField(
        label=gettext_lazy("Operator group"), required=False, queryset=OperatorGroup.objects.active()
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), required=False, queryset=Department.objects.all()
    )
    person = forms.CharField(
        label=gettext_lazy("Person"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("User name or e-mail address"),
    )

    def clean_person(self) -> User | None:
        value = (self.cleaned_data.get("person") or "").replace("\x00", "").strip()
        if not value:
            return None
        found = list(
            User.objects.filter(is_active=True)
            .filter(**({"email__iexact": value} if "@" in value else {"username": value}))
            .order_by("pk")[:2]
        )
        if len(found) != 1:
            raise forms.ValidationError(_("No single active person has this user name or e-mail address."))
        return found[0]


def _back(request: HttpRequest, article: Article) -> HttpResponse:
    if current_user(request).is_staff_member:
        return redirect("knowledge-detail", pk=article.pk)
    return redirect("portal-knowledge-detail", pk=article.pk)


@access.gate(access.SIGNED_IN)
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader (caller or operator) confirms having read the version shown."""
    article = visible_article(current_user(request), pk)
    try:
        number = int(request.POST.get("number") or 0) or None
    except ValueError:
        number = None
    try:
        services.acknowledge(article, actor=current_user(request), number=number)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: you have confirmed that you read this version."))
    return _back(request, article)


@require_GET
def acknowledgements(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has and who has not acknowledged the current version, with counts; keyset pages."""
    article = visible_article(current_user(request), pk)
    show = "acknowledged" if request.GET.get("list") == "acknowledged" else "pending"
    cursor = request.GET.get("cursor") or None
    qs: Any = (
        acknowledgements_of(article)
        if show == "acknowledged"
        else pending_readers(article).select_related("department")
    )
    order = ACKNOWLEDGED_ORDER if show == "acknowledged" else PENDING_ORDER
    try:
        page = keyset_page(qs, order, cursor=cursor, size=PAGE_SIZE)
    except DomainError as exc:
        messages.error(request, exc.message)
        page = keyset_page(qs, order, cursor=None, size=PAGE_SIZE)
    next_url = None
    if page.next_cursor:
        next_url = (
            reverse("knowledge-acknowledgements", args=[article.pk])
            + "?"
            + urlencode({"list": show, "cursor": page.next_cursor})
        )
    return render(
        request,
        "knowledge/acknowledgements.html",
        {
            "article": article,
            "shown": article.current_version,
            "counts": acknowledgement_counts(article),
            "show": show,
            "page": page,
            "next_url": next_url,
        },
    )


def subscriptions(request: HttpRequest, pk: int) -> HttpResponse:
    """The article's subscribers and whether it requires a read acknowledgement (editors)."""
    user = current_user(request)
    article = visible_article(user, pk)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.subscribe(
                article,
                actor=user,
                operator_group=d["operator_group"],
                department=d["department"],
                user=d["person"],
            )
        except DomainError as exc:
            if "target" in exc.field_errors or "user" in exc.field_errors:
                form.add_error("person" if "user" in exc.field_errors else None, exc.message)
            else:
                place_domain_errors(form, exc)
        else:
            messages.success(request, _("Subscription added."))
            return redirect("knowledge-subscriptions", pk=article.pk)
    rows = list(article.subscriptions.for_list().order_by("pk")[:500])
    return render(
        request,
        "knowledge/subscriptions.html",
        {"article": article, "form": form, "subscriptions": rows},
    )


@require_POST
def subscription_remove(request: HttpRequest, pk: int, subscription_id: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    subscription = ArticleSubscription.objects.filter(pk=subscription_id, article=article).first()
    if subscription is None:
        raise Http404
    try:
        services.unsubscribe(subscription, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Subscription removed."))
    return redirect("knowledge-subscriptions", pk=article.pk)


@require_POST
def acknowledgement_setting(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(current_user(request), pk)
    try:
        expected = int(request.POST.get("version") or 0)
    except ValueError:
        expected = 0
    try:
        services.set_acknowledgement_required(
            article,
            actor=current_user(request),
            expected_version=expected,
            required=request.POST.get("required") == "1",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("knowledge-subscriptions", pk=article.pk)
