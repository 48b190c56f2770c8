"""The two languages' house rules, read from the shipped text.

Dutch addresses the reader with "je/jij/jouw", never "u/uw": the Dutch catalogue, the Dutch texts in
the code (notification defaults, demo articles and meldingen, data migrations) and the templates.
English says "call" for a melding: no "melding", "ticket" in English source strings or templates.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

import beheer
from tests.test_i18n import _entries_with_context

ROOT = Path(beheer.__file__).parent
NL_PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"

# "u"/"uw" as a pronoun; "2 u 05 min" (uur) and "%(hours)d u" are the Dutch hour unit, not a pronoun.
FORMAL = re.compile(r"(?<![\w/.:%=-])(?<!\d )(?<!\)d )(?<!\bd )\b(u|uw)\b(?![\w/.:=-])", re.IGNORECASE)
MELDING_IN_ENGLISH = re.compile(r"\b(melding|meldingen|ticket|tickets)\b", re.IGNORECASE)
# Files whose "u"/"uw" are no address to a reader: the search's Dutch stop words, and the migration
# that recognises the old built-in notification texts to replace them.
NOT_ADDRESSED = {"core/search.py", "notifications/migrations/0008_dutch_texts_say_je.py"}
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.DOTALL)


def _formal(text: str) -> list[str]:
    text = re.sub(r"https?://\S+|[\w.+-]+@[\w.-]+", " ", text)  # addresses are codes
    return [m.group(0) for m in FORMAL.finditer(text)]


def _source_files(*suffixes: str) -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*")
        if p.suffix in suffixes
        and "tests" not in p.parts
        and "vendor" not in p.parts
        and "locale" not in p.parts
    ]


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a Python file, with its line."""
    found: list[tuple[int, str]] = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        if tok.type == tokenize.STRING:
            found.append((tok.start[0], tok.string))
    return found


def _docstring_lines(path: Path) -> set[int]:
    """Lines that hold a docstring or a comment-like triple-quoted string: English prose by the house
    rules, never shown to a reader."""
    import ast

    lines: set[int] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(value.lineno, (value.end_lineno or value.lineno) + 1))
    return lines


def test_the_dutch_catalogue_says_je_never_u():
    offending = [
        (msgid, msgstr) for _ctx, msgid, msgstr, _fuzzy in _entries_with_context(NL_PO) if _formal(msgstr)
    ]
    assert offending == [], "\n".join(map(str, offending))


def test_the_scan_finds_u_and_uw_but_not_the_hour_unit():
    assert _formal("Wilt u reageren op uw melding?") == ["u", "uw"]
    assert _formal("Uw melding") == ["Uw"]
    assert _formal("2 u 05 min") == []
    assert _formal("%(hours)d u %(minutes)02d min") == []
    assert _formal("zie https://example.org/u/uw en mail u@example.org") == []


def test_shipped_dutch_text_in_the_code_says_je_never_u():
    """Notification defaults, demo data and migrations that seed rows: Dutch texts in string literals."""
    offending = []
    for path in _source_files(".py"):
        if str(path.relative_to(ROOT)) in NOT_ADDRESSED:
            continue
        skip = _docstring_lines(path)
        for line, literal in _string_literals(path):
            if line not in skip and _formal(literal):
                offending.append(f"{path.relative_to(ROOT)}:{line}: {literal[:80]}")
    assert offending == [], "\n".join(map(str, offending))


def test_templates_say_je_never_u():
    offending = []
    for path in _source_files(".html", ".txt", ".md"):
        text = TEMPLATE_TAG.sub(" ", path.read_text(encoding="utf-8"))
        if _formal(text):
            offending.append(f"{path.relative_to(ROOT)}: {_formal(text)}")
    assert offending == [], "\n".join(map(str, offending))


def test_english_source_strings_say_call_not_melding():
    """Source strings are English: every msgid, and the English catalogue's translations."""
    offending = [
        msgid
        for _ctx, msgid, _msgstr, _fuzzy in _entries_with_context(NL_PO)
        if MELDING_IN_ENGLISH.search(msgid)
    ]
    en_po = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    offending += [
        msgstr
        for _ctx, _msgid, msgstr, _fuzzy in _entries_with_context(en_po)
        if MELDING_IN_ENGLISH.search(msgstr)
    ]
    assert offending == [], "\n".join(map(str, offending))


def test_english_notification_texts_say_call_not_melding():
    from beheer.notifications.events import EVENTS

    offending = []
    for event in EVENTS.values():
        for text in (event.subject.get("en", ""), event.body.get("en", "")):
            words = MELDING_IN_ENGLISH.findall(TEMPLATE_TAG.sub(" ", text))
            if words:
                offending.append((event.code, words))
    assert offending == [], "\n".join(map(str, offending))


def test_english_template_text_says_call_not_melding():
    """Text outside template tags is shown as it is: it must not carry the Dutch word either."""
    offending = []
    for path in _source_files(".html", ".txt"):
        text = TEMPLATE_TAG.sub(" ", path.read_text(encoding="utf-8"))
        if MELDING_IN_ENGLISH.search(text):
            offending.append(f"{path.relative_to(ROOT)}: {MELDING_IN_ENGLISH.findall(text)}")
    assert offending == [], "\n".join(map(str, offending))


@pytest.mark.django_db
def test_the_seeded_sla_policy_speaks_dutch_like_its_name() -> None:
    """The default policy's description was English on Dutch pages; the migration changes only the
    untouched seeded text."""
    import importlib

    from django.apps import apps

    from beheer.servicedesk.models import SlaPolicy

    step = importlib.import_module("beheer.servicedesk.migrations.0022_default_policy_in_dutch")
    policy = SlaPolicy.objects.get(name="Standaard")
    assert policy.description == step.NEW
    SlaPolicy.objects.filter(pk=policy.pk).update(description=step.OLD)  # an installation from before
    other = SlaPolicy.objects.create(name="Contract", description=step.OLD, calendar=policy.calendar)
    step.forwards(apps, None)
    policy.refresh_from_db()
    other.refresh_from_db()
    assert policy.description == step.NEW
    assert other.description == step.OLD  # someone else's policy is left alone
