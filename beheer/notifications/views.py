"""Notification screens: the outbox (coordinators and administrators), the mail server, templates
and webhooks (administrators) and everybody's own notification settings. Thin: parse, call one
service, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import SortKey, page_for_request

from . import rendering, services
from .events import DEFAULT_TTL_HOURS, EVENTS, FALLBACK_TTL_HOURS, LANGUAGES, SAMPLE_CONTEXT
from .forms import (
    DiscardConfirmForm,
    DiscardFilterForm,
    MailServerForm,
    OutboxFilterForm,
    PreferencesForm,
    TemplateForm,
    TestMailForm,
    TtlForm,
    WebhookForm,
)
from .models import (
    MailServer,
    NotificationTemplate,
    OutboxDiscard,
    OutgoingAttachment,
    OutgoingMessage,
    WebhookEndpoint,
)

ACCESS = access.Gate(
    access.Audience.ADMINISTRATOR, message=gettext_lazy("Notification settings are for administrators.")
)
OUTBOX = access.Gate(
    access.Audience.COORDINATOR, message=gettext_lazy("The outbox is for coordinators and administrators.")
)

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
OUTBOX_ORDER = (SortKey("created_at", descending=True), SortKey("id", descending=True))


# --------------------------------------------------------------------------------------------------
# outbox


@access.gate(OUTBOX)
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = OutgoingMessage.objects.visible_to(request.user).for_list()
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("event"):
        qs = qs.filter(event=data["event"])
    page = page_for_request(request, qs, OUTBOX_ORDER, size=PAGE_SIZE)
    params = {k: str(v) for k, v in request.GET.items() if k != "cursor" and v}
    return render(
        request,
        "notifications/outbox.html",
        {
            "form": form,
            "page": page,
            "is_first_page": page.is_first,
            "first_url": f"?{urlencode(params)}",
            "next_url": f"?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else "",
            "mail_server_missing": services.active_mail_server() is None,
        },
    )


def _visible_message(request: HttpRequest, pk: int) -> OutgoingMessage:
    msg = (
        OutgoingMessage.objects.visible_to(request.user)
        .select_related("recipient_user", "webhook")
        .filter(pk=pk)
        .first()
    )
    if msg is None:
        raise Http404
    return msg


@access.gate(OUTBOX)
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    msg = _visible_message(request, pk)
    attachments = (
        OutgoingAttachment.objects.filter(message=msg).order_by("position").defer("content")
        if msg.attachment_count
        else []
    )
    return render(
        request,
        "notifications/message_detail.html",
        {"msg": msg, "headers": sorted((msg.headers or {}).items()), "attachments": attachments},
    )


def _discard_filter(data: dict[str, Any]) -> services.DiscardFilter:
    return services.DiscardFilter(
        status=data.get("status") or "",
        event=data.get("event") or "",
        older_than_hours=data.get("older_than_hours") or 0,
    )


@require_http_methods(["GET", "POST"])
def outbox_discard(request: HttpRequest) -> HttpResponse:
    """Discard waiting or failed messages in bulk: choose, see how many, confirm."""
    if request.method == "POST":
        confirm = DiscardConfirmForm(request.POST)
        if not confirm.is_valid():
            messages.error(request, _("Tick the box to confirm."))
            query = {
                k: str(v) for k, v in request.POST.items() if k in ("status", "event", "older_than_hours")
            }
            return redirect(f"{request.path}?{urlencode(query)}")
        data = confirm.cleaned_data
        try:
            record = services.discard_messages(
                _discard_filter(data), actor=current_user(request), created_before=data["created_before"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("notification-outbox-discard")
        messages.success(
            request,
            ngettext(
                "%(count)d message has been discarded.",
                "%(count)d messages have been discarded.",
                record.count,
            )
            % {"count": record.count},
        )
        return redirect(f"{reverse('notification-outbox')}?status=discarded")
    form = DiscardFilterForm(request.GET or None)
    preview: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        moment = clock.now()
        try:
            count = services.discard_candidates(
                _discard_filter(form.cleaned_data), created_before=moment
            ).count()
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            preview = {
                "count": count,
                "form": DiscardConfirmForm(
                    initial={**form.cleaned_data, "created_before": moment.isoformat()}
                ),
            }
    return render(
        request,
        "notifications/outbox_discard.html",
        {
            "form": form,
            "preview": preview,
            "discards": OutboxDiscard.objects.visible_to(request.user)[:20],
            "mail_server_missing": services.active_mail_server() is None,
        },
    )


@require_http_methods(["GET", "POST"])
def ttl_settings(request: HttpRequest) -> HttpResponse:
    """How long messages of each event may wait to be sent."""
    current = services.ttl_settings()
    form = TtlForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_ttl_hours(actor=current_user(request), hours=form.cleaned_data)
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The times to live have been saved."))
            return redirect("notification-ttl")
    rows = [
        {"field": form[code], "default": DEFAULT_TTL_HOURS.get(code, FALLBACK_TTL_HOURS)} for code in EVENTS
    ]
    return render(request, "notifications/ttl.html", {"form": form, "rows": rows})


@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    msg = _visible_message(request, pk)
    try:
        services.retry_message(msg, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message will be sent again."))
    return redirect("notification-message", pk=pk)


# --------------------------------------------------------------------------------------------------
# mail server


def _server_initial(server: MailServer | None) -> dict[str, Any]:
    if server is None:
        return {}
    return {
        "host": server.host,
        "port": server.port,
        "security": server.security,
        "verify_certificate": server.verify_certificate,
        "username": server.username,
        "from_address": server.from_address,
        "from_name": server.from_name,
        "timeout": server.timeout,
        "active": server.active,
    }


@require_http_methods(["GET", "POST"])
def mail_server(request: HttpRequest) -> HttpResponse:
    server = MailServer.objects.filter(pk=1).first()
    form = MailServerForm(request.POST or None, initial=_server_initial(server))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password: str | None = data["password"] or None
        if data["clear_password"]:
            password = ""
        try:
            services.configure_mail_server(
                actor=current_user(request),
                host=data["host"],
                port=data["port"],
                security=data["security"],
                verify_certificate=data["verify_certificate"],
                username=data["username"],
                password=password,
                from_address=data["from_address"],
                from_name=data["from_name"],
                timeout=data["timeout"],
                active=data["active"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The mail server settings have been saved."))
            return redirect("notification-mail-server")
    return render(
        request,
        "notifications/mail_server.html",
        {
            "form": form,
            "server": server,
            "test_form": TestMailForm(initial={"to": current_user(request).email}),
        },
    )


@require_POST
def mail_server_test(request: HttpRequest) -> HttpResponse:
    form = TestMailForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("notification-mail-server")
    try:
        services.send_test_email(actor=current_user(request), to=form.cleaned_data["to"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The test message has been sent."))
    return redirect("notification-mail-server")


# --------------------------------------------------------------------------------------------------
# templates


def _event_or_404(event: str, language: str | None = None) -> None:
    if event not in EVENTS or (language is not None and language not in LANGUAGES):
        raise Http404


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    overrides = set(NotificationTemplate.objects.values_list("event", "language"))
    rows = [
        {"event": e, "languages": [(lang, (e.code, lang) in overrides) for lang in LANGUAGES]}
        for e in EVENTS.values()
    ]
    return render(request, "notifications/template_list.html", {"rows": rows})


def _preview(event: str, language: str, subject: str, body: str, body_html: str) -> dict[str, Any]:
    try:
        rendered = services.preview_template(
            event=event, language=language, subject=subject, body=body, body_html=body_html
        )
    except DomainError as exc:
        return {"errors": exc.field_errors or {"": exc.message}}
    return {"rendered": rendered}


@require_GET
def template_event(request: HttpRequest, event: str) -> HttpResponse:
    """Both languages of one event as they are sent now, with sample data."""
    _event_or_404(event)
    previews = []
    for language in LANGUAGES:
        subject, body, body_html, overridden = services.template_source(event, language)
        try:
            rendered: rendering.Rendered | None = rendering.render_message(
                subject=subject, body=body, body_html=body_html, context=SAMPLE_CONTEXT[language]
            )
        except rendering.TemplateProblem:
            rendered = None
        previews.append({"language": language, "rendered": rendered, "overridden": overridden})
    return render(
        request, "notifications/template_event.html", {"event": EVENTS[event], "previews": previews}
    )


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, language: str) -> HttpResponse:
    _event_or_404(event, language)
    subject, body, body_html, overridden = services.template_source(event, language)
    form = TemplateForm(
        request.POST or None, initial={"subject": subject, "body": body, "body_html": body_html}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(
                actor=current_user(request), event=event, language=language, **form.cleaned_data
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The template has been saved."))
            return redirect("notification-template-event", event=event)
    source = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else {"subject": subject, "body": body, "body_html": body_html}
    )
    return render(
        request,
        "notifications/template_edit.html",
        {
            "form": form,
            "event": EVENTS[event],
            "language": language,
            "overridden": overridden,
            "variables": sorted(EVENTS[event].all_variables.items()),
            "preview": _preview(event, language, source["subject"], source["body"], source["body_html"]),
        },
    )


@require_POST
def template_preview(request: HttpRequest, event: str, language: str) -> HttpResponse:
    """The live preview (HTMX): the form's current text rendered with sample data."""
    _event_or_404(event, language)
    form = TemplateForm(request.POST)
    if form.is_valid():
        preview = _preview(event, language, **form.cleaned_data)
    else:
        preview = {"errors": {name: "; ".join(str(e) for e in errs) for name, errs in form.errors.items()}}
    return render(request, "notifications/_template_preview.html", {"preview": preview, "language": language})


@require_POST
def template_reset(request: HttpRequest, event: str, language: str) -> HttpResponse:
    _event_or_404(event, language)
    services.reset_template(actor=current_user(request), event=event, language=language)
    messages.success(request, _("The built-in text applies again."))
    return redirect("notification-template-event", event=event)


# --------------------------------------------------------------------------------------------------
# webhooks


@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_webhook(
                actor=current_user(request),
                name=data["name"],
                url=data["url"],
                events=data["events"],
                secret=data["secret"],
                active=data["active"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The webhook has been added."))
            return redirect("notification-webhooks")
    endpoints = WebhookEndpoint.objects.visible_to(request.user).order_by("name", "id")[:200]
    return render(request, "notifications/webhook_list.html", {"form": form, "endpoints": endpoints})


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.visible_to(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_webhook(
                endpoint,
                actor=current_user(request),
                name=data["name"],
                url=data["url"],
                events=data["events"],
                secret=data["secret"] or None,
                active=data["active"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The webhook has been saved."))
            return redirect("notification-webhooks")
    return render(request, "notifications/webhook_edit.html", {"form": form, "endpoint": endpoint})


@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_webhook(_endpoint(request, pk), actor=current_user(request))
    messages.success(request, _("The webhook has been removed."))
    return redirect("notification-webhooks")


# --------------------------------------------------------------------------------------------------
# own preferences


def events_for(user: User) -> list[str]:
    """Callers choose among the caller events; operators among all."""
    if access.is_staff(user):
        return list(EVENTS)
    return [code for code, e in EVENTS.items() if e.audience == "caller"]


@access.gate(access.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    codes = events_for(user)
    current = services.preferences_of(user)
    form = PreferencesForm(request.POST or None, codes=codes, initial={c: current[c] for c in codes})
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user, preferences={c: form.cleaned_data[c] for c in codes}, actor=user)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form, "has_email": bool(user.email)})
