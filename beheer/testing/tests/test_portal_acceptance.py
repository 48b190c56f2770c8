"""The portal's acceptance pages: a user sees only their own cases, saves steps, completes, adds a
screenshot; the client sees every result and signs off; strangers see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beheer.testing.models import ParticipantCase, SessionStatus
from tests.helpers import client_for

from .helpers import make_person
from .test_sessions import PNG, acc, pc_of

pytestmark = pytest.mark.django_db


def test_user_carries_out_their_case_step_by_step(django_assert_max_num_queries: Any) -> None:
    a = acc()
    web = client_for(a.anna)
    with django_assert_max_num_queries(25):
        listing = web.get(reverse("portal-acceptance"))
    assert a.session.title in listing.content.decode()
    page = web.get(reverse("portal-acceptance-session", args=[a.session.pk]))
    assert page.status_code == 200
    assert b"data-my-cases" in page.content
    assert b"data-client-results" not in page.content
    mine = pc_of(a, a.anna, a.cases[0])
    url = reverse("portal-acceptance-case", args=[a.session.pk, mine.pk])
    case_page = web.get(url)
    html = case_page.content.decode()
    assert 'name="viewport"' in html
    assert "<table" not in html
    assert 'accept="image/*"' in html
    web.post(
        url, {"form": "step", "index": 0, "done": "on", "ok": "yes", "remark": "", "version": mine.version}
    )
    mine.refresh_from_db()
    web.post(url, {"form": "step", "index": 1, "ok": "no", "remark": "Traag", "version": mine.version})
    mine.refresh_from_db()
    assert mine.steps[0]["ok"] is True
    assert mine.steps[1] == {"done": True, "ok": False, "remark": "Traag"}
    bad = web.post(
        reverse("portal-acceptance-screenshot", args=[a.session.pk, mine.pk]),
        {"file": SimpleUploadedFile("x.txt", b"no picture")},
    )
    assert bad.status_code == 400
    assert not mine.screenshots.exists()
    web.post(
        reverse("portal-acceptance-screenshot", args=[a.session.pk, mine.pk]),
        {"file": SimpleUploadedFile("x.png", PNG)},
    )
    shot = mine.screenshots.get()
    assert (
        web.get(reverse("portal-acceptance-screenshot-file", args=[a.session.pk, shot.pk])).status_code == 200
    )
    assert (
        client_for(a.bob)
        .get(reverse("portal-acceptance-screenshot-file", args=[a.session.pk, shot.pk]))
        .status_code
        == 404
    )
    web.post(url, {"form": "complete", "outcome": "failed", "remark": "", "version": mine.version})
    mine.refresh_from_db()
    assert mine.outcome == "not_run"  # a remark is needed
    web.post(url, {"form": "complete", "outcome": "passed", "remark": "", "version": mine.version})
    mine.refresh_from_db()
    assert mine.outcome == "passed"
    web.post(reverse("portal-acceptance-answer", args=[a.session.pk]), {"answer": "yes"})
    assert a.session.participants.get(person=a.anna).could_work == "yes"


def test_nobody_reads_or_writes_another_users_case() -> None:
    a = acc()
    theirs = pc_of(a, a.bob, a.cases[2])
    url = reverse("portal-acceptance-case", args=[a.session.pk, theirs.pk])
    anna = client_for(a.anna)
    assert anna.get(url).status_code == 404
    assert (
        anna.post(url, {"form": "complete", "outcome": "passed", "version": theirs.version}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.outcome == "not_run"
    stranger = client_for(make_person())
    assert stranger.get(reverse("portal-acceptance-session", args=[a.session.pk])).status_code == 404
    assert a.session.title not in stranger.get(reverse("portal-acceptance")).content.decode()
    # Anna's own case under a session id that is not its own: not found either
    mine = pc_of(a, a.anna, a.cases[0])
    assert anna.get(reverse("portal-acceptance-case", args=[a.session.pk + 1000, mine.pk])).status_code == 404


def test_client_sees_all_results_and_signs_off() -> None:
    a = acc()
    ParticipantCase.objects.filter(pk=pc_of(a, a.bob, a.cases[2]).pk).update(
        outcome="failed", remark="Geen dekking"
    )
    web = client_for(a.client)
    page = web.get(reverse("portal-acceptance-session", args=[a.session.pk]))
    html = page.content.decode()
    assert "data-client-results" in html
    assert "Geen dekking" in html
    assert "tester" not in html.split("Organiser")[0]
    assert (
        client_for(a.anna)
        .post(reverse("portal-acceptance-signoff", args=[a.session.pk]), {"decision": "accepted"})
        .status_code
        == 404
    )
    web.post(reverse("portal-acceptance-signoff", args=[a.session.pk]), {"decision": "accepted"})
    a.session.refresh_from_db()
    assert a.session.status == SessionStatus.SIGNED_OFF
    assert a.session.signed_off_by == a.client
    closed = client_for(a.anna).get(
        reverse("portal-acceptance-case", args=[a.session.pk, pc_of(a, a.anna, a.cases[0]).pk])
    )
    assert b"data-read-only" in closed.content
    assert b'name="form" value="step"' not in closed.content
