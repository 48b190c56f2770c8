"""Portal deflection records: shown, clicked, submitted; the figures, the purge and who reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from beheer.accounts.models import Role, User
from beheer.servicedesk import services
from beheer.servicedesk.models import DeflectionEvent, Melding
from tests.helpers import make_person

pytestmark = pytest.mark.django_db
TOKEN = "tok-" + "a" * 28


def test_deflection_records_shown_click_submit(caller: User, melding: Melding) -> None:
    event = services.record_shown(TOKEN, user=caller, query="printer  storing", article_ids=[3, 4])
    assert event is not None
    assert event.shown_article_ids == [3, 4]
    assert event.query == "printer storing"
    services.record_shown(TOKEN, user=caller, query="printer", article_ids=[4, 5])
    services.record_click(TOKEN, user=caller, article_id=4)
    services.record_click(TOKEN, user=caller, article_id=99)  # never shown: ignored
    services.record_submission(TOKEN, user=caller, melding=melding)
    event = DeflectionEvent.objects.get(user=caller, token=TOKEN)
    assert event.shown_article_ids == [3, 4, 5]
    assert event.clicked_article_ids == [4]
    assert event.submitted
    assert event.melding_id == melding.pk
    assert DeflectionEvent.objects.count() == 1


def test_deflection_ignores_bad_tokens_and_empty_showings(caller: User) -> None:
    assert services.record_shown("short", user=caller, query="x", article_ids=[1]) is None
    assert services.record_shown("bad token with spaces!!", user=caller, query="x", article_ids=[1]) is None
    assert services.record_shown(TOKEN, user=caller, query="x", article_ids=[]) is None
    assert not DeflectionEvent.objects.exists()


def test_deflection_figures_and_purge(caller: User, other_caller: User, melding: Melding) -> None:
    from beheer.core import clock

    for n, (clicked, submitted) in enumerate([(True, False), (True, True), (False, True), (False, False)]):
        token = f"tok-{n}-" + "b" * 20
        services.record_shown(token, user=caller, query="q", article_ids=[1])
        if clicked:
            services.record_click(token, user=caller, article_id=1)
        if submitted:
            services.record_submission(token, user=caller, melding=melding)
    DeflectionEvent.objects.update(created_at=clock.now() - timedelta(hours=2))
    services.record_shown("tok-young-" + "c" * 20, user=other_caller, query="q", article_ids=[1])  # too young
    fig = services.deflection_figures(days=30)
    assert (fig.sessions, fig.viewed, fig.deflected, fig.submitted) == (4, 2, 1, 2)
    assert fig.rate == 0.25
    DeflectionEvent.objects.filter(user=caller).update(created_at=clock.now() - timedelta(days=400))
    assert services.purge_deflection_events() == 4
    assert DeflectionEvent.objects.count() == 1


def test_deflection_visible_to(caller: User, other_caller: User, coordinator: User) -> None:
    services.record_shown(TOKEN, user=caller, query="q", article_ids=[1])
    assert DeflectionEvent.objects.visible_to(coordinator).count() == 1
    assert DeflectionEvent.objects.visible_to(other_caller).count() == 0

    operator = make_person(Role.OPERATOR)
    assert DeflectionEvent.objects.visible_to(operator).count() == 0
