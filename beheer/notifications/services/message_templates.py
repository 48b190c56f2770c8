"""Message templates per event and language: checked, previewed, saved and reset by administrators."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock, config_cache
from beheer.core.errors import DomainError

from .. import rendering
from ..events import LANGUAGES, SAMPLE_CONTEXT
from ..models import NotificationTemplate
from ._base import _event, _language, _require_admin


def check_template(*, event: str, subject: str, body: str, body_html: str) -> None:
    """DomainError with field errors if a template does not parse or uses unknown variables."""
    definition = _event(event)
    variables = definition.all_variables
    errors: dict[str, str] = {}
    for name, source in (("subject", subject), ("body", body), ("body_html", body_html)):
        if name == "body_html" and not source.strip():
            continue
        if name != "body_html" and not source.strip():
            errors[name] = _("This field is required.")
            continue
        try:
            rendering.check_source(source, variables=variables)
            for language in LANGUAGES:
                rendering.render(
                    source, SAMPLE_CONTEXT[language], autoescape=name == "body_html", strict=True
                )
        except rendering.TemplateProblem as exc:
            errors[name] = str(exc)
    if errors:
        raise DomainError(_("The template has errors."), field_errors=errors)


def preview_template(
    *, event: str, language: str, subject: str, body: str, body_html: str
) -> rendering.Rendered:
    """The message the template would make with sample data (raises DomainError like a save)."""
    check_template(event=event, subject=subject, body=body, body_html=body_html)
    return rendering.render_message(
        subject=subject,
        body=body,
        body_html=body_html,
        context=SAMPLE_CONTEXT[_language(language)],
        strict=True,
    )


def template_source(event: str, language: str) -> tuple[str, str, str, bool]:
    """(subject, body, body_html, is_override) currently in force for an event and language."""
    definition = _event(event)
    override = NotificationTemplate.objects.filter(event=event, language=language).first()
    if override is not None:
        return override.subject, override.body, override.body_html, True
    return definition.subject[language], definition.body[language], "", False


@transaction.atomic
def save_template(
    *, actor: User, event: str, language: str, subject: str, body: str, body_html: str
) -> NotificationTemplate:
    _require_admin(actor)
    if language not in LANGUAGES:
        raise DomainError(
            _("Choose Dutch or English."), field_errors={"language": _("Choose Dutch or English.")}
        )
    check_template(event=event, subject=subject, body=body, body_html=body_html)
    template, _created = NotificationTemplate.objects.update_or_create(
        event=event,
        language=language,
        defaults={
            "subject": subject,
            "body": body,
            "body_html": body_html,
            "updated_at": clock.now(),
            "updated_by": actor,
        },
    )
    transaction.on_commit(config_cache.clear)
    return template


@transaction.atomic
def reset_template(*, actor: User, event: str, language: str) -> None:
    """Remove the override: the built-in text applies again."""
    _require_admin(actor)
    _event(event)
    NotificationTemplate.objects.filter(event=event, language=language).delete()
    transaction.on_commit(config_cache.clear)
