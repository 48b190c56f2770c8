"""Unit tests of the parser's pieces: numbers, headers, charsets, reply stripping, HTML, sniffing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from beheer.mailintake.email_in.parse import (
    ParsedMessage,
    ParseFailure,
    hash_key,
    melding_number_in,
    normalise_message_id,
    parse_message,
    sanitise_html,
)
from beheer.mailintake.email_in.sniff import is_mismatch, sniff
from beheer.mailintake.email_in.text import (
    codec_for,
    decode_bytes,
    decode_header_value,
    html_to_text,
    strip_quoted_reply,
    unflow,
)


def parse(raw: bytes | bytearray, **kwargs: object) -> ParsedMessage | ParseFailure:
    options: dict[str, object] = {
        "max_attachment_bytes": 1024,
        "own_addresses": {"servicedesk@beheer.example"},
        "own_message_id_domain": "beheer.example",
    }
    options.update(kwargs)
    return parse_message(raw, **options)  # type: ignore[arg-type]


def parsed(raw: bytes | bytearray, **kwargs: object) -> ParsedMessage:
    result = parse(raw, **kwargs)
    assert isinstance(result, ParsedMessage), result
    return result


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [M0001234] Printer", 1234),
        ("RE: [m1234] printer", 1234),
        ("Antw: [ M0000007 ]", 7),
        ("Melding M0001234 geregistreerd", 1234),
        ("#M0012345: status", 12345),
        ("Printer HP M1234", None),  # bare and short: a model number, not a melding
        ("melding 1234", None),
        ("XM0001234", None),
        ("M0001234X", None),
        ("[M0000000] nul", None),
        ("", None),
    ],
)
def test_melding_number_in_subject(subject: str, number: int | None) -> None:
    assert melding_number_in(subject) == number


def test_message_id_normalisation() -> None:
    assert normalise_message_id(" <abc@example.org> ") == "abc@example.org"
    assert normalise_message_id("abc@example.org") == "abc@example.org"
    assert normalise_message_id("<abc@example.org> (comment)") == "abc@example.org"
    assert normalise_message_id("no id here") is None
    assert normalise_message_id("") is None


def test_long_message_id_is_hashed_for_the_key() -> None:
    long_id = "x" * 300 + "@example.org"
    result = parsed(f"From: a@b.example\nMessage-ID: <{long_id}>\n\nbody\n".encode())
    assert result.message_id == long_id
    assert result.message_key == hash_key(long_id.encode())
    assert len(result.message_key) < 80


def test_message_without_id_is_keyed_by_its_bytes() -> None:
    raw = b"From: a@b.example\nSubject: x\n\nbody\n"
    assert parsed(raw).message_key == hash_key(raw)
    assert parsed(raw + b"more").message_key != hash_key(raw)


def test_header_decoding_tolerates_unknown_charsets_and_bad_encodings() -> None:
    assert decode_header_value("=?x-bogus?q?caf=E9?=") == "café"  # unknown: cp1252 fallback
    assert decode_header_value("=?utf-8?b?Y2Fmw6k?=") == "café"  # missing padding
    assert decode_header_value("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab"
    assert decode_header_value("=?utf-8?q?a?= plain") == "a plain"
    assert decode_header_value("Line\r\n folded") == "Line folded"
    assert decode_header_value("caf\udcc3\udca9") == "café"  # raw UTF-8 bytes kept by the email package
    assert decode_header_value(None) == ""
    assert "\x00" not in decode_header_value("=?utf-8?q?a=00b?=")


def test_charset_helpers() -> None:
    assert codec_for("ISO-8859-1") == "cp1252"
    assert codec_for("gb2312") == "gb18030"
    assert codec_for("unknown-8bit") is None
    assert codec_for('"UTF-8"') == "utf-8"
    assert decode_bytes(b"\x80", "iso-8859-1") == "€"
    assert decode_bytes("é".encode(), "x-nonsense") == "é"
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8") == "ÿþú"


def test_date_is_aware_or_none() -> None:
    result = parsed(b"From: a@b.example\nDate: Tue, 3 Mar 2026 10:12:00 -0000\n\nx\n")
    assert result.date == datetime(2026, 3, 3, 10, 12, tzinfo=UTC)
    assert parsed(b"From: a@b.example\nDate: gisteren\n\nx\n").date is None
    assert parsed(b"From: a@b.example\n\nx\n").date is None


def test_sender_is_lower_cased_and_falls_back_to_the_sender_header() -> None:
    result = parsed(b'From: "Jan" <Jan.Smit@School.EXAMPLE>\n\nx\n')
    assert (result.sender, result.sender_name) == ("jan.smit@school.example", "Jan")
    result = parsed(b"From: Undisclosed\nSender: relay@school.example\n\nx\n")
    assert result.sender == "relay@school.example"


def test_failures() -> None:
    assert isinstance(parse(b""), ParseFailure)
    failure = parse(b"Subject: x\n\nno from\n")
    assert isinstance(failure, ParseFailure)
    assert failure.reason == "no-sender"
    wrong_type = parse("From: a@b.example\n\nstr, not bytes\n")  # type: ignore[arg-type]
    assert isinstance(wrong_type, ParseFailure)
    assert wrong_type.reason == "unreadable"
    assert parsed(bytearray(b"From: a@b.example\n\nx\n")).sender == "a@b.example"


def test_own_addresses_and_domain_are_case_insensitive() -> None:
    result = parsed(b"From: a@b.example\n\nx\n", own_addresses={"A@B.Example"})
    assert result.ignore_reason == "own-message"
    result = parsed(b"From: x@y.example\nMessage-ID: <1@Beheer.Example>\n\nx\n")
    assert result.ignore_reason == "own-message"
    result = parsed(b"From: x@y.example\nMessage-ID: <1@other.example>\n\nx\n", own_message_id_domain=None)
    assert result.disposition == "new_or_reply"


def test_auto_submitted_no_is_a_person() -> None:
    assert parsed(b"From: a@b.example\nAuto-Submitted: no\n\nx\n").disposition == "new_or_reply"
    result = parsed(b"From: a@b.example\nAuto-Submitted: auto-generated\n\nx\n")
    assert result.ignore_reason == "auto-submitted"


def test_thread_ids_nearest_first() -> None:
    result = parsed(b"From: a@b.example\nIn-Reply-To: <c@x>\nReferences: <a@x>\n <b@x> <c@x>\n\nx\n")
    assert result.references == ("a@x", "b@x", "c@x")
    assert result.thread_ids == ("c@x", "b@x", "a@x")


def test_oversize_attachment_is_skipped_not_loaded() -> None:
    payload = "QUFB" * 1000  # 3000 bytes decoded, limit 1024
    raw = (
        "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        "hello\n--b\nContent-Type: application/octet-stream; name=big.bin\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{payload}\n--b--\n"
    ).encode()
    result = parsed(raw)
    assert result.attachments == ()
    (skipped,) = result.skipped_attachments
    assert (skipped.filename, skipped.reason) == ("big.bin", "too-large")
    assert skipped.size >= 2900
    assert parsed(raw, max_attachment_bytes=10_000).attachments[0].size == 3000


def test_attachment_filenames_lose_their_paths() -> None:
    raw = (
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b'Content-Type: text/plain; name="..\\\\..\\\\windows\\\\evil.txt"\n'
        b'Content-Disposition: attachment; filename="../../etc/passwd"\n\nx\n--b--\n'
    )
    (attachment,) = parsed(raw).attachments
    assert attachment.filename == "passwd"


STRIP_CASES = [
    ("Thanks!\n\nOn Mon, 2 Mar 2026 at 09:00, Desk <d@x> wrote:\n> old", "Thanks!"),
    ("Dank!\n\nOp ma 2 mrt 2026 om 09:00 schreef Desk <d@x>:\n> oud", "Dank!"),
    ("Dank!\n\nOp 2 mrt. 2026, om 09:00 heeft Desk <d@x> het volgende geschreven:\n\n> oud", "Dank!"),
    ("Ok\n-----Original Message-----\nFrom: x\nold", "Ok"),
    ("Ok\n\n-----Oorspronkelijk bericht-----\nVan: x\nold", "Ok"),
    ("Ok\n\nVan: Desk <d@x>\nVerzonden: maandag\nAan: Jan\nOnderwerp: x\n\nold", "Ok"),
    ("Ok\n\nFrom: Desk <d@x>\nSent: Monday\nTo: Jan\nSubject: x\n\nold", "Ok"),
    ("Ok\n\n-- \nJan\nICT", "Ok"),
    ("> question 1\nanswer 1\n> question 2\nanswer 2", "answer 1\nanswer 2"),
    ("Ok\n\nSent from my iPhone", "Ok"),
    ("> only quoted text", "> only quoted text"),  # nothing new: keep everything
    # "Van:" alone, without the Outlook block around it, is just a sentence.
    ("Van: de leverancier kwam dit.\nGraag actie.", "Van: de leverancier kwam dit.\nGraag actie."),
]


@pytest.mark.parametrize(("text", "expected"), STRIP_CASES)
def test_strip_quoted_reply(text: str, expected: str) -> None:
    assert strip_quoted_reply(text) == expected


def test_html_to_text() -> None:
    markup = (
        "<html><head><title>T</title><style>p{}</style></head><body><h1>Kop</h1><p>Een <b>vet</b> woord."
        "<br>Nieuwe regel</p><ul><li>een</li><li>twee</li></ul><script>alert(1)</script>"
        '<a href="https://x.example/a">link</a> &amp; &euro;</body></html>'
    )
    text = html_to_text(markup)
    assert "Kop\n\nEen vet woord.\nNieuwe regel" in text
    assert "- een\n- twee" in text
    assert "link <https://x.example/a> & €" in text
    assert "alert" not in text
    assert "p{}" not in text


def test_sanitise_html_keeps_safe_markup_and_cid_images() -> None:
    clean = sanitise_html(
        '<p style="color:red" onclick="x()">Hi <a href="javascript:x()">j</a> <a href="https://a.example">a</a>'
        '<img src="cid:logo@x"><img src="data:image/png;base64,AAAA"></p>'
    )
    assert "onclick" not in clean
    assert "style" not in clean
    assert "javascript" not in clean
    assert "data:" not in clean
    assert 'src="cid:logo@x"' in clean
    assert 'href="https://a.example"' in clean


def test_unflow() -> None:
    assert unflow("one \ntwo\n-- \nsig") == "one two\n-- \nsig"
    assert unflow("one \ntwo", delsp=True) == "onetwo"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"MZ\x90\x00", "application/x-msdownload"),
        (b"PK\x03\x04broken zip", "application/zip"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image/svg+xml"),
        (b"gewoon tekst", "text/plain"),
        (b"\x00\x01\x02\x03", "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_type_mismatch() -> None:
    exe = "application/x-msdownload"
    assert is_mismatch(filename="factuur.pdf", declared_type="application/pdf", sniffed_type=exe)
    assert not is_mismatch(filename="setup.exe", declared_type="application/octet-stream", sniffed_type=exe)
    assert is_mismatch(filename="foto.jpg", declared_type="image/jpeg", sniffed_type="image/png")
    assert not is_mismatch(filename="foto.jpg", declared_type="image/pjpeg", sniffed_type="image/jpeg")
    assert not is_mismatch(filename="notes.txt", declared_type="text/plain", sniffed_type="text/plain")
    assert not is_mismatch(filename="", declared_type="application/octet-stream", sniffed_type="image/png")
