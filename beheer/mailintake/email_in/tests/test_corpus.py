"""Every message in tests/mail_corpus parses to the outcome listed in tests/mail_corpus/expected.json."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from beheer.mailintake.email_in.parse import ParsedMessage, ParseFailure, hash_key, parse_message

CORPUS = Path(__file__).resolve().parents[4] / "tests" / "mail_corpus"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
OWN = {"servicedesk@beheer.example"}
LIMIT = 64 * 1024


def parse(name: str) -> ParsedMessage | ParseFailure:
    return parse_message(
        (CORPUS / name).read_bytes(),
        max_attachment_bytes=LIMIT,
        own_addresses=OWN,
        own_message_id_domain="beheer.example",
    )


def test_manifest_lists_every_message_and_the_corpus_is_large_enough() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.eml"))
    assert files == sorted(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(name: str) -> None:
    exp = EXPECTED[name]
    result = parse(name)
    raw = (CORPUS / name).read_bytes()

    if exp["outcome"] == "failure":
        assert isinstance(result, ParseFailure), result
        assert result.reason == exp["reason"]
        assert result.detail
        if "message_key" in exp:
            assert result.message_key == exp["message_key"]
        if exp.get("message_key_is_hash"):
            assert result.message_key == hash_key(raw)
        return

    assert isinstance(result, ParsedMessage), result
    assert result.disposition == exp["outcome"]
    assert result.ignore_reason == exp["reason"]
    assert result.subject == exp["subject"]
    assert result.sender == exp["sender"]
    assert result.melding_number == exp["melding_number"]
    assert len(result.attachments) == exp["attachments"], result.attachments

    if "message_key" in exp:
        assert result.message_key == exp["message_key"]
    if exp.get("message_key_is_hash"):
        assert result.message_id is None
        assert result.message_key == hash_key(raw)
    if "sender_name" in exp:
        assert result.sender_name == exp["sender_name"]
    if "cc" in exp:
        assert list(result.cc) == exp["cc"]
    if "date" in exp:
        assert result.date == datetime.fromisoformat(exp["date"])
    if "in_reply_to" in exp:
        assert result.in_reply_to == exp["in_reply_to"]
    if "references" in exp:
        assert list(result.references) == exp["references"]
    if "references_count" in exp:
        assert len(result.references) == exp["references_count"]
    if "bounce_message_id" in exp:
        assert result.bounce_message_id == exp["bounce_message_id"]
    if exp.get("defects"):
        assert result.defects
    for text in exp.get("body_contains", []):
        assert text in result.body_text
    for text in exp.get("body_excludes", []):
        assert text not in result.body_text
    for text in exp.get("reply_text_contains", []):
        assert text in result.reply_text
    for text in exp.get("reply_text_excludes", []):
        assert text not in result.reply_text
    for text in exp.get("html_contains", []):
        assert result.body_html_safe is not None
        assert text in result.body_html_safe
    for text in exp.get("html_excludes", []):
        assert text.lower() not in (result.body_html_safe or "").lower()
    for got, want in zip(result.attachments, exp.get("attachment_details", []), strict=False):
        for key, value in want.items():
            actual = got.type_mismatch if key == "mismatch" else getattr(got, key)
            assert actual == value, (key, actual, value)
    skipped = exp.get("skipped", [])
    assert [(s.filename, s.reason) for s in result.skipped_attachments] == [
        (s["filename"], s["reason"]) for s in skipped
    ]
    for s in result.skipped_attachments:
        assert s.size > LIMIT


def test_duplicate_message_ids_give_one_key() -> None:
    a = parse("39_duplicate_message_id_a.eml")
    b = parse("40_duplicate_message_id_b.eml")
    assert isinstance(a, ParsedMessage)
    assert isinstance(b, ParsedMessage)
    assert a.message_key == b.message_key


def test_every_attachment_is_within_the_limit_and_holds_its_bytes() -> None:
    for name in EXPECTED:
        result = parse(name)
        if isinstance(result, ParsedMessage):
            for attachment in result.attachments:
                assert attachment.size == len(attachment.content) <= LIMIT
                assert "/" not in attachment.filename
                assert "\\" not in attachment.filename
