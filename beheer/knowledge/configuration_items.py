"""Knowledge and the CMDB: the articles that document a configuration item.

Registered from `apps.KnowledgeConfig.ready` through `cmdb.extensions`: a section on the CI page
listing the articles linked to the CI that the reader may read (`Article.objects.visible_to`: an
article for administrators stays theirs), system documentation first. One query whatever the CI
holds. The CMDB never imports knowledge.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from beheer.cmdb import extensions as cmdb_extensions
from beheer.core import access

from .queries import CI_DOCUMENTS_SHOWN, documents_of


def ci_page_section(request: Any, ci: Any) -> str:
    """The CI page's "Documents" panel (staff only, nothing for others)."""
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    articles = documents_of(ci, user)
    context = {"ci": ci, "articles": articles, "more": len(articles) >= CI_DOCUMENTS_SHOWN}
    return render_to_string("knowledge/_ci_documents.html", context)  # no context processors: no queries


def register() -> None:
    """Take part in the CI page (idempotent)."""
    cmdb_extensions.register_page_section(
        cmdb_extensions.PageSection("knowledge.documents", ci_page_section, order=30)
    )
