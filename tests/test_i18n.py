"""Dutch is complete: every message has a translation, none is fuzzy, and the compiled file matches."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import beheer

LOCALE = Path(beheer.__file__).parent / "locale"


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry, plural forms folded into one string each."""
    return [(msgid, msgstr, fuzzy) for _context, msgid, msgstr, fuzzy in _entries_with_context(po)]


def _entries_with_context(po: Path) -> list[tuple[str | None, str, str, bool]]:
    """(msgctxt, msgid, msgstr, fuzzy) for every entry."""
    entries: list[tuple[str | None, str, str, bool]] = []
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines or all(ln.startswith("#~") for ln in lines):
            continue
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        current: str | None = None
        parts: dict[str, str] = {}
        for ln in lines:
            if ln.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', ln)
            if m:
                current = m.group(1)
                parts[current] = m.group(2)
            elif ln.startswith('"') and current:
                parts[current] += ln[1:-1]
        if "msgid" not in parts:
            continue
        msgstr = parts.get("msgstr[0]", parts.get("msgstr", ""))
        if any(k.startswith("msgstr") and not v for k, v in parts.items()):
            msgstr = ""
        entries.append((parts.get("msgctxt"), parts["msgid"], msgstr, fuzzy))
    return entries


def test_every_dutch_message_is_translated_and_none_is_fuzzy():
    po = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
    entries = [e for e in _entries(po) if e[0]]
    assert len(entries) > 100
    missing = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert missing == []
    assert fuzzy == []


def test_the_compiled_dutch_catalogue_matches_the_source():
    po = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
    mo = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for context, msgid, msgstr, _ in _entries_with_context(po):
        if msgid and "\\" not in msgid and "\\" not in msgstr and msgid.count("%") == 0:
            found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            assert found == msgstr, msgid
