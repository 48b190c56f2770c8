"""Turn a solved melding into a draft solution article in one step."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core.errors import DomainError, NotFound, PermissionDenied

from ..models import Article, Audience, Kind
from .articles import create_article

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as exactly that text: Markdown punctuation is
    backslash-escaped, HTML characters become entities, line breaks stay line breaks."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", (text or "").replace("\x00", "").replace("\r\n", "\n"))
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "  \n".join(line.rstrip() for line in escaped.strip().split("\n"))


def article_body_from(request: str, solution: str) -> str:
    return "\n\n".join(
        [
            f"## {_('Problem')}",
            escape_markdown(request) or "-",
            f"## {_('Solution')}",
            escape_markdown(solution),
        ]
    )


@transaction.atomic
def create_article_from_melding(melding: object, *, actor: User) -> Article:
    """A draft solution article for operators from a solved melding: title = brief description, text
    = request and solution (escaped Markdown); the melding is linked to the new article."""
    from beheer.servicedesk import services as servicedesk
    from beheer.servicedesk.models import Melding

    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(_("Only operators may edit knowledge articles."))
    assert isinstance(melding, Melding)
    m = Melding.objects.visible_to(actor).filter(pk=melding.pk).first()
    if m is None:
        raise NotFound(_("Call not found."))
    if not m.solution.strip() or m.resolved_at is None:
        raise DomainError(_("Only a resolved call with a solution can become an article."))
    article = create_article(
        actor=actor,
        title=m.brief_description,
        body=article_body_from(m.request, m.solution),
        kind=Kind.SOLUTION,
        audience=Audience.OPERATORS,
        change_note=_("Made from call %(number)s") % {"number": m.number},
    )
    servicedesk.link_article(m, article=article, actor=actor)
    return article
