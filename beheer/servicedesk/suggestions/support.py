"""Small helpers the portal screens in views/ use for suggestions and deflection records."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest

from beheer.knowledge.models import Article

from .. import services
from ..models import Melding
from ..services.knowledge_links import is_caller_visible

TOKEN_FIELD = "deflection_token"


def deflection_token(request: HttpRequest) -> str:
    """The form session's token: kept from a re-shown (invalid) form, otherwise a new random one."""
    posted = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    return posted if services.valid_deflection_token(posted) else secrets.token_urlsafe(24)


def record_portal_submission(request: HttpRequest, melding: Melding) -> None:
    token = request.POST.get(TOKEN_FIELD, "")
    if services.valid_deflection_token(token):
        services.record_submission(token, user=request.user, melding=melding)  # type: ignore[arg-type]


def caller_solution_article(melding: Melding, user: Any) -> Article | None:
    """The article the melding was resolved with, only if the reader may open it in the portal."""
    if melding.solution_article_id is None:
        return None
    article = Article.objects.visible_to(user).filter(pk=melding.solution_article_id).first()
    return article if article is not None and is_caller_visible(article) else None
