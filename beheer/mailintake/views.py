"""Screens of the e-mail channel under /mail/: mailboxes and rules (administrators) and the dead-letter
list (operators, coordinators, administrators). Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import SortKey, page_for_request

from . import extensions, services
from .forms import ConfirmForm, ConvertForm, DeadLetterFilterForm, MailboxForm, MailRuleForm
from .models import DeadLetter, Mailbox, MailboxHistoryEntry, MailRule

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
ORDER = (SortKey("created_at", descending=True), SortKey("id", descending=True))
RAW_PREVIEW_BYTES = 200_000


ACCESS = access.ADMINISTRATORS


def _mailbox(request: HttpRequest, pk: int) -> Mailbox:
    box = Mailbox.objects.visible_to(request.user).filter(pk=pk).first()
    if box is None:
        raise Http404
    return box


def _dead_letter(request: HttpRequest, pk: int) -> DeadLetter:
    dl = (
        DeadLetter.objects.visible_to(request.user)
        .select_related("mailbox", "resolved_by")
        .filter(pk=pk)
        .first()
    )
    if dl is None:
        raise Http404
    return dl


# --------------------------------------------------------------------------------------------------
# mailboxes


@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    rows = (
        Mailbox.objects.visible_to(request.user)
        .select_related("default_operator_group")
        .order_by("name")[:500]
    )
    return render(request, "mailintake/mailbox_list.html", {"mailboxes": rows})


def _initial(box: Mailbox) -> dict[str, Any]:
    names = [name for name in MailboxForm.base_fields if name not in ("secret", "oauth_client_secret")]
    return {name: getattr(box, name) for name in names}


@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    box = _mailbox(request, pk) if pk is not None else None
    form = MailboxForm(request.POST or None, initial=_initial(box) if box else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.configure_mailbox(
                box,
                actor=current_user(request),
                name=data["name"],
                host=data["host"],
                port=data["port"],
                security=data["security"],
                username=data["username"],
                auth=data["auth"],
                secret=data["secret"] or None,
                oauth_client_id=data["oauth_client_id"],
                oauth_client_secret=data["oauth_client_secret"] or None,
                oauth_token_url=data["oauth_token_url"],
                oauth_scope=data["oauth_scope"],
                ca_certificate=data["ca_certificate"],
                folder=data["folder"],
                after_processing=data["after_processing"],
                processed_folder=data["processed_folder"],
                default_call_type=data["default_call_type"],
                default_category=data["default_category"],
                default_operator_group=data["default_operator_group"],
                rate_limit_count=data["rate_limit_count"],
                rate_limit_minutes=data["rate_limit_minutes"],
                registers=data["registers"] or extensions.MELDING,
                active=data["active"],
                expected_version=data["version"] if box else None,
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The mailbox has been saved."))
            return redirect("mail-mailbox-edit", pk=saved.pk)
    rules = MailRule.objects.filter(mailbox=box).select_related("category", "operator_group") if box else []
    trail = history.subject_screen_page(request, MailboxHistoryEntry, box) if box is not None else {}
    return render(
        request,
        "mailintake/mailbox_edit.html",
        {
            "form": form,
            "box": box,
            "rules": rules,
            "rule_form": MailRuleForm(),
            "confirm_form": ConfirmForm(),
            **trail,
        },
    )


@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    box = _mailbox(request, pk)
    try:
        count = services.check_connection(box, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Connected and signed in. Messages in the folder: %(count)d.") % {"count": count}
        )
    return redirect("mail-mailbox-edit", pk=pk)


@require_POST
def mailbox_delete(request: HttpRequest, pk: int) -> HttpResponse:
    box = _mailbox(request, pk)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm."))
        return redirect("mail-mailbox-edit", pk=pk)
    services.delete_mailbox(box, actor=current_user(request))
    messages.success(request, _("The mailbox has been removed."))
    return redirect("mail-mailboxes")


@require_POST
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    box = _mailbox(request, pk)
    form = MailRuleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("mail-mailbox-edit", pk=pk)
    data = form.cleaned_data
    try:
        services.add_mail_rule(
            box,
            actor=current_user(request),
            match_field=data["match_field"],
            pattern=data["pattern"],
            category=data["category"],
            operator_group=data["operator_group"],
            order=data["order"],
        )
    except DomainError as exc:
        messages.error(request, " ".join([exc.message, *exc.field_errors.values()]))
    else:
        messages.success(request, _("The rule has been added."))
    return redirect("mail-mailbox-edit", pk=pk)


@require_POST
def rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    box = _mailbox(request, pk)
    rule = MailRule.objects.filter(mailbox=box, pk=rule_pk).first()
    if rule is None:
        raise Http404
    services.remove_mail_rule(rule, actor=current_user(request))
    messages.success(request, _("The rule has been removed."))
    return redirect("mail-mailbox-edit", pk=pk)


# --------------------------------------------------------------------------------------------------
# dead letters


@access.gate(access.STAFF)
@require_GET
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    form = DeadLetterFilterForm(request.GET)
    form.is_valid()
    status = form.status_value()
    qs = DeadLetter.objects.visible_to(request.user).defer("raw").select_related("mailbox")
    if status != "all":
        qs = qs.filter(status=status)
    page = page_for_request(request, qs, ORDER, size=PAGE_SIZE)
    params = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
    return render(
        request,
        "mailintake/dead_letter_list.html",
        {
            "form": form,
            "page": page,
            "is_first_page": page.is_first,
            "first_url": f"?{urlencode(params)}",
            "next_url": f"?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else "",
        },
    )


@access.gate(access.STAFF)
@require_GET
def dead_letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dl = _dead_letter(request, pk)
    raw = bytes(dl.raw)
    return render(
        request,
        "mailintake/dead_letter_detail.html",
        {
            "dl": dl,
            # Shown as text in <pre>, escaped by the template: never rendered as HTML.
            "raw_text": raw[:RAW_PREVIEW_BYTES].decode("utf-8", "replace"),
            "raw_cut": len(raw) > RAW_PREVIEW_BYTES or dl.truncated,
            "convert_form": ConvertForm(initial={"brief_description": dl.subject[:80]}),
            "confirm_form": ConfirmForm(),
        },
    )


@access.gate(access.STAFF)
@require_POST
def dead_letter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    dl = _dead_letter(request, pk)
    try:
        result = services.retry_dead_letter(dl, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mail-dead-letter", pk=pk)
    messages.success(request, _("The message has been processed."))
    if result.melding_id:
        return redirect("melding-detail", pk=result.melding_id)
    return redirect("mail-dead-letter", pk=pk)


@access.gate(access.STAFF)
@require_POST
def dead_letter_convert(request: HttpRequest, pk: int) -> HttpResponse:
    dl = _dead_letter(request, pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a brief description of at most 80 characters."))
        return redirect("mail-dead-letter", pk=pk)
    try:
        melding = services.convert_dead_letter_to_melding(
            dl, brief_description=form.cleaned_data["brief_description"], actor=current_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mail-dead-letter", pk=pk)
    messages.success(request, _("Call %(number)s has been registered.") % {"number": melding.number})
    return redirect("melding-detail", pk=melding.pk)


@access.gate(access.STAFF)
@require_POST
def dead_letter_discard(request: HttpRequest, pk: int) -> HttpResponse:
    dl = _dead_letter(request, pk)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm."))
        return redirect("mail-dead-letter", pk=pk)
    try:
        services.discard_dead_letter(dl, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mail-dead-letter", pk=pk)
    messages.success(request, _("The dead letter has been discarded."))
    return redirect("mail-dead-letters")
