"""The tabs of a change's pages: the overview and one page per stage of the work (needs, plan,
execution, evaluation). A tab appears once its URL name exists, so each stage's views add their
own route and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beheer.servicedesk.models import Melding

from .models import Change

TABS: tuple[tuple[str, Promise], ...] = (
    ("change-detail", _("Overview")),
    ("change-needs", _("Needs and design")),
    ("change-plan", _("Plan")),
    ("change-execution", _("Execution")),
    ("change-tests", _("Tests")),
    ("change-evaluation", _("Evaluation")),
)


@dataclass(frozen=True)
class Tab:
    name: str
    label: Promise
    url: str
    current: bool


def change_tabs(change: Change, current: str) -> list[Tab]:
    """The tabs of `change`'s pages, `current` (a URL name) marked."""
    tabs = []
    for name, label in TABS:
        try:
            url = reverse(name, args=[change.pk])
        except NoReverseMatch:
            continue
        tabs.append(Tab(name, label, url, name == current))
    return tabs


def head_context(change: Change, current: str, user: Any = None) -> dict[str, object]:
    """What `changes/_change_head.html` needs: the change and its tabs and, given the `user` who
    reads it, the call it came from (when they may see it), so every tab links back to it."""
    context: dict[str, object] = {"change": change, "tabs": change_tabs(change, current)}
    if user is not None and change.origin_melding_id:
        context["melding"] = Melding.objects.visible_to(user).filter(pk=change.origin_melding_id).first()
    return context
