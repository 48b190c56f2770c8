"""Bounded work per message: hostile HTML and MIME are refused before the costly steps, and the
scan that refuses them (and turns HTML into text) does work linear in the input, counted, not timed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from beheer.mailintake.email_in import markup
from beheer.mailintake.email_in.parse import (
    DEFAULT_LIMITS,
    Limits,
    ParsedMessage,
    ParseFailure,
    parse_message,
)
from beheer.mailintake.email_in.text import html_to_text

HEAD = "From: Stranger <stranger@elders.example>\r\nTo: servicedesk@beheer.example\r\nSubject: Hoi\r\n"


def html_message(body: str, *, message_id: str = "hostile@elders.example") -> bytes:
    return (
        f"{HEAD}Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n"
    ).encode()


def parse(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedMessage | ParseFailure:
    return parse_message(
        raw,
        max_attachment_bytes=1_000_000,
        own_addresses={"servicedesk@beheer.example"},
        own_message_id_domain="beheer.example",
        limits=limits,
    )


DEPTH = DEFAULT_LIMITS.max_html_depth

# Markup the sanitiser's tree builder nests `n` deep (its work per tag grows with that depth).
DEEP: dict[str, Callable[[int], str]] = {
    "divs": lambda n: "<div>" * n + "x" + "</div>" * n,
    "unclosed divs": lambda n: "<div>" * n + "x",
    "blockquotes": lambda n: "<blockquote>" * n + "x",
    "lists": lambda n: "<ul><li>" * n + "x",
    "tables": lambda n: "<table><tr><td>" * n + "x",
    "an end tag past a block is ignored": lambda n: "<span><div></span>" * n,
    "'/>' does not close a span": lambda n: "<span/>" * n,
    "'<!-->' is an empty comment": lambda n: "<!-->" + "<section>" * n,
    "'>' inside a quoted value": lambda n: '<div title="a>b">' * n,
    "formatting elements": lambda n: "<b><i>" * n + "x",
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deeply_nested_html_is_refused_before_sanitising(name: str) -> None:
    result = parse(html_message(DEEP[name](5_000)))
    assert isinstance(result, ParseFailure), name
    assert result.reason == "html-too-deep"
    assert (result.limit, result.found) == (DEPTH, DEPTH + 1)  # the scan stopped at the limit
    assert result.message_key == "hostile@elders.example"  # a re-read is recognised
    assert (result.sender, result.subject) == ("stranger@elders.example", "Hoi")


def test_nesting_up_to_the_limit_is_accepted_and_what_does_not_nest_is_not_counted() -> None:
    within = parse(html_message(DEEP["divs"](DEPTH)))
    assert isinstance(within, ParsedMessage)
    assert within.body_text == "x"
    # Paragraphs, list items and cells close their predecessor; void elements never open.
    flat = "<p>a" * 5_000 + "<li>b" * 5_000 + "<br><img alt=''>" * 5_000 + "<td>c" * 5_000
    assert isinstance(parse(html_message(flat)), ParsedMessage)
    # Balanced nesting, repeated, stays shallow however long it gets.
    assert isinstance(parse(html_message("<div><span>x</span></div>" * 20_000)), ParsedMessage)


def test_other_html_limits() -> None:
    attributes = parse(html_message("<div " + " ".join(f"a{i}=1" for i in range(5_000)) + ">x</div>"))
    assert isinstance(attributes, ParseFailure)
    assert (attributes.reason, attributes.limit, attributes.found) == ("html-too-many-attributes", 100, 5_000)
    small = Limits(max_html_elements=1_000, max_html_chars=50_000)
    elements = parse(html_message("<b>x</b>" * 2_000), small)
    assert isinstance(elements, ParseFailure)
    assert (elements.reason, elements.found) == ("html-too-many-elements", 1_001)
    large = parse(html_message("<p>" + "x" * 60_000), small)
    assert isinstance(large, ParseFailure)
    assert (large.reason, large.limit) == ("html-too-large", 50_000)


def test_mime_and_size_limits_are_checked_on_the_raw_bytes() -> None:
    nested = (HEAD + "Message-ID: <mime@x>\r\n").encode()
    for i in range(60):
        nested += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
    nested += b"Content-Type: text/plain\r\n\r\nhallo\r\n"
    result = parse(nested)
    assert isinstance(result, ParseFailure)
    assert (result.reason, result.limit, result.found) == ("mime-too-nested", 50, 60)
    assert result.message_key == "mime@x"

    plain = (HEAD + "Message-ID: <big@x>\r\n\r\n").encode() + b"regel\r\n" * 2_000
    too_large = parse(plain, Limits(max_message_bytes=10_000))
    assert isinstance(too_large, ParseFailure)
    assert (too_large.reason, too_large.found, too_large.subject) == ("too-large", len(plain), "Hoi")
    too_long = parse(plain, Limits(max_lines=1_000))
    assert isinstance(too_long, ParseFailure)
    assert too_long.reason == "too-many-lines"
    parts = (HEAD + 'Content-Type: multipart/mixed; boundary="x"\r\n\r\n').encode()
    parts += b"--x\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 30 + b"--x--\r\n"
    too_many = parse(parts, Limits(max_mime_parts=20))
    assert isinstance(too_many, ParseFailure)
    assert (too_many.reason, too_many.found) == ("mime-too-many-parts", 31)


# --- work, counted ----------------------------------------------------------------------------------

# Inputs that made one of the scan's searches run to the end of the text again and again (or that
# did so in html.parser): a "<" without ">", "</" without a name, unclosed quotes and comments.
HOSTILE: dict[str, Callable[[int], str]] = {
    "nested divs": lambda n: "<div>" * n + "</div>" * n,
    "tiny tags": lambda n: "<b>x</b>" * n,
    "'<a ' with no '>'": lambda n: "<a " * n,
    "'<a' then one '>' at the end": lambda n: "<a" * n + ">",
    "'</' over and over": lambda n: "</" * n,
    "'< ' over and over": lambda n: "< " * n,
    "unclosed quotes": lambda n: '<a href="x>' * n,
    "quoted values with '>'": lambda n: "<a title='>'>" * n,
    "many attributes": lambda n: "<div " + " ".join(f"a{i}" for i in range(n)) + ">",
    "quotes in attribute names": lambda n: "<div " + '"a ' * n + ">",
    "comment openers": lambda n: "<!--" * n,
    "comments": lambda n: "<!--x-->" * n,
    "bogus comments": lambda n: "<!x" * n,
    "unclosed script": lambda n: "<script>" + "</scrip" * n,
    "declarations without end": lambda n: "<?" * n,
}


def work_of(source: str) -> int:
    work = markup.Work()
    html_to_text(source, work=work)
    markup.check(source, markup.Limits(max_depth=10**9, max_elements=10**9, max_attributes=10**9), work)
    return work.scanned + work.tokens


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_scan_is_linear_in_the_input(name: str) -> None:
    small, large = HOSTILE[name](5_000), HOSTILE[name](20_000)
    small_work, large_work = work_of(small), work_of(large)
    assert large_work <= 6 * len(large), (name, large_work, len(large))
    # Four times the input, about four times the work (quadratic would be sixteen).
    assert large_work <= 4.5 * max(small_work, 1), (name, small_work, large_work)


def test_the_limit_scan_stops_at_the_limit() -> None:
    work = markup.Work()
    limits = markup.Limits(max_depth=DEPTH, max_elements=10**9, max_attributes=10**9)
    problem = markup.check("<div>" * 200_000, limits, work)
    assert problem == markup.Problem("depth", DEPTH, DEPTH + 1)
    assert work.tokens <= DEPTH + 2  # what follows the limit is never looked at


def test_html_to_text_keeps_what_matters() -> None:
    source = (
        "<!doctype html><html><head><title>T</title><style>p{}</style></head><body>"
        '<p title="a>b">Een &amp; twee</p><!-->zichtbaar<!-- weg -->'
        "<SCRIPT>alert('</p>')</SCRIPT >"
        '<a href="https://x.example/?a=1&amp;b=2">link</a> <img alt="logo &gt;"/>'
        "<pre>  twee\n  regels</pre><ul><li>een<li>twee</ul></body></html>"
    )
    text = html_to_text(source)
    assert "Een & twee" in text
    assert "zichtbaar" in text
    for hidden in ("weg", "alert", "p{}", "T\n"):
        assert hidden not in text
    assert "link <https://x.example/?a=1&b=2>" in text
    assert "[logo >]" in text
    assert "  twee\n  regels" in text
    assert "- een\n- twee" in text
    assert html_to_text("1 < 2 <3") == "1 < 2 <3"  # a "<" that starts no tag is text
    assert html_to_text("x" * 50, limit=10) == "x" * 10
