"""Suggestions: ranking basics, visibility (canaries), melding -> article."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User
from beheer.core import search
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.knowledge import services
from beheer.knowledge.models import ArticleStatus, Audience
from beheer.knowledge.rendering import render_markdown
from beheer.knowledge.suggest import suggest_articles
from beheer.servicedesk import services as sd
from beheer.servicedesk.models import ArticleLink, Melding
from beheer.servicedesk.suggestions import suggest

from .helpers import published

pytestmark = pytest.mark.django_db
TOKEN = "tok-" + "a" * 28


def _solved(operator: User, caller: User, brief: str, request: str, solution: str) -> Melding:
    m = sd.open_melding(
        actor=operator, brief_description=brief, request=request, entry_type="phone", caller=caller
    )
    return sd.resolve_melding(m, solution=solution, actor=operator, expected_version=None)


@pytest.fixture
def corpus(operator: User, administrator: User, caller: User) -> dict[str, int]:
    caller_article = published(
        operator, title="Printer papierstoring CANARYCALLER", body="Open klep A.", audience=Audience.CALLERS
    )
    operator_article = published(
        operator, title="Printer spooler CANARYOPS", body="Herstart de spooler.", audience=Audience.OPERATORS
    )
    draft = services.create_article(
        actor=operator, title="Printer draft CANARYDRAFT", body="x", audience=Audience.CALLERS
    )
    admin_only = published(
        administrator, title="Printer admin CANARYADMIN", body="y", audience=Audience.ADMINISTRATORS
    )
    solved = _solved(operator, caller, "Printer storing CANARYMELD", "papier vast", "Klep A geopend.")
    open_melding = sd.open_melding(
        actor=operator,
        brief_description="Printer open CANARYOPEN",
        request="",
        entry_type="phone",
        caller=caller,
    )
    return {
        "caller": caller_article.pk,
        "operator": operator_article.pk,
        "draft": draft.pk,
        "admin": admin_only.pk,
        "solved": solved.pk,
        "open": open_melding.pk,
    }


def test_significant_tokens_drop_stop_words_and_duplicates() -> None:
    assert search.significant_tokens("De printer en de PRINTER doet het niet, please help") == [
        "printer",
        "help",
    ]
    assert search.significant_tokens("de het een the a") == []
    assert search.ranked_ids("article", "de het een", 10) == []


def test_ranked_ids_prefers_title_matches(operator: User) -> None:
    title = published(operator, title="Eduroam verbinden", body="Kies het netwerk.")
    body = published(operator, title="Netwerk", body="Soms werkt eduroam niet op een telefoon.")
    ranked = search.ranked_ids("article", "eduroam", 10)
    assert [pk for pk, _score in ranked] == [title.pk, body.pk]
    assert ranked[0][1] >= ranked[1][1] > 0


def test_operator_gets_articles_and_solved_meldingen_only(operator: User, corpus: dict[str, int]) -> None:
    found = suggest("printer", "storing", operator)
    article_ids = {a.id for a in found.articles}
    assert {corpus["caller"], corpus["operator"]} <= article_ids
    assert corpus["admin"] not in article_ids
    assert [m.id for m in found.meldingen] == [corpus["solved"]]  # never the open one


def test_the_melding_being_handled_is_not_suggested(operator: User, corpus: dict[str, int]) -> None:
    found = suggest("printer storing", "", operator, exclude_melding=corpus["solved"])
    assert corpus["solved"] not in {m.id for m in found.meldingen}


def test_caller_gets_published_caller_articles_and_no_meldingen(caller: User, corpus: dict[str, int]) -> None:
    found = suggest("printer storing", "papier", caller)
    assert [a.id for a in found.articles] == [corpus["caller"]]
    assert found.meldingen == []
    text = repr(found)
    for canary in ("CANARYOPS", "CANARYDRAFT", "CANARYADMIN", "CANARYMELD", "CANARYOPEN"):
        assert canary not in text


def test_portal_variant_is_caller_articles_even_for_staff(operator: User, corpus: dict[str, int]) -> None:
    found = suggest_articles("printer", operator, callers_only=True)
    assert [a.id for a in found] == [corpus["caller"]]


def test_administrator_sees_administrator_articles(administrator: User, corpus: dict[str, int]) -> None:
    assert corpus["admin"] in {a.id for a in suggest("printer", "", administrator).articles}


def test_empty_and_huge_queries(operator: User, corpus: dict[str, int]) -> None:
    assert suggest("", "", operator).empty
    assert suggest("de het", "", operator).empty
    huge = suggest("printer " * 50_000, "x" * 300_000, operator)
    assert huge.articles  # cut to the first characters, still answered


# -- melding -> article


def test_create_article_from_melding(operator: User, caller: User) -> None:
    m = _solved(
        operator, caller, "Scanner <b>stuk</b>", "Request with **stars** and <script>x</script>", "# Fixed"
    )
    article = sd.create_article_from_melding(m, actor=operator)
    assert article.status == ArticleStatus.DRAFT
    assert article.audience == Audience.OPERATORS
    assert article.title == m.brief_description
    body = article.draft_version.body  # type: ignore[union-attr]
    html = render_markdown(body)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>" not in html
    assert "**stars**" in html
    assert "<h1>" not in html  # "# Fixed" stays text
    assert ArticleLink.objects.filter(melding=m, article=article).exists()


def test_create_article_from_melding_refusals(operator: User, caller: User, melding: Melding) -> None:
    with pytest.raises(DomainError):
        sd.create_article_from_melding(melding, actor=operator)  # not resolved
    solved = _solved(operator, caller, "VPN", "thuis", "Opnieuw geinstalleerd")
    with pytest.raises(PermissionDenied):
        sd.create_article_from_melding(solved, actor=caller)


def test_link_requires_a_visible_article(
    operator: User, caller: User, melding: Melding, administrator: User
) -> None:
    admin_only = published(administrator, title="Geheim", audience=Audience.ADMINISTRATORS)
    with pytest.raises(NotFound):
        sd.link_article(melding, article=admin_only, actor=operator)
    own = published(operator, title="Open")
    with pytest.raises(PermissionDenied):
        sd.link_article(melding, article=own, actor=caller)
    sd.link_article(melding, article=own, actor=operator)
    sd.link_article(melding, article=own, actor=operator)  # idempotent
    assert ArticleLink.objects.filter(melding=melding).count() == 1
    sd.unlink_article(melding, article=own, actor=operator)
    assert not ArticleLink.objects.exists()
    actions = list(melding.history.values_list("action", flat=True))
    assert "article_linked" in actions
    assert "article_unlinked" in actions


@pytest.mark.parametrize(
    "text",
    [
        "a **b** _c_ <script>x</script> & > q",
        "# kop\n- item\n1. een\n> quote",
        "[link](javascript:alert(1)) ![i](http://x/y.png)",
        "C:\\Windows\\x ~~del~~ a|b|c `code` {x} 3.5! +1",
        "<img src=x onerror=alert(1)> http://example.com/a_b_c",
    ],
)
def test_escaped_markdown_renders_as_the_plain_text(text: str) -> None:
    import html as html_module
    import re

    rendered = render_markdown(services.escape_markdown(text))
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered
    plain = html_module.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert " ".join(plain.split()) == " ".join(text.split())


def test_ranked_ids_scores_only_the_newest_matches_in_the_window(operator: User) -> None:
    old = published(operator, title="Smartboard kalibreren", body="smartboard")
    new = published(operator, title="Smartboard geluid", body="smartboard")
    assert {pk for pk, _s in search.ranked_ids("article", "smartboard", 10)} == {old.pk, new.pk}
    assert [pk for pk, _s in search.ranked_ids("article", "smartboard", 10, window=1)] == [new.pk]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Restart the **printer**.", "Restart the printer."),
        ("Open [the portal](https://portal.example/login), then log in.", "Open the portal, then log in."),
        ("Press `Ctrl+P`; choose *PDF*!", "Press Ctrl+P; choose PDF!"),
        ("Is the cable in (the _blue_ one)?", "Is the cable in (the blue one)?"),
        ("# Heading\n\n> Quote: **done** .", "Heading Quote: done."),
        ("![screenshot](img.png)\nClick **OK** .", "screenshot Click OK."),
        ("Items:\n- one\n- two", "Items: - one - two"),
        ("Range 10 - 20 stays", "Range 10 - 20 stays"),
    ],
)
def test_snippet_has_no_space_before_punctuation(markdown, expected):
    from beheer.knowledge.suggest import snippet

    assert snippet(markdown) == expected


def test_snippet_is_cut_at_a_word_without_space_before_the_ellipsis_mark():
    from beheer.knowledge.suggest import snippet

    text = "Word **bold**, " * 40
    cut = snippet(text, 50)
    assert cut.endswith(" …")
    assert len(cut) <= 52
    assert " ," not in cut
    assert "**" not in cut
