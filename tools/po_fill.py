"""Fill Dutch translations into the catalogue (development aid).

Usage: python tools/po_fill.py "English msgid" "Dutch msgstr" [...]
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "beheer" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main(pairs: list[str]) -> None:
    text = PO.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    wanted = dict(zip(pairs[::2], pairs[1::2], strict=True))
    for i, block in enumerate(blocks):
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ""$', block, re.M)
        if not m:
            continue
        msgid = "".join(re.findall(r'"(.*)"', m.group(1))).replace('\\"', '"').replace("\\n", "\n")
        if msgid in wanted:
            blocks[i] = block[: m.end() - 2] + '"' + _quote(wanted.pop(msgid)) + '"'
            blocks[i] = re.sub(r"^#, fuzzy\n", "", blocks[i], flags=re.M)
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    if wanted:
        sys.exit(f"not found: {list(wanted)}")


if __name__ == "__main__":
    main(sys.argv[1:])
