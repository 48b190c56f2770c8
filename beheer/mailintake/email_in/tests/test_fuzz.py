"""Random and mutated messages: parse_message never raises and always ends in one known outcome."""

from __future__ import annotations

import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beheer.mailintake.email_in.parse import (
    IGNORE,
    LIMIT_FAILURES,
    NEW_OR_REPLY,
    ParsedMessage,
    ParseFailure,
    parse_message,
)

CORPUS = Path(__file__).resolve().parents[4] / "tests" / "mail_corpus"
SEEDS = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
LIMIT = 16 * 1024
PER_MESSAGE_SECONDS = 5.0
IGNORE_REASONS = {"auto-submitted", "precedence-bulk", "bounce", "own-message", "loop"}
FAILURE_REASONS = {"empty", "no-headers", "no-sender", "unreadable", *LIMIT_FAILURES}

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(raw: bytes) -> ParsedMessage | ParseFailure:
    """Parse and assert the outcome is one of the four the worker knows, within the time guard."""
    started = time.monotonic()
    result = parse_message(
        raw,
        max_attachment_bytes=LIMIT,
        own_addresses={"servicedesk@beheer.example"},
        own_message_id_domain="beheer.example",
    )
    elapsed = time.monotonic() - started
    assert elapsed < PER_MESSAGE_SECONDS, f"parsing took {elapsed:.1f}s"
    if isinstance(result, ParseFailure):
        # "unreadable" means an unexpected exception inside the parser: a bug to fix, not an outcome.
        assert result.reason in FAILURE_REASONS - {"unreadable"}, result.detail
        assert result.message_key
        return result
    assert isinstance(result, ParsedMessage)
    assert result.message_key
    assert "@" in result.sender
    if result.disposition == NEW_OR_REPLY:
        assert result.ignore_reason is None
    else:
        assert result.disposition == IGNORE
        assert result.ignore_reason in IGNORE_REASONS
    assert isinstance(result.subject, str)
    assert "\n" not in result.subject
    for attachment in result.attachments:
        assert attachment.size == len(attachment.content) <= LIMIT
    if result.body_html_safe:
        assert "<script" not in result.body_html_safe.lower()
    return result


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


_header_names = st.sampled_from(
    [
        "From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "Content-Type",
        "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted", "Precedence", "X-Loop",
        "MIME-Version", "Content-ID", "Return-Path", "X-Autoreply",
    ]
)  # fmt: skip
_header_values = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "multipart/mixed; boundary=b", "multipart/alternative; boundary=b", "text/html; charset=x-bogus",
            "text/plain; charset=utf-7", "multipart/report; report-type=delivery-status; boundary=b",
            "message/rfc822", "base64", "quoted-printable", "=?utf-8?b?////?=", "=?bogus?q?=ZZ?=",
            "<a@b>", "a@b", "<>", "attachment; filename*=utf-8''%ff%fe", "Anna <anna@school.example>",
            "auto-replied", "bulk", "\udcff", "image/png", "Tue, 99 Foo 2026 99:99:99 +9999",
        ]
    ),
)  # fmt: skip
_body_lines = st.lists(
    st.one_of(
        st.text(max_size=80), st.sampled_from(["--b", "--b--", "", "> quoted", "-- ", "=3D=\n", "PGh0bWw+"])
    ),
    max_size=30,
)


@FUZZ
@given(st.lists(st.tuples(_header_names, _header_values), max_size=20), _body_lines)
def test_structured_messages(headers: list[tuple[str, str]], body: list[str]) -> None:
    lines = [f"{name}: {value}" for name, value in headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(body)).encode("utf-8", errors="surrogateescape")
    check(raw)


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    kind = rng.randrange(6)
    if kind == 0 and data:  # flip bytes
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1 and data:  # truncate
        del data[rng.randrange(len(data)) :]
    elif kind == 2:  # duplicate header lines
        head, sep, rest = bytes(data).partition(b"\n\n")
        lines = head.split(b"\n")
        for _ in range(rng.randint(1, 5)):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
        data = bytearray(b"\n".join(lines) + sep + rest)
    elif kind == 3 and data:  # delete a slice
        start = rng.randrange(len(data))
        del data[start : start + rng.randint(1, 200)]
    elif kind == 4:  # insert random bytes
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:  # swap CRLF / LF and break boundaries
        data = bytearray(bytes(data).replace(b"\n", b"\r\n").replace(b"--", b"-", rng.randint(0, 3)))
    return bytes(data)


@FUZZ
@given(st.sampled_from(SEEDS), st.randoms(use_true_random=False), st.integers(1, 4))
def test_mutated_corpus_messages(seed: bytes, rng: random.Random, rounds: int) -> None:
    raw = seed
    for _ in range(rounds):
        raw = _mutate(rng, raw)
    check(raw)


def test_seeded_mutation_sweep_over_the_whole_corpus() -> None:
    """Ten mutations of every corpus message with a fixed seed, under a wall-clock guard."""
    rng = random.Random(20260303)
    started = time.monotonic()
    outcomes: set[str] = set()
    for seed in SEEDS:
        for _ in range(10):
            result = check(_mutate(rng, seed))
            outcomes.add(result.reason if isinstance(result, ParseFailure) else result.disposition)
    assert time.monotonic() - started < 120
    assert NEW_OR_REPLY in outcomes
    assert outcomes & FAILURE_REASONS


def test_pathological_structures() -> None:
    deep = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=b0\n\n"
    for i in range(1, 200):
        deep += f"--b{i - 1}\nContent-Type: multipart/mixed; boundary=b{i}\n\n".encode()
    many = b"From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n\n" + (
        b"--x\nContent-Type: application/octet-stream\n\nAAAA\n" * 1000
    )
    long_line = b"From: a@b.example\nSubject: " + b"=?utf-8?b?" + b"QUJD" * 50_000 + b"?=\n\nbody\n"
    for raw in (deep, many, long_line, b"\x00" * 10_000, b"From: \xff\xfe@\xff\n\n\xff", bytearray(b"x")):
        check(bytes(raw))
    deep_result = check(deep)  # 200 nested multiparts: past the limit, refused before parsing
    assert isinstance(deep_result, ParseFailure)
    assert (deep_result.reason, deep_result.limit, deep_result.found) == ("mime-too-nested", 50, 200)
    many_result = check(many)
    assert isinstance(many_result, ParsedMessage)
    assert len(many_result.attachments) == 200
    assert {s.reason for s in many_result.skipped_attachments} == {"too-many-parts"}
