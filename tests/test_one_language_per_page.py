"""One language per page: every role's pages, the admin included, say nothing in the other language.

Each role logs in with its language set to Dutch or English and walks every page it can reach from
its navigation (and, for staff, from the admin index), at most `LIMIT` pages. The visible text
(tags, scripts, styles and form values stripped) is checked against words that have no place in
correct text of the other language. The data made here uses made-up words, so a finding is always
the product's own text.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from beheer.accounts import services as accounts
from beheer.accounts.models import OperatorGroup, Role, User
from beheer.knowledge import services as knowledge
from beheer.problems import services as problem_services
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Visibility
from tests.helpers import client_for, make_person, restore_default_configuration

LIMIT = 150

# Words of the other language, each with no place in correct text of the page's language.
DUTCH_WORDS = {
    "melding", "meldingen", "behandelaar", "behandelaars", "opslaan", "zoeken", "annuleren", "niet",
    "een", "het", "geen", "wijzigen", "verwijderen", "toevoegen", "deze", "wordt", "zijn", "naar",
    "bewaren", "kennisitem", "kennisitems", "afgemeld", "aanmelder", "melder", "bijlage", "omschrijving",
    "behandelaarsgroep", "ticket", "tickets",
}  # fmt: skip
ENGLISH_WORDS = {
    "save", "search", "cancel", "call", "calls", "the", "and", "with", "your", "you", "this", "delete",
    "add", "edit", "none", "yes", "from", "new", "which", "should", "would", "there", "ticket",
    "tickets", "please", "change", "changed", "show", "hide", "name", "description", "priority",
    "category", "operator", "caller", "request", "article", "articles", "since", "until", "when",
}  # fmt: skip
FORBIDDEN = {"en": DUTCH_WORDS, "nl": ENGLISH_WORDS}

# Names that are the same in both languages: the product, the standards and the made-up data.
ALLOWED = re.compile(
    r"\b(Beheer|Django|API|OpenAPI|Swagger|HTMX|Markdown|Alertmanager|SNMP|HTTP|HTTPS|TCP|TLS|DNS|ICMP|"
    r"SMTP|IMAP|RRULE|SLA|OLA|KPI|CSV|XLSX|PDF|URL|E-mail|e-mail)\b"
)

SKIP_PATH = re.compile(
    r"(^/api/|^/i18n/|^/static/|^/media/|logout|/download|/export|\.csv$|\.xlsx$|\.pdf$|/pdf/|/print/|"
    r"/attachments?/\d+|/image|/feed|/jsi18n/|/preview|password_change|/r/\d+/)"
)


class _Page(HTMLParser):
    """The visible text and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style", "template", "textarea"):
            self._hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for name in ("title", "aria-label", "placeholder", "alt"):
            if a.get(name):
                self.text.append(a[name] or "")
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.text.append(a["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "textarea") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _configured_texts() -> list[str]:
    """Names and codes an installation configures (statuses, call types, SLA policies, ...): data in
    one language or in both columns (name_nl and name_en side by side in the admin), not the
    product's text."""
    from django.apps import apps

    texts: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("servicedesk", "knowledge", "accounts", "monitoring", "cmdb"):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        wanted = [n for n in ("name_nl", "name_en", "code") if n in names]
        if model.__name__ in ("SlaPolicy", "BusinessCalendar"):
            wanted += [n for n in ("name", "description") if n in names]
        for row in model.objects.values_list(*wanted) if wanted else ():
            texts.update(str(v) for v in row if v)
    return sorted(texts, key=len, reverse=True)


def _findings(html: str, language: str, configured: list[str]) -> tuple[set[str], list[str]]:
    page = _Page()
    page.feed(html)
    text = " ".join(page.text)
    for value in configured:
        text = text.replace(value, " ")
    text = re.sub(r"\S*(?:[/_@]|\w[.:]\w)\S*", " ", text)  # paths, time zones, codes, addresses
    text = ALLOWED.sub(" ", text)
    # Whole tokens only: a masked password salt such as "9add1f******" is no word of either language.
    words = set(re.findall(r"(?<![\w*])[A-Za-zÀ-ÿ]+(?![\w*])", text))
    found = {w for w in words if w.lower() in FORBIDDEN[language]}
    return found, page.links


def _context(html: str, word: str) -> str:
    page = _Page()
    page.feed(html)
    text = re.sub(r"\s+", " ", " ".join(page.text))
    m = re.search(rf"\b{re.escape(word)}\b", text)
    return text[max(0, m.start() - 60) : m.end() + 60] if m else ""


def crawl(client: Client, starts: list[str], language: str) -> tuple[int, dict[str, str]]:
    """Visit pages breadth-first from `starts`; return the number visited and the findings per path."""
    seen: set[str] = set()
    queue = deque(starts)
    findings: dict[str, str] = {}
    visited = 0
    configured = _configured_texts()
    while queue and visited < LIMIT:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP_PATH.search(parts.path):
            continue
        key = parts.path
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code in (301, 302):
            queue.appendleft(response["Location"])
            seen.discard(key)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        html = response.content.decode()
        found, links = _findings(html, language, configured)
        if found:
            findings[key] = "; ".join(f"{w}: …{_context(html, w)}…" for w in sorted(found))
        queue.extend(links)
    return visited, findings


@pytest.fixture
def world(db: Any, language: str) -> dict[str, User]:
    """Made-up words only, so nothing the test writes can look like either language. Everybody reads
    the page's language, so the e-mails in the outbox are written in it too."""
    restore_default_configuration()
    group = OperatorGroup.objects.create(name="Qzx", is_first_line=True, is_second_line=True)
    people = {
        "caller": make_person(Role.CALLER, first_name="Ixo", last_name="Zyq", username="zcaller"),
        "operator": make_person(Role.OPERATOR, first_name="Oxa", last_name="Vyq", username="zoperator"),
        "coordinator": make_person(Role.COORDINATOR, first_name="Kyx", last_name="Wuz", username="zcoord"),
        "admin": make_person(Role.ADMIN, first_name="Azx", last_name="Quv", username="zadmin"),
    }
    User.objects.filter(pk__in=[p.pk for p in people.values()]).update(language=language)
    for person in people.values():
        person.refresh_from_db()
    for person in ("operator", "coordinator", "admin"):
        accounts.add_group_member(group, member=people[person], actor=None)
    m = services.open_melding(
        actor=people["operator"],
        caller=people["caller"],
        brief_description="Xyzzy 42",
        request="Plugh 7",
        entry_type=EntryType.PHONE,
        operator_group=group,
    )
    services.add_note(m, text="Zork 9", visibility=Visibility.CALLER, actor=people["operator"])
    services.add_note(m, text="Zork 10", visibility=Visibility.INTERNAL, actor=people["operator"])
    services.open_melding(
        actor=people["caller"], brief_description="Frobozz 5", request="Gnusto", entry_type=EntryType.PORTAL
    )
    problem_services.open_problem(title="Quux 3", description="Quux", actor=people["coordinator"])
    knowledge.create_article(
        title="Yoho 8", body="Yoho 8", kind="instruction", audience="callers", actor=people["operator"]
    )
    return people


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", ["caller", "operator", "coordinator", "admin"])
def test_every_page_speaks_only_the_readers_language(world: dict[str, User], role: str, language: str):
    client = client_for(world[role])
    starts = ["/"] if role == "caller" else ["/", "/beheer-admin/"]
    visited, findings = crawl(client, starts, language)
    if findings:
        pytest.fail("\n".join(f"{path}: {found}" for path, found in sorted(findings.items())), pytrace=False)
    assert visited >= {"caller": 5, "operator": 20}.get(role, 40)


def test_a_masked_password_hash_is_no_word():
    html = "<p>algoritme: pbkdf2_sha256 salt: 9add1f****** hash: add***** Opslaan</p>"
    assert _findings(html, "nl", [])[0] == set()
    assert _findings("<p>add</p>", "nl", [])[0] == {"add"}
