"""Defining checks: the services, the edit screens and the API, with their permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import Role
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.monitoring import services
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.monitoring.options import MASK
from tests.helpers import client_for, make_person

SECRET = "canary-secret-9b1e"
API = "/api/v1/monitoring/checks"


def data(**kw: object) -> services.CheckData:
    base: dict[str, object] = {"name": "Intranet", "kind": "http", "target": "https://intranet.school.test/"}
    base.update(kw)
    return services.CheckData(**base)  # type: ignore[arg-type]


@pytest.fixture
def http_check(operator):
    return services.create_check(
        actor=operator, data=data(options={"keyword": "welkom", "headers": {"Authorization": SECRET}})
    )


# --------------------------------------------------------------------------------------------------
# services


@pytest.mark.django_db
def test_only_staff_define_checks(caller, operator, administrator):
    with pytest.raises(PermissionDenied):
        services.create_check(actor=caller, data=data())
    assert services.create_check(actor=operator, data=data()).created_by == operator
    assert services.create_check(actor=administrator, data=data(name="Other")).pk


@pytest.mark.django_db
def test_bad_input_gives_field_errors_and_saves_nothing(operator):
    with pytest.raises(DomainError) as info:
        services.create_check(
            actor=operator,
            data=data(
                name=" ",
                target="intranet",
                interval_seconds=1,
                options={"keyword": "(", "keyword_regex": True, "json_path": "a..b"},
            ),
        )
    assert set(info.value.field_errors) == {
        "name",
        "target",
        "interval_seconds",
        "options.keyword",
        "options.json_path",
    }
    assert not Check.objects.exists()


@pytest.mark.django_db
def test_secrets_are_encrypted_masked_and_kept_on_update(operator, http_check):
    stored = json.dumps(http_check.options)
    assert SECRET not in stored
    assert services.plain_options(http_check)["headers"]["Authorization"] == SECRET
    shown = services.shown_options(http_check)
    assert shown["headers"] == {"Authorization": MASK}
    assert shown["keyword"] == "welkom"
    updated = services.update_check(
        http_check,
        actor=operator,
        data=data(options={"keyword": "hallo", "headers": {"Authorization": MASK}}),
        expected_version=http_check.version,
    )
    assert updated.version == http_check.version + 1
    assert services.plain_options(updated) == {"keyword": "hallo", "headers": {"Authorization": SECRET}}
    with pytest.raises(Conflict):
        services.update_check(updated, actor=operator, data=data(), expected_version=http_check.version)


@pytest.mark.django_db
def test_push_checks_get_a_token_and_lose_it_when_they_change_kind(operator):
    push = services.create_check(actor=operator, data=data(kind="push", target=""))
    assert push.push_token
    changed = services.update_check(push, actor=operator, data=data(), expected_version=None)
    assert changed.push_token is None


@pytest.mark.django_db
def test_no_dependency_cycles(operator):
    a = services.create_check(actor=operator, data=data(name="A"))
    b = services.create_check(actor=operator, data=data(name="B", parent=a))
    with pytest.raises(DomainError) as info:
        services.update_check(a, actor=operator, data=data(name="A", parent=b), expected_version=None)
    assert set(info.value.field_errors) == {"parent"}


@pytest.mark.django_db
def test_delete_removes_results_and_unlinks_children(operator):
    parent = services.create_check(actor=operator, data=data(name="Switch"))
    child = services.create_check(actor=operator, data=data(name="Server", parent=parent))
    services.record_result(parent, ok=True)
    services.delete_check(parent, actor=operator)
    assert not CheckResult.objects.exists()
    assert not CheckState.objects.filter(pk=parent.pk).exists()
    assert Check.objects.get(pk=child.pk).parent is None


# --------------------------------------------------------------------------------------------------
# screens


def form_post(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Website",
        "kind": "http",
        "target": "https://www.school.test/",
        "interval_seconds": 60,
        "timeout_seconds": 10,
        "max_attempts": 3,
        "retry_interval_seconds": 10,
        "grace_seconds": 300,
        "active": "on",
        "resolve_on_recovery": "on",
        "o_expected_status": "200-399",
        "o_follow_redirects": "on",
        "o_method": "GET",
        "o_json_operator": "==",
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_callers_never_reach_the_screens(caller, http_check):
    client = client_for(caller)
    for url in (
        reverse("monitoring:check-manage"),
        reverse("monitoring:check-create"),
        reverse("monitoring:check-kind-fields"),
        reverse("monitoring:check-edit", args=[http_check.pk]),
        reverse("monitoring:check-delete", args=[http_check.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("monitoring:check-delete", args=[http_check.pk])).status_code == 404
    assert Check.objects.filter(pk=http_check.pk).exists()


@pytest.mark.django_db
def test_create_through_the_form(operator_client):
    page = operator_client.get(reverse("monitoring:check-create"))
    assert page.status_code == 200
    assert b'name="o_keyword"' in page.content  # the HTTP options by default
    response = operator_client.post(
        reverse("monitoring:check-create"),
        form_post(o_keyword="welkom", o_max_latency_ms="2000", o_headers="X-Api-Key: " + SECRET),
    )
    check = Check.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:check-detail", args=[check.pk])
    assert services.plain_options(check) == {
        "keyword": "welkom",
        "max_latency_ms": 2000,
        "headers": {"X-Api-Key": SECRET},
    }


@pytest.mark.django_db
def test_form_errors_land_on_the_option_fields(operator_client):
    response = operator_client.post(
        reverse("monitoring:check-create"),
        form_post(o_json_path="items[x]", o_keyword="(", o_keyword_regex="on", o_headers="Host: evil"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"o_json_path", "o_keyword", "o_headers"} <= set(form.errors)
    assert not Check.objects.exists()
    bad_header_line = operator_client.post(
        reverse("monitoring:check-create"), form_post(o_headers="no colon")
    )
    assert "o_headers" in bad_header_line.context["form"].errors


@pytest.mark.django_db
def test_the_kind_fields_swap_in_with_htmx(operator_client):
    response = operator_client.get(
        reverse("monitoring:check-kind-fields"),
        {"kind": "snmp", "target": "switch-1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="o_oid"' in body
    assert 'name="o_community"' in body
    assert 'name="o_keyword"' not in body
    assert 'value="switch-1"' in body
    # without JavaScript: the refresh button re-renders with the chosen kind and saves nothing
    refreshed = operator_client.post(reverse("monitoring:check-create"), form_post(kind="dns", _refresh="1"))
    assert refreshed.status_code == 200
    assert b'name="o_record_type"' in refreshed.content
    assert not Check.objects.exists()


@pytest.mark.django_db
def test_edit_shows_secrets_masked_and_keeps_them(operator_client, http_check):
    url = reverse("monitoring:check-edit", args=[http_check.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert SECRET.encode() not in page.content
    assert f"Authorization: {MASK}".encode() in page.content
    response = operator_client.post(
        url,
        form_post(
            name="Intranet",
            target="https://intranet.school.test/",
            version=http_check.version,
            o_keyword="nieuw",
            o_headers=f"Authorization: {MASK}",
        ),
    )
    assert response.status_code == 302
    check = Check.objects.get(pk=http_check.pk)
    assert services.plain_options(check)["headers"] == {"Authorization": SECRET}
    assert services.plain_options(check)["keyword"] == "nieuw"
    stale = operator_client.post(url, form_post(version=http_check.version))
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()


@pytest.mark.django_db
def test_delete_asks_first(operator_client, http_check):
    url = reverse("monitoring:check-delete", args=[http_check.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert Check.objects.filter(pk=http_check.pk).exists()
    response = operator_client.post(url)
    assert response["Location"] == reverse("monitoring:check-manage")
    assert not Check.objects.filter(pk=http_check.pk).exists()


@pytest.mark.django_db
def test_the_manage_list_pages_with_a_bounded_number_of_queries(
    operator, operator_client, django_assert_max_num_queries
):
    for i in range(5):
        services.create_check(actor=operator, data=data(name=f"Check {i}"))
    with django_assert_max_num_queries(8):
        response = operator_client.get(reverse("monitoring:check-manage"))
    assert response.status_code == 200
    assert len(response.context["page"].items) == 5


# --------------------------------------------------------------------------------------------------
# API


@pytest.mark.django_db
def test_api_create_read_update_delete(operator_client):
    payload: dict[str, Any] = {
        "name": "Core switch uplink",
        "kind": "snmp",
        "target": "10.0.0.2",
        "options": {"community": SECRET, "oid": "1.3.6.1.2.1.2.2.1.8.1", "operator": "==", "value": "1"},
    }
    created = operator_client.post(API, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["options"]["community"] == MASK
    assert SECRET not in created.content.decode()
    check_url = f"{API}/{body['id']}"
    assert operator_client.get(check_url).json()["options"]["oid"] == "1.3.6.1.2.1.2.2.1.8.1"
    updated = operator_client.put(
        check_url,
        {
            **payload,
            "version": body["version"],
            "options": {**payload["options"], "community": MASK, "value": "2"},
        },
        content_type="application/json",
    )
    assert updated.status_code == 200, updated.content
    check = Check.objects.get(pk=body["id"])
    assert services.plain_options(check)["community"] == SECRET
    assert services.plain_options(check)["value"] == "2"
    conflict = operator_client.put(
        check_url, {**payload, "version": body["version"]}, content_type="application/json"
    )
    assert conflict.status_code == 409
    assert operator_client.delete(check_url).status_code == 204
    assert operator_client.get(check_url).status_code == 404


@pytest.mark.django_db
def test_api_bad_input_is_a_400_with_field_messages(operator_client):
    response = operator_client.post(
        API,
        {
            "name": "x",
            "kind": "http",
            "target": "ftp://x",
            "options": {"json_path": "a..b", "headers": {"Host": "y"}},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"target", "options.json_path", "options.headers"}
    wrong_type = operator_client.post(
        API, {"name": "x", "kind": "http", "options": []}, content_type="application/json"
    )
    assert wrong_type.status_code == 422
    unknown_kind = operator_client.post(API, {"name": "x", "kind": "smtp"}, content_type="application/json")
    assert unknown_kind.status_code == 400
    assert set(unknown_kind.json()["fields"]) == {"kind"}
    bad_parent = operator_client.post(
        API, {"name": "x", "kind": "tcp", "target": "a:1", "parent": 999}, content_type="application/json"
    )
    assert bad_parent.status_code == 400
    assert set(bad_parent.json()["fields"]) == {"parent"}
    assert not Check.objects.exists()


@pytest.mark.django_db
def test_api_callers_cannot_define_or_read_checks(caller_client, http_check):
    payload = {"name": "x", "kind": "tcp", "target": "a:1"}
    assert caller_client.post(API, payload, content_type="application/json").status_code == 403
    assert caller_client.get(f"{API}/{http_check.pk}").status_code == 403
    assert (
        caller_client.put(f"{API}/{http_check.pk}", payload, content_type="application/json").status_code
        == 403
    )
    assert caller_client.delete(f"{API}/{http_check.pk}").status_code == 403
    assert Check.objects.get(pk=http_check.pk).name == "Intranet"
    coordinator_client = client_for(make_person(Role.COORDINATOR))
    assert coordinator_client.get(f"{API}/{http_check.pk}").status_code == 200
    assert SECRET not in coordinator_client.get(f"{API}/{http_check.pk}").content.decode()


@pytest.mark.django_db
def test_a_push_check_from_the_form_shows_its_ping_url(operator_client):
    fields = {
        k: v
        for k, v in form_post(kind="push", target="", grace_seconds=900).items()
        if not k.startswith("o_")
    }
    response = operator_client.post(reverse("monitoring:check-create"), fields)
    assert response.status_code == 302
    check = Check.objects.get()
    assert (check.kind, check.grace_seconds) == ("push", 900)
    page = operator_client.get(response["Location"])  # the check's status page
    assert reverse("api:ping", args=[check.push_token]) in page.content.decode()
    edit = operator_client.get(reverse("monitoring:check-edit", args=[check.pk]))
    assert reverse("api:ping", args=[check.push_token]) in edit.content.decode()
    assert b'name="grace_seconds"' in edit.content
    other = operator_client.get(reverse("monitoring:check-create"))
    assert b'name="grace_seconds"' not in other.content  # only push checks have a grace


@pytest.mark.django_db
def test_the_admin_shows_checks_read_only_and_links_to_the_check_screen(administrator, http_check):
    """The check screen (and the API) write through the services; the admin only shows checks
    (see test_admin_no_bypass.py)."""
    client = client_for(administrator)
    url = reverse("admin:monitoring_check_change", args=[http_check.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("monitoring:check-edit", args=[http_check.pk]) in page.content.decode()
    assert SECRET not in page.content.decode()
    assert client.get(reverse("admin:monitoring_check_add")).status_code == 403


# --------------------------------------------------------------------------------------------------
# secrets follow the target: a masked secret is never carried to another kind, target or host


class HeaderRecorder:
    """A web server on 127.0.0.1 standing in for a server an operator points a check at."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"welkom!")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = HeaderRecorder()
    yield server
    server.close()


def probe_once(check: Check) -> Any:
    import asyncio

    from beheer.core.outbound import NetworkPolicy
    from beheer.monitoring import probes

    prepared = probes.prepare(Check.objects.get(pk=check.pk))
    return asyncio.run(probes.run_probe(prepared, session=None, policy=NetworkPolicy()))  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"target": "https://other.example.test/"},
        {"host": "another-machine"},
        {"target": "https://intranet.school.test/other"},
    ],
)
def test_a_masked_header_does_not_follow_a_new_target_or_host(operator, specialist, http_check, change):
    updated = services.update_check(
        http_check,
        actor=specialist,  # somebody who did not create the check
        data=data(options={"keyword": "welkom", "headers": {"Authorization": MASK}}, **change),
        expected_version=http_check.version,
    )
    assert services.plain_options(updated) == {"keyword": "welkom"}
    assert SECRET not in json.dumps(services.plain_options(Check.objects.get(pk=http_check.pk)))


@pytest.mark.django_db
def test_a_secret_entered_again_goes_with_the_new_target(operator, http_check):
    before = data(options={"headers": {"Authorization": MASK}})
    assert services.secrets_cleared_by(http_check, before) == []
    moved = data(target="https://new.school.test/", options={"headers": {"Authorization": MASK}})
    assert services.secrets_cleared_by(http_check, moved) == ["Authorization"]
    again = data(target="https://new.school.test/", options={"headers": {"Authorization": "Bearer new"}})
    assert services.secrets_cleared_by(http_check, again) == []
    updated = services.update_check(http_check, actor=operator, data=again, expected_version=None)
    assert services.plain_options(updated)["headers"] == {"Authorization": "Bearer new"}


@pytest.mark.django_db
def test_a_new_kind_does_not_store_the_mask_as_a_secret(operator, http_check):
    with translation.override("en"), pytest.raises(DomainError) as info:
        services.update_check(
            http_check,
            actor=operator,
            data=data(
                kind="snmp", target="10.0.0.2", options={"community": MASK, "oid": "1.3.6.1.2.1.1.3.0"}
            ),
            expected_version=None,
        )
    assert "enter it again" in info.value.field_errors["options.community"]
    assert services.plain_options(Check.objects.get(pk=http_check.pk))["headers"] == {"Authorization": SECRET}


@pytest.mark.django_db
def test_the_form_clears_the_header_when_the_target_moves_and_the_new_server_never_sees_it(
    operator, specialist, http_check, recorder
):
    client = client_for(specialist)
    url = reverse("monitoring:check-edit", args=[http_check.pk])
    response = client.post(
        url,
        form_post(
            name="Intranet",
            target=recorder.url,
            version=http_check.version,
            o_keyword="welkom",
            o_headers=f"Authorization: {MASK}",
        ),
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("Authorization" in m and "gewist" in m for m in shown), shown
    check = Check.objects.get(pk=http_check.pk)
    assert check.target == recorder.url
    assert "headers" not in services.plain_options(check)
    result = probe_once(check)
    assert result.ok, result.detail
    [request] = recorder.seen
    assert "authorization" not in request
    assert SECRET not in json.dumps(request)


@pytest.mark.django_db
def test_the_form_keeps_the_header_when_only_other_fields_change(operator_client, http_check, recorder):
    # the same target: the masked value keeps the secret, and the probe sends it
    moved = services.update_check(
        http_check,
        actor=http_check.created_by,
        data=data(target=recorder.url, options={"keyword": "welkom", "headers": {"Authorization": SECRET}}),
        expected_version=None,
    )
    response = operator_client.post(
        reverse("monitoring:check-edit", args=[moved.pk]),
        form_post(
            name="Intranet renamed",
            target=recorder.url,
            version=moved.version,
            o_keyword="welkom",
            o_headers=f"Authorization: {MASK}",
        ),
    )
    assert response.status_code == 302
    assert probe_once(moved).ok
    assert recorder.seen[-1]["authorization"] == SECRET


@pytest.mark.django_db
def test_api_snmp_community_and_keys_do_not_follow_a_new_target(operator_client, specialist):
    payload: dict[str, Any] = {
        "name": "Core switch",
        "kind": "snmp",
        "target": "10.0.0.2",
        "options": {
            "version": "3",
            "username": "monitor",
            "auth_protocol": "SHA",
            "auth_key": "auth-" + SECRET,
            "priv_protocol": "AES",
            "priv_key": "priv-" + SECRET,
            "oid": "1.3.6.1.2.1.1.3.0",
        },
    }
    created = operator_client.post(API, payload, content_type="application/json").json()
    shown = created["options"]
    assert shown["auth_key"] == MASK
    assert shown["priv_key"] == MASK
    other = client_for(specialist)
    moved = other.put(
        f"{API}/{created['id']}",
        {
            **payload,
            "target": "203.0.113.9",
            "options": {**payload["options"], **dict.fromkeys(("auth_key", "priv_key"), MASK)},
        },
        content_type="application/json",
    )
    assert moved.status_code == 400, moved.content
    assert {"options.auth_key", "options.priv_key"} <= set(moved.json()["fields"])
    check = Check.objects.get(pk=created["id"])
    assert check.target == "10.0.0.2"  # nothing saved: the keys stay with the agent they were entered for
    assert services.plain_options(check)["auth_key"] == "auth-" + SECRET
    # v2c: the community likewise
    community = {**payload, "name": "Printer", "options": {"community": SECRET, "oid": "1.3.6.1.2.1.1.3.0"}}
    made = operator_client.post(API, community, content_type="application/json").json()
    refused = other.put(
        f"{API}/{made['id']}",
        {**community, "target": "203.0.113.9", "options": {**community["options"], "community": MASK}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "options.community" in refused.json()["fields"]
    entered = other.put(
        f"{API}/{made['id']}",
        {**community, "target": "203.0.113.9", "options": {**community["options"], "community": "new-one"}},
        content_type="application/json",
    )
    assert entered.status_code == 200, entered.content
    assert services.plain_options(Check.objects.get(pk=made["id"]))["community"] == "new-one"


@pytest.mark.django_db
def test_api_a_masked_header_is_cleared_when_the_host_changes(operator_client, specialist, http_check):
    body = client_for(specialist).put(
        f"{API}/{http_check.pk}",
        {
            "name": "Intranet",
            "kind": "http",
            "target": "https://intranet.school.test/",
            "host": "elsewhere",
            "options": {"headers": {"Authorization": MASK, "X-Plain": MASK}},
        },
        content_type="application/json",
    )
    assert body.status_code == 200, body.content
    assert body.json()["options"]["headers"] == {}
    assert "headers" not in services.plain_options(Check.objects.get(pk=http_check.pk))


# settings the servicedesk would refuse when the outage melding is opened


@pytest.mark.django_db
def test_an_outage_group_the_servicedesk_would_refuse_is_refused_at_once(
    operator, operator_client, administrator, first_line, second_line
):
    """A new melding is first line: a second-line (or inactive) group would make opening the
    outage melding fail later, so the service, the form and the API refuse it now (the admin
    adds no checks at all)."""
    with pytest.raises(DomainError) as info:
        services.create_check(actor=operator, data=data(operator_group=second_line))
    assert set(info.value.field_errors) == {"operator_group"}
    response = operator_client.post(
        reverse("monitoring:check-create"), form_post(operator_group=second_line.pk)
    )
    assert response.status_code == 200
    assert "operator_group" in response.context["form"].errors
    api = operator_client.post(
        API,
        {"name": "x", "kind": "tcp", "target": "a:1", "operator_group": second_line.pk},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert set(api.json()["fields"]) == {"operator_group"}
    admin = client_for(administrator).post(
        reverse("admin:monitoring_check_add"),
        {
            "name": "Router",
            "kind": "tcp",
            "target": "10.0.0.1:22",
            "host": "",
            "interval_seconds": 60,
            "timeout_seconds": 10,
            "max_attempts": 3,
            "retry_interval_seconds": 10,
            "grace_seconds": 300,
            "availability_target": "99.9",
            "operator_group": second_line.pk,
            "resolve_on_recovery": "on",
            "active": "on",
        },
    )
    assert admin.status_code == 403  # not a second write path past the services' rules
    assert not Check.objects.exists()
    inactive = type(first_line).objects.create(name="Oud", is_first_line=True, active=False)
    with pytest.raises(DomainError):
        services.create_check(actor=operator, data=data(operator_group=inactive))
    assert (
        services.create_check(actor=operator, data=data(operator_group=first_line)).operator_group
        == first_line
    )


@pytest.mark.django_db
def test_a_saved_check_opens_its_status_page(operator_client, http_check):
    created = operator_client.post(reverse("monitoring:check-create"), form_post(name="Portal"))
    check = Check.objects.get(name="Portal")
    assert created["Location"] == reverse("monitoring:check-detail", args=[check.pk])
    edited = operator_client.post(
        reverse("monitoring:check-edit", args=[http_check.pk]),
        form_post(name="Intranet", version=http_check.version),
    )
    assert edited.status_code == 302
    assert edited["Location"] == reverse("monitoring:check-detail", args=[http_check.pk])
    assert operator_client.get(edited["Location"]).status_code == 200
