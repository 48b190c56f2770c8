"""The history kernel: values as text, what changed, one INSERT per action, secrets never stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from beheer.accounts.models import OperatorGroup, PersonAction, PersonHistoryEntry, Role
from beheer.core import history
from beheer.core.history import SECRET_CHANGED, Change, Secret
from beheer.problems.models import ProblemHistoryEntry, ProblemStatus
from tests.helpers import make_person

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


# --------------------------------------------------------------------------------------------------
# values as text


def test_values_are_rendered_as_language_neutral_text():
    assert history.render(None) == ""
    assert history.render(True) == "true"
    assert history.render(False) == "false"
    assert history.render(60) == "60"
    assert history.render(ProblemStatus.ANALYSING) == "analysing"  # a choice: its code
    # the same number written two ways is the same text, so it is no change
    assert history.render(Decimal("99.900")) == history.render(Decimal("99.9")) == "99.9"
    assert history.render(Decimal("100")) == "100"
    assert history.render(datetime(2026, 3, 2, 10, 30, tzinfo=UTC)) == "2026-03-02T10:30:00+00:00"
    assert history.render(["web01", "db01"]) == "web01, db01"
    assert history.render({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'


@pytest.mark.django_db
def test_a_reference_is_rendered_by_its_name():
    group = OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)
    assert history.render(group) == "Systeembeheer"


def test_a_secret_is_never_rendered_nor_shown_in_its_repr():
    with pytest.raises(TypeError):
        history.render(Secret("hunter2"))
    assert "hunter2" not in repr(Secret("hunter2"))
    assert "hunter2" not in repr(history.snapshot(object(), [], extra={"token": Secret("hunter2")}))


# --------------------------------------------------------------------------------------------------
# what changed


def test_changes_since_a_snapshot_name_only_the_fields_that_changed_with_old_and_new():
    thing = SimpleNamespace(name="Website", interval=60, active=True, password="old-secret")
    before = history.snapshot(thing, ["name", "interval", "active", "password"], secret=["password"])
    thing.interval = 30
    thing.active = False
    assert history.changes_since(before, thing) == [
        Change("interval", "60", "30"),
        Change("active", "true", "false"),
    ]


def test_nothing_changed_gives_no_changes():
    thing = SimpleNamespace(name="Website", interval=60, password="s3cret")
    before = history.snapshot(thing, ["name", "interval", "password"], secret=["password"])
    assert history.changes_since(before, thing) == []


def test_a_secret_change_is_named_but_neither_value_is_kept():
    thing = SimpleNamespace(name="Router", community="public-old")
    before = history.snapshot(thing, ["name", "community"], secret=["community"])
    thing.community = "private-new"
    (change,) = history.changes_since(before, thing)
    assert change == Change("community", "", SECRET_CHANGED)
    assert "public-old" not in repr(change)
    assert "private-new" not in repr(change)


def test_extra_values_may_appear_and_disappear():
    before = history.snapshot(
        SimpleNamespace(), [], extra={"options.keyword": "OK", "options.headers.X-Key": Secret("a")}
    )
    after_extra = {"options.method": "HEAD"}  # the keyword and the header were removed
    changes = history.changes_since(before, SimpleNamespace(), extra=after_extra)
    assert changes == [
        Change("options.keyword", "OK", ""),
        Change("options.headers.X-Key", "", SECRET_CHANGED),
        Change("options.method", "", "HEAD"),
    ]


# --------------------------------------------------------------------------------------------------
# writing


@pytest.mark.django_db
def test_record_writes_one_row_per_changed_field_in_one_insert():
    actor = make_person(Role.ADMIN, username="ada")
    person = make_person(Role.OPERATOR, username="olga")
    changes = [
        Change("email", "olga@old.test", "olga@new.test"),
        Change("phone", "0101", "0101"),  # unchanged: no row
        Change("job_title", "", "Operator"),
    ]
    with CaptureQueriesContext(connection) as queries:
        rows = history.record(
            PersonHistoryEntry, person, actor=actor, action=PersonAction.CHANGED, changes=changes, at=T0
        )
    assert len(queries) == 1
    assert queries[0]["sql"].upper().startswith("INSERT")
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("email", "olga@old.test", "olga@new.test"),
        ("job_title", "", "Operator"),
    ]
    stored = PersonHistoryEntry.objects.filter(person=person, action=PersonAction.CHANGED).order_by("id")
    assert [(e.field, e.username, e.actor_id, e.at) for e in stored] == [
        ("email", "olga", actor.pk, T0),
        ("job_title", "olga", actor.pk, T0),
    ]


@pytest.mark.django_db
def test_record_writes_nothing_when_nothing_changed():
    person = make_person(Role.OPERATOR, username="olga")
    before = PersonHistoryEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        rows = history.record(
            PersonHistoryEntry,
            person,
            actor=None,
            action=PersonAction.CHANGED,
            changes=[Change("email", "a@b.test", "a@b.test")],
        )
    assert rows == []
    assert len(queries) == 0
    assert PersonHistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_a_secret_change_is_recorded_without_the_secret():
    person = make_person(Role.OPERATOR, username="olga")
    thing = SimpleNamespace(api_key="first-key-123")
    before = history.snapshot(thing, ["api_key"], secret=["api_key"])
    thing.api_key = "second-key-456"
    history.record(
        PersonHistoryEntry,
        person,
        actor=None,
        action=PersonAction.CHANGED,
        changes=history.changes_since(before, thing),
    )
    row = PersonHistoryEntry.objects.get(person=person, action=PersonAction.CHANGED)
    assert row.field == "api_key"
    stored = " ".join(str(v) for v in PersonHistoryEntry.objects.filter(pk=row.pk).values().get().values())
    assert "first-key" not in stored
    assert "second-key" not in stored
    assert (row.old_value, row.new_value) == ("", SECRET_CHANGED)


@pytest.mark.django_db
def test_one_row_for_an_action_and_the_name_of_a_deleted_subject_kept():
    person = make_person(Role.OPERATOR, username="leaver")
    person.delete()  # the instance has no key any more
    (row,) = history.record(PersonHistoryEntry, person, actor=None, action=PersonAction.DELETED)
    row.refresh_from_db()
    assert (row.person_id, row.username, row.field, row.old_value, row.new_value) == (
        None,
        "leaver",
        "",
        "",
        "",
    )


@pytest.mark.django_db
def test_a_field_name_longer_than_the_column_is_cut_and_mixing_both_forms_is_refused():
    person = make_person(Role.OPERATOR)
    (row,) = history.record(
        PersonHistoryEntry, person, actor=None, action=PersonAction.CHANGED, field="x" * 90
    )
    assert row.field == "x" * 40
    with pytest.raises(ValueError):
        history.record(
            PersonHistoryEntry,
            person,
            actor=None,
            action="changed",
            field="email",
            changes=[Change("a", "", "b")],
        )


# --------------------------------------------------------------------------------------------------
# display


def test_a_row_is_shown_with_the_subject_models_names_and_labels_in_the_readers_language():
    with translation.override("en"):
        assert ProblemHistoryEntry.label_of("status") == "status"
        assert ProblemHistoryEntry.display_value("status", "known_error") == "Known error"
        assert ProblemHistoryEntry.display_value("status", "gone") == "gone"  # an old code as stored
        assert ProblemHistoryEntry.display_value("title", SECRET_CHANGED) == "changed"
        assert ProblemHistoryEntry.label_of("no_such_field") == "no_such_field"
    with translation.override("nl"):
        assert ProblemHistoryEntry.display_value("status", "known_error") != "Known error"
