"""Retention: the job anonymises what passed its period, in batches that survive a crash, and one
bad call never stops it; the periods are set by privacy officers and administrators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.accounts.models import OperatorGroup, User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.mailintake.models import InboundMessage, Outcome
from beheer.security.models import AnonymisationRun, AnonymisedMelding, RetentionHistoryEntry, RetentionKind
from beheer.security.services import privacy
from beheer.servicedesk import services as desk
from beheer.servicedesk.models import EntryType, Melding, Note, Visibility
from beheer.servicedesk.services import privacy as desk_privacy

pytestmark = pytest.mark.django_db


def _closed(operator: User, group: OperatorGroup, n: int, *, months_ago: int) -> Melding:
    melding = desk.open_melding(
        actor=operator,
        brief_description=f"Beamer lokaal {n} geeft geen beeld",
        request=f"Melder Kees Jansen{n} (06-1234567{n}) meldt dat de beamer niet werkt.",
        entry_type=EntryType.PHONE,
        caller_name=f"Kees Jansen{n}",
        caller_email=f"kees{n}@school.example",
        caller_phone=f"06-1234567{n}",
        operator_group=group,
    )
    desk.add_note(
        melding, text=f"Kees Jansen{n} teruggebeld.", visibility=Visibility.INTERNAL, actor=operator
    )
    closed = timezone.now() - timedelta(days=31 * months_ago)
    Melding.objects.filter(pk=melding.pk).update(is_open=False, closed_at=closed, resolved_at=closed)
    return melding


def _clean(melding: Melding) -> bool:
    melding.refresh_from_db()
    note = Note.objects.filter(melding=melding).get()
    return melding.caller_name == "" and "Jansen" not in melding.request and "Jansen" not in note.text


def test_only_what_passed_its_period_is_anonymised(operator: User, first_line: OperatorGroup) -> None:
    old = _closed(operator, first_line, 1, months_ago=30)
    recent = _closed(operator, first_line, 2, months_ago=6)
    still_open = desk.open_melding(
        actor=operator, brief_description="Open", entry_type=EntryType.PHONE, caller_name="Kees Open"
    )
    Melding.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=1000))
    run = privacy.run_retention()
    assert run.meldingen == 1
    assert run.complete
    assert _clean(old)
    assert not _clean(recent)
    still_open.refresh_from_db()
    assert still_open.caller_name == "Kees Open"
    assert old.request.count(desk_privacy.placeholder()) == 2  # the name and the phone number


def test_security_incidents_are_kept_at_least_three_years(operator: User, first_line: OperatorGroup) -> None:
    kept = _closed(operator, first_line, 1, months_ago=30)
    gone = _closed(operator, first_line, 2, months_ago=40)
    Melding.objects.filter(pk__in=[kept.pk, gone.pk]).update(restricted=True)
    privacy.run_retention()
    assert not _clean(kept)
    assert _clean(gone)


class Killed(BaseException):
    """The worker stopped mid-run (SIGKILL, a deploy): nothing catches it."""


def test_a_run_killed_half_way_leaves_each_call_whole_and_the_next_run_finishes(
    operator: User, first_line: OperatorGroup, monkeypatch: Any
) -> None:
    meldingen = [_closed(operator, first_line, n, months_ago=30) for n in range(5)]
    real = desk_privacy.anonymise_meldingen
    calls = {"n": 0}

    def dies_in_the_second_batch(ids: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = real(ids, **kwargs)
        if calls["n"] == 2:
            raise Killed  # after the writes of the batch, before its commit
        return result

    monkeypatch.setattr(desk_privacy, "anonymise_meldingen", dies_in_the_second_batch)
    with pytest.raises(Killed):
        privacy.run_retention(batch=2)
    done = set(AnonymisedMelding.objects.values_list("melding_id", flat=True))
    assert done == {meldingen[0].pk, meldingen[1].pk}
    for melding in meldingen:
        assert _clean(melding) == (melding.pk in done)  # whole or untouched, never half
    stopped = AnonymisationRun.objects.get()
    assert stopped.finished_at is None

    monkeypatch.setattr(desk_privacy, "anonymise_meldingen", real)
    second = privacy.run_retention(batch=2)
    assert second.meldingen == 3
    assert all(_clean(m) for m in meldingen)
    assert privacy.run_retention(batch=2).meldingen == 0  # nothing done twice


def test_one_bad_call_does_not_stop_the_job(
    operator: User, first_line: OperatorGroup, monkeypatch: Any
) -> None:
    meldingen = [_closed(operator, first_line, n, months_ago=30) for n in range(4)]
    bad = meldingen[1].pk
    real = desk_privacy.anonymise_meldingen

    def breaks_on_one(ids: Any, **kwargs: Any) -> Any:
        if bad in ids:
            raise ValueError("broken row")
        return real(ids, **kwargs)

    monkeypatch.setattr(desk_privacy, "anonymise_meldingen", breaks_on_one)
    run = privacy.run_retention(batch=10)
    assert run.meldingen == 3
    assert run.failures == 1
    assert meldingen[1].number in run.failure_detail
    assert [_clean(m) for m in meldingen] == [True, False, True, True]
    assert not AnonymisedMelding.objects.filter(melding_id=bad).exists()


def test_mail_intake_records_lose_their_sender_after_the_period(operator: User, melding: Melding) -> None:
    old = InboundMessage.objects.create(
        message_key="<oud@school.example>",
        received_at=timezone.now() - timedelta(days=200),
        sender="ouder@thuis.example",
        subject="Vraag over wifi",
        outcome=Outcome.IGNORED,
    )
    new = InboundMessage.objects.create(
        message_key="<nieuw@school.example>",
        received_at=timezone.now(),
        sender="leerling@school.example",
        subject="Printer",
        outcome=Outcome.IGNORED,
    )
    run = privacy.run_retention()
    assert run.messages == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.sender, old.subject, old.message_key) == ("", "", "<oud@school.example>")
    assert new.sender == "leerling@school.example"


def test_retention_is_set_by_privacy_managers_with_history(
    operator: User, coordinator: User, administrator: User
) -> None:
    with pytest.raises(PermissionDenied):
        privacy.set_retention(RetentionKind.CLOSED_MELDINGEN, actor=operator, expected_version=0, months=12)
    with pytest.raises(PermissionDenied):
        privacy.set_retention(
            RetentionKind.CLOSED_MELDINGEN, actor=coordinator, expected_version=0, months=12
        )
    with pytest.raises(DomainError) as bad:
        privacy.set_retention(
            RetentionKind.CLOSED_MELDINGEN, actor=administrator, expected_version=0, months=0
        )
    assert "months" in bad.value.field_errors
    assert privacy.retention_periods()[RetentionKind.CLOSED_MELDINGEN] == 24
    setting = privacy.set_retention(
        RetentionKind.CLOSED_MELDINGEN, actor=administrator, expected_version=0, months=36
    )
    forever = privacy.set_retention(
        RetentionKind.CLOSED_MELDINGEN, actor=administrator, expected_version=setting.version, months=None
    )
    assert forever.months is None
    assert privacy.retention_periods()[RetentionKind.CLOSED_MELDINGEN] is None
    rows = list(RetentionHistoryEntry.objects.order_by("id").values_list("old_value", "new_value"))
    assert rows == [("24", "36"), ("36", "")]


def test_kept_forever_means_never_anonymised(
    administrator: User, operator: User, first_line: OperatorGroup
) -> None:
    old = _closed(operator, first_line, 1, months_ago=120)
    privacy.set_retention(
        RetentionKind.CLOSED_MELDINGEN, actor=administrator, expected_version=0, months=None
    )
    assert privacy.run_retention().meldingen == 0
    assert not _clean(old)


def test_months_before_keeps_to_the_calendar() -> None:
    moment = timezone.now().replace(year=2026, month=3, day=31)
    assert privacy.months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert privacy.months_before(moment, 24).date().isoformat() == "2024-03-31"


@settings(max_examples=50, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=8, max_size=8),
    separator=st.sampled_from(["", " ", "-", ".", "  "]),
)
def test_a_phone_number_is_found_however_it_is_written(digits: str, separator: str) -> None:
    number = "06" + digits
    clean = desk_privacy.redactor(desk_privacy.Traces.of(phones=[f"06-{digits}"]), "X")
    written = separator.join([number[:2], number[2:4], number[4:6], number[6:8], number[8:]])
    assert clean(f"Bel {written} terug") == "Bel X terug"
    assert clean(f"Bel +31 {written[1:]} terug") in ("Bel X terug", "Bel +X terug")
    assert "06" + digits not in clean(f"nummer 06{digits}.")


def test_names_are_found_however_they_are_joined_but_never_inside_a_word() -> None:
    traces = desk_privacy.Traces.of(names=["Fenna van Rooijen"], emails=["fenna@leerling.example"])
    clean = desk_privacy.redactor(traces, "X")
    assert clean("Beste FENNA  van rooijen, zie fenna-van-rooijen.pdf") == "Beste X, zie X.pdf"
    assert clean("Mail: Fenna@Leerling.example.") == "Mail: X."
    assert clean("De Fenna van Rooijenstraat") == "De Fenna van Rooijenstraat"
    assert clean("") == ""
