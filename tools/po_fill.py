"""Fill Dutch translations into the catalogue (development aid).

Usage: python tools/po_fill.py "English msgid" "Dutch msgstr" [...]

Empty and fuzzy entries with a given msgid get the given translation; the fuzzy flag and the
previous-msgid comments go. Run `make messages` (or msgfmt) afterwards to compile.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "beheer" / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MSGID = re.compile(r'^msgid ((?:".*"\n?)+)', re.M)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _unquote(lines: str) -> str:
    return (
        "".join(re.findall(r'"(.*)"', lines)).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
    )


def main(pairs: list[str]) -> None:
    text = PO.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    wanted = dict(zip(pairs[::2], pairs[1::2], strict=True))
    for i, block in enumerate(blocks):
        m = MSGID.search(block)
        if not m or "msgid_plural" in block:
            continue
        msgid = _unquote(m.group(1))
        if msgid not in wanted:
            continue
        head = [ln for ln in block[: m.start()].splitlines() if not ln.startswith("#|")]
        head = [ln.replace(", fuzzy", "") for ln in head if ln.strip() != "#, fuzzy"]
        blocks[i] = "\n".join(
            [*head, "msgid " + m.group(1).rstrip("\n"), f'msgstr "{_quote(wanted.pop(msgid))}"']
        )
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    if wanted:
        sys.exit(f"not found: {list(wanted)}")


if __name__ == "__main__":
    main(sys.argv[1:])
