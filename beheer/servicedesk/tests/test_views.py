"""UI wiring: pages per role, HTMX actions through the services, conflicts, escaping, query counts, CSP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.servicedesk import queries, services
from beheer.servicedesk.models import (
    Attachment,
    Category,
    EntryType,
    HistoryEntry,
    Line,
    Melding,
    MeldingLink,
    Note,
    Status,
    StatusKind,
    TimeEntry,
    Visibility,
)
from beheer.servicedesk.views import meldingen as servicedesk_views
from tests.helpers import client_for, make_person
from tests.sample_files import PNG

HTMX = {"HX-Request": "true", "HX-Target": "melding-main"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Assert on the English source strings, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"


def action(client: Client, melding: Melding, name: str, data: dict[str, Any], *, htmx: bool = True) -> Any:
    payload = {f"{name}-{k}": v for k, v in data.items()}
    payload.setdefault(f"{name}-version", melding.version)
    headers = HTMX if htmx else None
    return client.post(f"/meldingen/{melding.pk}/{name}/", payload, headers=headers)


def fresh(melding: Melding) -> Melding:
    return Melding.objects.select_related("status").get(pk=melding.pk)


def open_for(caller: User, actor: User, brief: str = "Laptop start niet") -> Melding:
    return services.open_melding(
        actor=actor, brief_description=brief, entry_type=EntryType.PHONE, caller=caller
    )


def assert_csp_clean(response: Any) -> None:
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not STYLE_ATTR.search(html), STYLE_ATTR.search(html)
    assert not EVENT_HANDLER_ATTR.search(html), EVENT_HANDLER_ATTR.search(html)


# --------------------------------------------------------------------------------------------------
# pages per role


@pytest.mark.django_db
def test_home_redirects_by_role(operator_client: Client, caller_client: Client) -> None:
    response = operator_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/meldingen/?queue=mine"
    response = caller_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Client) -> None:
    for url in ["/", "/meldingen/", "/meldingen/new/", "/portal/", "/portal/new/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_operator_pages_render(operator_client: Client, melding: Melding) -> None:
    for url in [
        "/meldingen/",
        "/meldingen/?queue=all",
        "/meldingen/?queue=groups&sort=newest",
        "/meldingen/new/",
        f"/meldingen/{melding.pk}/",
        f"/meldingen/{melding.pk}/?history=all",
        "/portal/",
        "/profile/",
    ]:
        response = operator_client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)


def test_caller_is_refused_operator_pages(caller_client: Client, melding: Melding) -> None:
    for url in [
        "/meldingen/",
        "/meldingen/new/",
        f"/meldingen/{melding.pk}/",
        "/meldingen/callers/?caller_q=an",
    ]:
        assert caller_client.get(url).status_code == 403, url
    response = action(caller_client, melding, "escalate", {"reason": "x"})
    assert response.status_code == 403
    response = caller_client.post("/meldingen/new/", {"brief_description": "x", "caller_name": "x"})
    assert response.status_code == 403
    assert Melding.objects.count() == 1


def test_caller_pages_render(caller_client: Client, melding: Melding) -> None:
    for url in ["/portal/", "/portal/new/", f"/portal/{melding.pk}/", "/profile/"]:
        response = caller_client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)
    assert melding.brief_description in caller_client.get("/portal/").content.decode()


def test_other_caller_cannot_see_portal_melding(other_caller: User, melding: Melding) -> None:
    client = client_for(other_caller)
    assert client.get(f"/portal/{melding.pk}/").status_code == 404
    assert client.post(f"/portal/{melding.pk}/reply/", {"text": "hallo"}).status_code == 404
    assert client.post(f"/portal/{melding.pk}/confirm/").status_code == 404
    assert melding.brief_description not in client.get("/portal/").content.decode()
    assert not Note.objects.filter(melding=melding).exists()


def test_unknown_melding_is_404(operator_client: Client) -> None:
    assert operator_client.get("/meldingen/999999/").status_code == 404


# --------------------------------------------------------------------------------------------------
# queue list


def test_queue_list_filters_and_htmx_partial(operator_client: Client, operator: User, caller: User) -> None:
    mine = open_for(caller, operator, "Beamer in aula kapot")
    services.assign_melding(
        mine, operator_group=None, operator=operator, actor=operator, expected_version=None
    )
    other = open_for(caller, operator, "Wachtwoord vergeten")

    response = operator_client.get("/meldingen/?queue=mine")
    html = response.content.decode()
    assert "Beamer in aula kapot" in html
    assert "Wachtwoord vergeten" not in html
    assert "/api/v1/meldingen/export.csv?queue=mine" in html

    response = operator_client.get(
        "/meldingen/?queue=all", headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="queue-results"' in html
    assert "Beamer in aula kapot" in html
    assert "Wachtwoord vergeten" in html

    response = operator_client.get(f"/meldingen/?queue=all&q={other.number}")
    html = response.content.decode()
    assert "Wachtwoord vergeten" in html
    assert "Beamer in aula kapot" not in html


def test_queue_list_keyset_pagination(
    operator_client: Client, operator: User, caller: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servicedesk_views, "PAGE_SIZE", 2)
    for i in range(5):
        open_for(caller, operator, f"Storing nummer {i}")
    seen: list[str] = []
    url = "/meldingen/?queue=all&sort=oldest"
    for _page in range(3):
        response = operator_client.get(url)
        assert response.status_code == 200
        page = response.context["page"]
        seen += [m.brief_description for m in page.items]
        if not page.next_cursor:
            break
        assert "cursor=" in response.context["next_url"]
        url = "/meldingen/" + response.context["next_url"]
    assert seen == [f"Storing nummer {i}" for i in range(5)]


def test_queue_list_bad_cursor_and_filters_do_not_fail(operator_client: Client, melding: Melding) -> None:
    response = operator_client.get(
        "/meldingen/?queue=all&cursor=not-a-cursor&status=abc&sort=nonsense&line=x"
    )
    assert response.status_code == 200
    assert melding.brief_description in response.content.decode()


def _make_meldingen(count: int, operator: User, caller: User, group: OperatorGroup) -> None:
    for i in range(count):
        m = services.open_melding(
            actor=operator,
            brief_description=f"Melding {i}",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            operator=operator,
        )
        assert m.pk


def test_queue_list_query_count_is_constant(
    operator_client: Client,
    operator: User,
    caller: User,
    first_line: OperatorGroup,
    django_assert_max_num_queries: Any,
) -> None:
    _make_meldingen(5, operator, caller, first_line)
    operator_client.get("/meldingen/?queue=all")  # warm the session and caches
    with django_assert_max_num_queries(12) as small:
        assert operator_client.get("/meldingen/?queue=all").status_code == 200
    _make_meldingen(25, operator, caller, first_line)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = operator_client.get("/meldingen/?queue=all")
    # one page (the list's page size, the same as the API's default limit)
    assert len(response.context["page"].items) == queries.PAGE_SIZE == 25
    assert response.context["page"].next_cursor


# --------------------------------------------------------------------------------------------------
# registering a call


def test_create_melding_for_registered_caller(
    operator_client: Client, caller: User, first_line: OperatorGroup, operator: User
) -> None:
    response = operator_client.post(
        "/meldingen/new/",
        {
            "caller": caller.pk,
            "brief_description": "Scherm flikkert",
            "request": "Sinds vanochtend.",
            "entry_type": "phone",
            "call_type": "1",
            "operator_group": first_line.pk,
            "operator": operator.pk,
            "attachment": SimpleUploadedFile("foto.png", PNG),
        },
    )
    assert response.status_code == 302
    melding = Melding.objects.get()
    assert response["Location"] == f"/meldingen/{melding.pk}/"
    assert melding.caller == caller
    assert melding.entry_type == EntryType.PHONE
    assert melding.operator == operator
    assert Attachment.objects.filter(melding=melding, original_name="foto.png").exists()
    page = operator_client.get(response["Location"]).content.decode()
    assert melding.priority.name in page
    assert "foto.png" in page


def test_create_melding_for_unregistered_caller(operator_client: Client, operator: User) -> None:
    response = operator_client.post(
        "/meldingen/new/",
        {
            "caller_name": "Gast Docent",
            "caller_email": "gast@example.org",
            "brief_description": "Wifi-code nodig",
            "entry_type": "desk",
            "call_type": "1",
        },
    )
    assert response.status_code == 302
    melding = Melding.objects.get()
    assert melding.caller is None
    assert melding.caller_name == "Gast Docent"
    assert melding.entry_type == EntryType.DESK


def test_create_melding_bad_input_keeps_input_and_creates_nothing(
    operator_client: Client, caller: User
) -> None:
    response = operator_client.post(
        "/meldingen/new/", {"brief_description": "", "request": "Mijn lange verhaal", "entry_type": "phone"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mijn lange verhaal" in html
    assert "Choose a caller" in html
    assert Melding.objects.count() == 0

    # A rule the service checks (target date in the past) is shown on the form; nothing is lost.
    response = operator_client.post(
        "/meldingen/new/",
        {
            "caller": caller.pk,
            "brief_description": "Te laat",
            "entry_type": "phone",
            "call_type": "1",
            "target_date": "2001-01-01T10:00",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The target date lies in the past." in html
    assert 'value="Te laat"' in html
    assert Melding.objects.count() == 0


def test_brief_description_script_is_escaped(
    operator_client: Client, caller_client: Client, caller: User
) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = operator_client.post(
        "/meldingen/new/",
        {
            "caller": caller.pk,
            "brief_description": payload[:80],
            "request": payload + "\nregel 2",
            "entry_type": "phone",
            "call_type": "1",
        },
    )
    assert response.status_code == 302
    melding = Melding.objects.get()
    for client, url in [
        (operator_client, f"/meldingen/{melding.pk}/"),
        (operator_client, "/meldingen/?queue=all"),
        (caller_client, f"/portal/{melding.pk}/"),
        (caller_client, "/portal/"),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url


def test_caller_lookup_and_subcategories(operator_client: Client, caller: User, other_caller: User) -> None:
    response = operator_client.get("/meldingen/callers/", {"caller_q": "Anna"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="caller"' in html
    assert f'value="{caller.pk}"' in html
    assert f'value="{other_caller.pk}"' not in html
    for i in range(12):
        make_person(Role.CALLER, first_name="Annabel", last_name=f"Zoeker{i}")
    html = operator_client.get("/meldingen/callers/", {"caller_q": "Anna"}).content.decode()
    assert html.count('name="caller"') == 10

    parent = Category.objects.create(name="Hardware")
    child = Category.objects.create(name="Printer", parent=parent)
    other = Category.objects.create(name="Software")
    Category.objects.create(name="Office", parent=other)
    html = operator_client.get("/meldingen/subcategories/", {"category": parent.pk}).content.decode()
    assert f'value="{child.pk}"' in html
    assert "Office" not in html


# --------------------------------------------------------------------------------------------------
# actions on the call page


def test_escalate_via_htmx(operator_client: Client, melding: Melding, second_line: OperatorGroup) -> None:
    response = action(
        operator_client, melding, "escalate", {"to_group": second_line.pk, "reason": "Serverprobleem"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="melding-main"' in html
    assert "<html" not in html
    assert "escalated to the second line" in html
    m = fresh(melding)
    assert m.line == Line.SECOND
    assert m.operator_group == second_line
    assert HistoryEntry.objects.filter(melding=m, action="escalated").exists()


def test_action_without_js_redirects(
    operator_client: Client, melding: Melding, second_line: OperatorGroup
) -> None:
    response = action(
        operator_client,
        melding,
        "escalate",
        {"to_group": second_line.pk, "reason": "Serverprobleem"},
        htmx=False,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/meldingen/{melding.pk}/#action-escalate"
    assert fresh(melding).line == Line.SECOND
    page = operator_client.get(response["Location"]).content.decode()
    assert "escalated to the second line" in page


def test_stale_version_shows_conflict_and_changes_nothing(
    operator_client: Client, melding: Melding, second_line: OperatorGroup, operator: User
) -> None:
    stale = melding.version
    services.set_estimates(melding, minutes=30, people=1, means="", actor=operator, expected_version=None)
    response = operator_client.post(
        f"/meldingen/{melding.pk}/escalate/",
        {"escalate-version": stale, "escalate-to_group": second_line.pk, "escalate-reason": "te laat"},
        headers=HTMX,
    )
    assert response.status_code == 200  # swapped into the page; without JavaScript a 409
    html = response.content.decode()
    assert "Somebody else changed" in html
    assert "Reload the call" in html
    assert "te laat" in html  # the operator's input is kept
    assert fresh(melding).line == Line.FIRST
    response = operator_client.post(
        f"/meldingen/{melding.pk}/escalate/",
        {"escalate-version": stale, "escalate-to_group": second_line.pk, "escalate-reason": "te laat"},
    )
    assert response.status_code == 409
    assert "te laat" in response.content.decode()
    assert fresh(melding).line == Line.FIRST


def test_bad_input_shows_errors_and_changes_nothing(
    operator_client: Client, melding: Melding, second_line: OperatorGroup, first_line: OperatorGroup
) -> None:
    response = action(operator_client, melding, "escalate", {"to_group": second_line.pk, "reason": ""})
    assert response.status_code == 200  # swapped into the page; without JavaScript a 400
    assert "This field is required." in response.content.decode()
    response = action(
        operator_client, melding, "escalate", {"to_group": second_line.pk, "reason": ""}, htmx=False
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    # A rule the service refuses: a first-line group is no escalation target.
    response = action(operator_client, melding, "escalate", {"to_group": first_line.pk, "reason": "x"})
    assert "Choose a second-line group." in response.content.decode()
    response = action(
        operator_client, melding, "escalate", {"to_group": first_line.pk, "reason": "x"}, htmx=False
    )
    assert response.status_code == 400
    m = fresh(melding)
    assert m.line == Line.FIRST
    assert m.version == melding.version
    response = operator_client.post(f"/meldingen/{melding.pk}/nonsense/", {}, headers=HTMX)
    assert response.status_code == 404


def test_assign_status_estimates_classify_and_target(
    operator_client: Client, melding: Melding, operator: User, first_line: OperatorGroup
) -> None:
    response = action(
        operator_client, melding, "assign", {"operator_group": first_line.pk, "operator": operator.pk}
    )
    assert response.status_code == 200
    melding = fresh(melding)
    assert melding.operator == operator

    waiting = Status.objects.get(code="waiting_caller")
    response = action(operator_client, melding, "status", {"status": waiting.pk})
    assert response.status_code == 200
    melding = fresh(melding)
    assert melding.status == waiting
    resolved = Status.objects.get(kind=StatusKind.RESOLVED)
    response = action(operator_client, melding, "status", {"status": resolved.pk})
    assert "Select a valid choice" in response.content.decode()  # not offered: resolving has its own form
    assert fresh(melding).status == waiting

    response = action(operator_client, melding, "estimates", {"minutes": 90, "people": 2, "means": "ladder"})
    assert response.status_code == 200
    melding = fresh(melding)
    assert (melding.estimated_minutes, melding.estimated_people, melding.estimated_means) == (90, 2, "ladder")

    response = action(
        operator_client,
        melding,
        "classify",
        {
            "brief_description": "Printer 2.14 kapot",
            "request": "papier",
            "call_type": melding.call_type_id,
            "object_name": "PRN-214",
            "impact": melding.impact_id,
            "urgency": melding.urgency_id,
        },
    )
    assert response.status_code == 200
    melding = fresh(melding)
    assert melding.brief_description == "Printer 2.14 kapot"
    assert melding.object_name == "PRN-214"

    target = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = action(operator_client, melding, "target", {"target_date": target.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert fresh(melding).target_date == target


def test_notes_time_links_partials_attachments(
    operator_client: Client, melding: Melding, operator: User, caller: User, second_line: OperatorGroup
) -> None:
    response = action(
        operator_client, melding, "note", {"text": "Intern: toner bestellen", "visibility": "internal"}
    )
    assert response.status_code == 200
    melding = fresh(melding)
    action(operator_client, melding, "note", {"text": "Beste Anna, we komen eraan", "visibility": "caller"})
    assert Note.objects.filter(melding=melding).count() == 2
    page = operator_client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert "note-internal" in page
    assert "note-caller" in page

    response = action(operator_client, melding, "time", {"minutes": 25, "note": "ter plaatse"})
    assert response.status_code == 200
    assert TimeEntry.objects.get(melding=melding).minutes == 25
    assert "25 min" in response.content.decode()

    other = open_for(caller, operator, "Tweede printer")
    response = action(operator_client, melding, "link", {"number": other.number})
    assert response.status_code == 200
    assert MeldingLink.objects.count() == 1
    response = action(operator_client, melding, "link", {"number": "M9999999"})
    assert "No call with this number." in response.content.decode()
    assert MeldingLink.objects.count() == 1
    response = action(operator_client, melding, "unlink", {"other": other.pk})
    assert response.status_code == 200
    assert MeldingLink.objects.count() == 0

    response = action(
        operator_client,
        melding,
        "partial",
        {"brief_description": "Kabel trekken", "operator_group": second_line.pk},
    )
    assert response.status_code == 200
    partial = Melding.objects.get(parent=melding)
    assert partial.line == Line.PARTIAL
    assert "0 of 1 resolved" in response.content.decode()

    upload = SimpleUploadedFile("log.txt", b"regel\n")
    response = action(operator_client, melding, "attachment", {"file": upload, "visible_to_caller": ""})
    assert response.status_code == 200
    attachment = Attachment.objects.get(melding=melding)
    assert not attachment.visible_to_caller
    download = operator_client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content == b"regel\n"
    # Internal attachment: the caller may not download it.
    assert client_for(caller).get(f"/attachments/{attachment.pk}/").status_code == 404


def test_resolve_close_and_read_only(operator_client: Client, melding: Melding) -> None:
    response = action(
        operator_client, melding, "resolve", {"solution": "Papier verwijderd", "is_workaround": ""}
    )
    assert response.status_code == 200
    melding = fresh(melding)
    assert melding.status.kind == StatusKind.RESOLVED
    assert "Papier verwijderd" in response.content.decode()

    response = action(operator_client, melding, "close", {})
    assert response.status_code == 200
    melding = fresh(melding)
    assert melding.closed_at is not None
    page = operator_client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert "Read-only" in page
    assert "hx-post" not in page
    response = action(operator_client, melding, "note", {"text": "te laat", "visibility": "internal"})
    assert response.status_code == 200  # swapped into the page; without JavaScript a 409
    assert "closed and can no longer be changed" in response.content.decode()
    response = action(
        operator_client, melding, "note", {"text": "te laat", "visibility": "internal"}, htmx=False
    )
    assert response.status_code == 409
    assert not Note.objects.filter(melding=melding).exists()


def test_reopen_and_merge(operator_client: Client, melding: Melding, operator: User, caller: User) -> None:
    services.resolve_melding(melding, solution="klaar", actor=operator, expected_version=None)
    melding = fresh(melding)
    response = action(operator_client, melding, "reopen", {"reason": "Werkt toch niet"})
    assert response.status_code == 200
    assert fresh(melding).is_open

    duplicate = open_for(caller, operator, "Printer 2.14 doet het niet")
    response = action(operator_client, duplicate, "merge", {"number": melding.number})
    assert response.status_code == 200
    duplicate = fresh(duplicate)
    assert duplicate.merged_into_id == melding.pk
    assert duplicate.closed_at is not None


# --------------------------------------------------------------------------------------------------
# caller portal


def test_portal_create_reply_and_visibility(caller_client: Client, caller: User, operator: User) -> None:
    response = caller_client.post(
        "/portal/new/",
        {
            "brief_description": "Geen toegang tot Teams",
            "request": "Foutmelding 403",
            "call_type": "1",
            "attachment": SimpleUploadedFile("scherm.png", PNG),
        },
    )
    assert response.status_code == 302
    melding = Melding.objects.get()
    assert melding.entry_type == EntryType.PORTAL
    assert melding.caller == caller
    assert response["Location"] == f"/portal/{melding.pk}/"

    services.add_note(melding, text="GEHEIM intern", visibility=Visibility.INTERNAL, actor=operator)
    services.add_note(melding, text="Wilt u opnieuw inloggen?", visibility=Visibility.CALLER, actor=operator)
    html = caller_client.get(f"/portal/{melding.pk}/").content.decode()
    assert "Wilt u opnieuw inloggen?" in html
    assert "GEHEIM intern" not in html
    assert "scherm.png" in html

    response = caller_client.post(f"/portal/{melding.pk}/reply/", {"text": "Gedaan, werkt nog niet"})
    assert response.status_code == 302
    assert Note.objects.filter(melding=melding, author=caller, visibility=Visibility.CALLER).exists()

    response = caller_client.post(f"/portal/{melding.pk}/reply/", {"text": ""})
    assert response.status_code == 400
    assert Note.objects.filter(melding=melding, author=caller).count() == 1


def test_portal_create_bad_input(caller_client: Client) -> None:
    response = caller_client.post(
        "/portal/new/", {"brief_description": "x" * 81, "request": "behouden tekst"}
    )
    assert response.status_code == 400
    assert "behouden tekst" in response.content.decode()
    assert Melding.objects.count() == 0


def test_portal_confirm_and_reopen(caller_client: Client, melding: Melding, operator: User) -> None:
    services.resolve_melding(
        melding, solution="Nieuwe toner geplaatst", actor=operator, expected_version=None
    )
    html = caller_client.get(f"/portal/{melding.pk}/").content.decode()
    assert "Nieuwe toner geplaatst" in html
    assert "Confirm solution" in html

    response = caller_client.post(f"/portal/{melding.pk}/reopen/", {"reason": ""})
    assert response.status_code == 400
    response = caller_client.post(f"/portal/{melding.pk}/reopen/", {"reason": "Nog steeds strepen"})
    assert response.status_code == 302
    assert fresh(melding).is_open

    services.resolve_melding(melding, solution="Drum vervangen", actor=operator, expected_version=None)
    response = caller_client.post(f"/portal/{melding.pk}/confirm/")
    assert response.status_code == 302
    assert fresh(melding).closed_at is not None
    html = caller_client.get(f"/portal/{melding.pk}/").content.decode()
    assert "This call is closed" in html
    response = caller_client.post(f"/portal/{melding.pk}/confirm/")
    assert response.status_code == 409


def test_portal_never_shows_partials_or_other_callers(
    caller_client: Client, melding: Melding, operator: User, other_caller: User, second_line: OperatorGroup
) -> None:
    partial = services.create_partial(
        melding, brief_description="Deel intern", operator_group=second_line, actor=operator
    )
    other = open_for(other_caller, operator, "Van iemand anders")
    html = caller_client.get("/portal/").content.decode()
    assert melding.brief_description in html
    assert "Deel intern" not in html
    assert "Van iemand anders" not in html
    assert caller_client.get(f"/portal/{partial.pk}/").status_code == 404
    assert caller_client.get(f"/portal/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_operators_are_warned_when_the_worker_is_not_running(operator_client):
    from django.utils import timezone

    from beheer.core import scheduler

    warning = "beheer worker"
    assert warning in operator_client.get("/meldingen/").content.decode()
    scheduler.beat("worker", started_at=timezone.now())
    assert warning not in operator_client.get("/meldingen/").content.decode()


@pytest.mark.django_db
def test_callers_never_see_the_worker_warning(caller_client):
    assert "beheer worker" not in caller_client.get("/portal/").content.decode()
