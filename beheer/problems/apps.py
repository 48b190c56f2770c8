from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    """Problem management: problems, their history, workflow and known errors, and the link from a
    melding to its problem. Above the servicedesk: it resolves and annotates meldingen through the
    servicedesk's services and shows a melding's problem through the servicedesk's extension points;
    nothing below imports it."""

    name = "beheer.problems"
    label = "problems"
    verbose_name = _("Problems")

    def ready(self) -> None:
        from beheer.servicedesk import extensions

        from .templatetags.problem_tags import melding_problem_panel

        related = ("problem_link__problem",)
        extensions.register_page_section(
            extensions.PageSection("problem", melding_problem_panel, related=related)
        )
        extensions.register_detail_field(
            extensions.DetailField("problem", _problem_ref, related=("problem_link",))
        )


def _problem_ref(melding: Any, viewer: Any) -> dict[str, Any] | None:
    """The API's `problem` of a melding: its id and number, for staff only, never for a caller."""
    from django.core.exceptions import ObjectDoesNotExist

    from beheer.core import access

    from .models import format_problem_number

    if not access.is_staff(viewer):
        return None
    try:
        link = melding.problem_link
    except ObjectDoesNotExist:
        return None
    if link is None:
        return None
    return {"id": link.problem_id, "number": format_problem_number(link.problem_id)}
