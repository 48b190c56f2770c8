"""Change notices and read acknowledgements: who is told about a new version (per subscription type and
audience, one message per person), acknowledging, the has/has-not lists, reminders, screens, API,
permissions, stored XSS and query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import Department, OperatorGroup, Role, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import periodic, services
from beheer.knowledge.models import (
    AcknowledgementReminder,
    Article,
    ArticleAcknowledgement,
    ArticleSubscription,
    Audience,
    Kind,
    expected_readers,
)
from beheer.knowledge.queries import acknowledgement_counts, pending_readers
from beheer.notifications.models import OutgoingMessage
from tests.helpers import client_for, make_person

from .helpers import published
from .test_xss import PAYLOAD, assert_safe


def _new_version(article: Article, actor: User, *, note: str = "Step 4 changed", title: str = "") -> Article:
    article = Article.objects.get(pk=article.pk)
    article = services.save_draft(
        article,
        actor=actor,
        expected_version=article.version,
        title=title or article.title,
        body=f"new text {article.version}",
        change_note=note,
    )
    return services.publish(article, actor=actor, expected_version=article.version)


def _changed(article: Article) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(event="article_changed", object_id=article.pk).order_by("pk"))


def _reminded(article: Article) -> list[OutgoingMessage]:
    return list(
        OutgoingMessage.objects.filter(event="article_acknowledgement_due", object_id=article.pk).order_by(
            "pk"
        )
    )


@pytest.fixture
def finance(db: Any) -> Department:
    return Department.objects.create(name="Financiën")


@pytest.fixture
def instruction(operator: User) -> Article:
    return published(
        operator, title="Wachtwoord wijzigen", body="v1", kind=Kind.INSTRUCTION, audience=Audience.CALLERS
    )


@pytest.fixture
def procedure(operator: User) -> Article:
    return published(operator, title="Back-up controleren", body="v1", kind=Kind.PROCEDURE_BACKUP)


# --------------------------------------------------------------------------------------------------
# subscriptions


def test_a_subscription_has_exactly_one_target(instruction: Article, operator: User, first_line: Any) -> None:
    with pytest.raises(DomainError) as err:
        services.subscribe(instruction, actor=operator)
    assert "target" in err.value.field_errors
    with pytest.raises(DomainError):
        services.subscribe(instruction, actor=operator, operator_group=first_line, user=operator)
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database refuses too
        ArticleSubscription.objects.create(
            article=instruction, operator_group=first_line, user=operator, created_at=clock.now()
        )


def test_subscribing_twice_keeps_one(instruction: Article, operator: User, first_line: Any) -> None:
    one = services.subscribe(instruction, actor=operator, operator_group=first_line)
    two = services.subscribe(instruction, actor=operator, operator_group=first_line)
    assert one.pk == two.pk
    assert ArticleSubscription.objects.filter(article=instruction).count() == 1


def test_only_procedures_and_instructions_have_subscribers(operator: User, first_line: Any) -> None:
    solution = published(operator, title="Printer reset")
    with pytest.raises(DomainError):
        services.subscribe(solution, actor=operator, operator_group=first_line)
    with pytest.raises(DomainError):
        services.set_acknowledgement_required(
            solution, actor=operator, expected_version=solution.version, required=True
        )


def test_callers_and_hidden_articles_cannot_be_subscribed_to(
    instruction: Article, procedure: Article, caller: User, operator: User, administrator: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.subscribe(instruction, actor=caller, user=caller)
    with pytest.raises(DomainError) as err:  # a caller may not read an operators' procedure
        services.subscribe(procedure, actor=operator, user=caller)
    assert "user" in err.value.field_errors
    secret = published(
        administrator, title="Root", kind=Kind.PROCEDURE_OTHER, audience=Audience.ADMINISTRATORS
    )
    with pytest.raises(NotFound):
        services.subscribe(secret, actor=operator, user=operator)


def test_unsubscribe(instruction: Article, operator: User, caller: User) -> None:
    subscription = services.subscribe(instruction, actor=operator, user=caller)
    with pytest.raises(PermissionDenied):
        services.unsubscribe(subscription, actor=caller)
    services.unsubscribe(subscription, actor=operator)
    assert not ArticleSubscription.objects.exists()


# --------------------------------------------------------------------------------------------------
# the notice on publish


def test_recipients_per_subscription_type_one_message_per_person(
    instruction: Article,
    operator: User,
    specialist: User,
    first_line: OperatorGroup,
    finance: Department,
    caller: User,
    other_caller: User,
) -> None:
    User.objects.filter(pk=caller.pk).update(department=finance)
    outsider = make_person(Role.OPERATOR)  # not subscribed
    services.subscribe(instruction, actor=operator, operator_group=first_line)  # operator
    services.subscribe(instruction, actor=operator, department=finance)  # caller
    services.subscribe(instruction, actor=operator, user=specialist)
    services.subscribe(instruction, actor=operator, user=operator)  # also in the group
    article = _new_version(instruction, specialist, note="Nieuwe stap 3")
    messages = _changed(article)
    assert {m.recipient_user_id for m in messages} == {operator.pk, specialist.pk, caller.pk}
    assert len(messages) == 3
    assert other_caller.pk not in {m.recipient_user_id for m in messages}
    assert outsider.pk not in {m.recipient_user_id for m in messages}
    by_user = {m.recipient_user_id: m for m in messages}
    assert f"/portal/kennisbank/{article.pk}/" in by_user[caller.pk].body_text
    assert f"/kennisbank/{article.pk}/" in by_user[operator.pk].body_text
    assert "/portal/" not in by_user[operator.pk].body_text
    for m in messages:
        assert "Nieuwe stap 3" in m.body_text
        assert "Wachtwoord wijzigen" in m.subject
        assert m.key.startswith(f"knowledge:article:{article.pk}:v2:changed")
    # announcing the same version again writes nothing new
    services.announce_new_version(article, article.current_version)  # type: ignore[arg-type]
    assert len(_changed(article)) == 3
    # the next version is announced again
    _new_version(article, specialist)
    assert len(_changed(article)) == 6


def test_a_caller_of_the_department_never_gets_an_operator_only_procedure(
    procedure: Article, operator: User, specialist: User, finance: Department, caller: User
) -> None:
    User.objects.filter(pk__in=[caller.pk, specialist.pk]).update(department=finance)
    services.subscribe(procedure, actor=operator, department=finance)
    _new_version(procedure, operator)
    assert [m.recipient_user_id for m in _changed(procedure)] == [specialist.pk]
    assert set(expected_readers(procedure)) == {specialist}


def test_an_administrators_procedure_reaches_only_administrators(
    administrator: User, operator: User, first_line: OperatorGroup
) -> None:
    first_line.members.add(administrator)
    secret = published(
        administrator, title="Root", kind=Kind.PROCEDURE_OTHER, audience=Audience.ADMINISTRATORS
    )
    services.subscribe(secret, actor=administrator, operator_group=first_line)
    _new_version(secret, administrator)
    assert [m.recipient_user_id for m in _changed(secret)] == [administrator.pk]


def test_inactive_people_and_inactive_groups_get_nothing(
    instruction: Article, operator: User, first_line: OperatorGroup, caller: User
) -> None:
    services.subscribe(instruction, actor=operator, operator_group=first_line)
    services.subscribe(instruction, actor=operator, user=caller)
    User.objects.filter(pk=caller.pk).update(is_active=False)
    OperatorGroup.objects.filter(pk=first_line.pk).update(active=False)
    _new_version(instruction, operator)
    assert _changed(instruction) == []


def test_a_rolled_back_publish_mails_nobody(instruction: Article, operator: User, caller: User) -> None:
    services.subscribe(instruction, actor=operator, user=caller)
    article = Article.objects.get(pk=instruction.pk)
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title=article.title, body="x"
    )

    @transaction.atomic
    def publish_then_fail() -> None:
        services.publish(article, actor=operator, expected_version=article.version)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert _changed(instruction) == []


def test_xss_in_the_change_note_and_title_of_the_e_mail(
    instruction: Article, operator: User, caller: User
) -> None:
    services.subscribe(instruction, actor=operator, user=caller)
    _new_version(instruction, operator, note=f"Note {PAYLOAD}", title=f"Title {PAYLOAD}")
    (message,) = _changed(instruction)
    assert_safe(message.body_html, "change e-mail")
    assert "&lt;script&gt;" in message.body_html
    assert "\n" not in message.subject


# --------------------------------------------------------------------------------------------------
# acknowledgements


@pytest.fixture
def required(
    instruction: Article, operator: User, caller: User, other_caller: User, specialist: User
) -> Article:
    article = services.set_acknowledgement_required(
        instruction, actor=operator, expected_version=instruction.version, required=True
    )
    for person in (caller, other_caller, specialist):
        services.subscribe(article, actor=operator, user=person)
    return _new_version(article, operator)


def test_acknowledge_the_current_version_idempotently(required: Article, caller: User) -> None:
    first = services.acknowledge(required, actor=caller)
    second = services.acknowledge(required, actor=caller, number=required.current_version.number)  # type: ignore[union-attr]
    assert first.pk == second.pk
    assert first.version_id == required.current_version_id
    assert ArticleAcknowledgement.objects.count() == 1


def test_acknowledge_rules(required: Article, caller: User, operator: User, procedure: Article) -> None:
    with pytest.raises(Conflict):  # the reader saw an older version
        services.acknowledge(required, actor=caller, number=1)
    with pytest.raises(NotFound):  # a caller cannot read an operators' procedure
        services.acknowledge(procedure, actor=caller)
    with pytest.raises(DomainError):  # the procedure does not ask for it
        services.acknowledge(procedure, actor=operator)
    assert not ArticleAcknowledgement.objects.exists()


def test_has_and_has_not_lists_and_a_new_version(
    required: Article, caller: User, other_caller: User, specialist: User, operator: User
) -> None:
    services.acknowledge(required, actor=caller)
    services.acknowledge(required, actor=operator)  # a reader who is not subscribed
    counts = acknowledgement_counts(required)
    assert (counts.expected, counts.acknowledged, counts.pending, counts.total) == (3, 1, 2, 2)
    assert set(pending_readers(required)) == {other_caller, specialist}
    # a new version: everybody must acknowledge again
    article = _new_version(required, operator)
    assert set(pending_readers(article)) == {caller, other_caller, specialist}
    assert acknowledgement_counts(article).total == 0


# --------------------------------------------------------------------------------------------------
# acknowledgement reminders


def test_reminders_run_twice_remind_once(
    required: Article, caller: User, other_caller: User, specialist: User
) -> None:
    services.acknowledge(required, actor=caller)
    published_at = required.current_version.published_at  # type: ignore[union-attr]
    assert published_at is not None
    with clock.frozen(published_at + timedelta(days=6)):
        assert services.remind_acknowledgements() == 0  # too early
    with clock.frozen(published_at + timedelta(days=7, hours=1)):
        assert services.remind_acknowledgements() == 2
        assert services.remind_acknowledgements() == 0
        periodic.remind_acknowledgements()
    with clock.frozen(published_at + timedelta(days=13)):
        assert services.remind_acknowledgements() == 0  # same round
    reminded = [m.recipient_user_id for m in _reminded(required)]
    assert sorted(pk for pk in reminded if pk) == sorted([other_caller.pk, specialist.pk])
    assert len(reminded) == 2
    # the next round reminds who still has not acknowledged
    services.acknowledge(required, actor=other_caller)
    with clock.frozen(published_at + timedelta(days=14, hours=1)):
        assert services.remind_acknowledgements() == 1
    assert [m.recipient_user_id for m in _reminded(required)][-1] == specialist.pk
    assert AcknowledgementReminder.objects.filter(version=required.current_version).count() == 2
    # after the last round the readers are left alone
    last = services.ACK_REMINDER_AFTER_DAYS + services.ACK_REMINDER_EVERY_DAYS * services.ACK_REMINDER_ROUNDS
    with clock.frozen(published_at + timedelta(days=last + 1)):
        assert services.remind_acknowledgements() == 0


def test_reminder_round() -> None:
    start = clock.now()
    assert services.reminder_round(start, start + timedelta(days=6, hours=23)) == 0
    assert services.reminder_round(start, start + timedelta(days=7)) == 1
    assert services.reminder_round(start, start + timedelta(days=13, hours=23)) == 1
    assert services.reminder_round(start, start + timedelta(days=14)) == 2


def test_no_reminders_when_not_required(instruction: Article, operator: User, caller: User) -> None:
    services.subscribe(instruction, actor=operator, user=caller)
    article = _new_version(instruction, operator)
    published_at = article.current_version.published_at  # type: ignore[union-attr]
    assert published_at is not None
    with clock.frozen(published_at + timedelta(days=8)):
        assert services.remind_acknowledgements() == 0
    assert _reminded(article) == []


# --------------------------------------------------------------------------------------------------
# screens


def test_the_caller_acknowledges_on_the_portal_page(required: Article, caller: User) -> None:
    client = client_for(caller)
    page = client.get(f"/portal/kennisbank/{required.pk}/").content.decode()
    assert f'data-acknowledge="{required.pk}"' in page
    number = required.current_version.number  # type: ignore[union-attr]
    answer = client.post(f"/kennisbank/{required.pk}/acknowledge/", {"number": number})
    assert answer.status_code == 302
    assert answer["Location"] == f"/portal/kennisbank/{required.pk}/"
    page = client.get(f"/portal/kennisbank/{required.pk}/").content.decode()
    assert f'data-acknowledge="{required.pk}"' not in page
    assert "kb-acknowledged" in page
    assert ArticleAcknowledgement.objects.filter(user=caller).count() == 1


def test_the_acknowledgements_page(
    required: Article, operator: User, caller: User, other_caller: User, specialist: User
) -> None:
    services.acknowledge(required, actor=caller)
    client = client_for(operator)
    detail = client.get(f"/kennisbank/{required.pk}/").content.decode()
    assert f"/kennisbank/{required.pk}/acknowledgements/" in detail
    page = client.get(f"/kennisbank/{required.pk}/acknowledgements/")
    assert page.context["counts"].pending == 2
    assert {u.pk for u in page.context["page"].items} == {other_caller.pk, specialist.pk}
    assert f'data-user="{caller.pk}"' not in page.content.decode()
    done = client.get(
        f"/kennisbank/{required.pk}/acknowledgements/", {"list": "acknowledged"}
    ).content.decode()
    assert f'data-user="{caller.pk}"' in done
    assert f'data-user="{other_caller.pk}"' not in done
    bad = client.get(f"/kennisbank/{required.pk}/acknowledgements/", {"cursor": "garbage"})
    assert bad.status_code == 200


def test_subscriptions_page_add_and_remove(
    instruction: Article, operator: User, first_line: OperatorGroup, finance: Department, caller: User
) -> None:
    client = client_for(operator)
    url = f"/kennisbank/{instruction.pk}/subscriptions/"
    assert client.post(url, {"operator_group": first_line.pk}).status_code == 302
    assert client.post(url, {"department": finance.pk}).status_code == 302
    assert client.post(url, {"person": caller.email}).status_code == 302
    both = client.post(url, {"operator_group": first_line.pk, "person": caller.username})
    assert both.status_code == 200
    assert both.context["form"].errors
    unknown = client.post(url, {"person": "nobody@nowhere.example"})
    assert "person" in unknown.context["form"].errors
    assert ArticleSubscription.objects.filter(article=instruction).count() == 3
    subscription = ArticleSubscription.objects.get(article=instruction, user=caller)
    page = client.get(url).content.decode()
    assert "data-confirm" in page
    assert client.post(f"{url}{subscription.pk}/remove/").status_code == 302
    assert ArticleSubscription.objects.filter(article=instruction).count() == 2
    setting = client.post(
        f"/kennisbank/{instruction.pk}/acknowledgement-setting/",
        {"version": instruction.version, "required": "1"},
    )
    assert setting.status_code == 302
    assert Article.objects.get(pk=instruction.pk).requires_acknowledgement


def test_xss_on_the_acknowledgement_and_subscription_pages(
    instruction: Article, operator: User, first_line: OperatorGroup, caller: User
) -> None:
    OperatorGroup.objects.filter(pk=first_line.pk).update(name=f"G {PAYLOAD}")
    User.objects.filter(pk=caller.pk).update(first_name=f"F {PAYLOAD}")
    article = services.set_acknowledgement_required(
        instruction, actor=operator, expected_version=instruction.version, required=True
    )
    services.subscribe(article, actor=operator, operator_group=OperatorGroup.objects.get(pk=first_line.pk))
    services.subscribe(article, actor=operator, user=User.objects.get(pk=caller.pk))
    article = _new_version(article, operator, note=f"Note {PAYLOAD}", title=f"Title {PAYLOAD}")
    services.acknowledge(article, actor=operator)
    client = client_for(operator)
    for url in (
        f"/kennisbank/{article.pk}/acknowledgements/",
        f"/kennisbank/{article.pk}/acknowledgements/?list=acknowledged",
        f"/kennisbank/{article.pk}/subscriptions/",
        f"/kennisbank/{article.pk}/",
    ):
        page = client.get(url).content.decode()
        assert_safe(page, url)
    assert "&lt;script&gt;" in client.get(f"/kennisbank/{article.pk}/acknowledgements/").content.decode()
    assert_safe(client_for(caller).get(f"/portal/kennisbank/{article.pk}/").content.decode(), "portal")


# --------------------------------------------------------------------------------------------------
# API and permissions


def test_api_subscriptions_and_acknowledgements(
    instruction: Article, operator: User, first_line: OperatorGroup, caller: User, finance: Department
) -> None:
    client = client_for(operator)
    base = f"/api/v1/knowledge/articles/{instruction.pk}"
    added = client.post(f"{base}/subscriptions", {"user": caller.pk}, content_type="application/json")
    assert added.status_code == 201
    assert added.json()["type"] == "user"
    group = client.post(
        f"{base}/subscriptions", {"operator_group": first_line.pk}, content_type="application/json"
    )
    assert group.status_code == 201
    two = client.post(
        f"{base}/subscriptions",
        {"operator_group": first_line.pk, "department": finance.pk},
        content_type="application/json",
    )
    assert two.status_code == 400
    assert "target" in two.json()["fields"]
    missing = client.post(f"{base}/subscriptions", {"department": 999999}, content_type="application/json")
    assert missing.status_code == 404
    assert "department" in missing.json()["fields"]
    listed = client.get(f"{base}/subscriptions").json()
    assert {s["type"] for s in listed} == {"user", "operator_group"}
    setting = client.put(
        f"{base}/acknowledgement-setting",
        {"version": instruction.version, "required": True},
        content_type="application/json",
    )
    assert setting.status_code == 200
    assert setting.json()["requires_acknowledgement"] is True
    stale = client.put(
        f"{base}/acknowledgement-setting",
        {"version": instruction.version, "required": False},
        content_type="application/json",
    )
    assert stale.status_code == 409
    ack = client_for(caller).post(f"{base}/acknowledge", {}, content_type="application/json")
    assert ack.status_code == 200
    assert ack.json()["version"] == 1
    status = client.get(f"{base}/acknowledgements").json()
    assert status["counts"] == {"expected": 2, "acknowledged": 1, "pending": 1, "total": 1}
    assert [p["id"] for p in status["items"]] == [operator.pk]
    done = client.get(f"{base}/acknowledgements", {"list": "acknowledged"}).json()
    assert [p["id"] for p in done["items"]] == [caller.pk]
    assert client.get(f"{base}/acknowledgements", {"list": "nonsense"}).status_code in (400, 422)
    assert client.get(f"{base}/acknowledgements", {"cursor": "garbage"}).status_code == 400
    removed = client.delete(f"{base}/subscriptions/{added.json()['id']}")
    assert removed.status_code == 204
    assert client.delete(f"{base}/subscriptions/{added.json()['id']}").status_code == 404


def test_a_caller_cannot_see_subscriptions_or_acknowledgements(
    instruction: Article, operator: User, caller: User
) -> None:
    services.subscribe(instruction, actor=operator, user=caller)
    client = client_for(caller)
    base = f"/api/v1/knowledge/articles/{instruction.pk}"
    assert client.get(f"{base}/subscriptions").status_code == 404
    assert client.get(f"{base}/acknowledgements").status_code == 404
    assert (
        client.post(f"{base}/subscriptions", {"user": caller.pk}, content_type="application/json").status_code
        == 404
    )
    assert client.get(f"/kennisbank/{instruction.pk}/subscriptions/").status_code == 404
    assert client.get(f"/kennisbank/{instruction.pk}/acknowledgements/").status_code == 404


def test_an_operator_cannot_see_the_panels_of_an_administrators_article(
    administrator: User, operator: User
) -> None:
    secret = published(
        administrator,
        title="Root canaryrootproc",
        kind=Kind.PROCEDURE_OTHER,
        audience=Audience.ADMINISTRATORS,
    )
    services.subscribe(secret, actor=administrator, user=administrator)
    client = client_for(operator)
    base = f"/api/v1/knowledge/articles/{secret.pk}"
    for url in (f"{base}/subscriptions", f"{base}/acknowledgements"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert "canaryrootproc" not in answer.content.decode()
    for url in (f"/kennisbank/{secret.pk}/subscriptions/", f"/kennisbank/{secret.pk}/acknowledgements/"):
        assert client.get(url).status_code == 404
    assert client.post(f"{base}/acknowledge", {}, content_type="application/json").status_code == 404
    assert client_for(administrator).get(f"{base}/subscriptions").status_code == 200


# --------------------------------------------------------------------------------------------------
# query counts


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_acknowledgement_list_costs_the_same_for_few_and_many(
    required: Article, operator: User, finance: Department, caller: User
) -> None:
    services.subscribe(required, actor=operator, department=finance)
    services.acknowledge(required, actor=caller)  # both lists have a row
    client = client_for(operator)
    urls = [
        f"/kennisbank/{required.pk}/acknowledgements/",
        f"/kennisbank/{required.pk}/acknowledgements/?list=acknowledged",
        f"/api/v1/knowledge/articles/{required.pk}/acknowledgements",
        f"/api/v1/knowledge/articles/{required.pk}/acknowledgements?list=acknowledged",
    ]
    few = [_count(client, url) for url in urls]
    for _ in range(25):
        person = make_person(Role.CALLER, department=finance)
        if person.pk % 2:
            services.acknowledge(required, actor=person)
    many = [_count(client, url) for url in urls]
    assert many == few
    assert max(many) <= 20
