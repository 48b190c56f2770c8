"""Every route, every role: nobody reads what is not theirs, by any page or API operation.

The walker takes every GET route of the URLconf and every GET operation of the API, fills its path
parameters with real objects of a demo school, and requests it as an anonymous visitor, two callers
(A and B) and each staff role. Canary strings are planted in caller A's data and in staff-only data:

- caller B and anonymous visitors never receive A's canary or the staff canary;
- caller A never receives the staff canary;
- an object B may not see answers exactly like one that does not exist (same status, same body for
  the API), so ids cannot be probed;
- no route answers with a server error;
- every route declares its audience (core/access.py); a new route without one fails here.

A route with a path parameter the walker cannot fill fails with a message saying which: give it an
object in ``OBJECTS`` below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from beheer import api as api_root
from beheer.accounts.models import Role, User
from beheer.core import access
from tests.helpers import make_person

pytestmark = pytest.mark.django_db

CANARY_A = "kanarie7anna"  # caller A's own data
CANARY_S = "kanarie7staf"  # data for staff only
CANARY_R = "kanarie7geheim"  # a security incident: only security officers and its handlers
MISSING = 987654321  # an id no object has
API = "/api/v1"


# --------------------------------------------------------------------------------------------------
# routes


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    name: str  # URL name or the operation's function
    template: str  # the path with {param} placeholders
    params: tuple[str, ...]
    gate: access.Gate | None

    def __str__(self) -> str:
        return f"{self.kind} {self.template}"


def _page_routes(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name in ("admin", "api") or entry.namespace in ("admin", "api"):
                continue
            yield from _page_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            raw = prefix + str(entry.pattern)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", raw))
            template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", raw)
            gate = getattr(entry.callback, access.GATE_ATTR, None) if _guarded(entry.callback) else None
            yield Route("page", entry.name or entry.lookup_str, template, params, gate)


def _guarded(view: Any) -> bool:
    return bool(getattr(view, "beheer_guarded", False))


def _api_routes() -> Iterator[Route]:
    for bound in api_root.api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                if "GET" not in operation.methods:
                    continue
                template = API + ("/" + bound.prefix.strip("/") if bound.prefix.strip("/") else "") + path
                template = re.sub(r"/+", "/", template)
                params = tuple(re.findall(r"{(\w+)}", template))
                gate = getattr(operation, "beheer_gate", None)
                yield Route("api", operation.view_func.__name__, template, params, gate)


def all_routes() -> list[Route]:
    return [*_page_routes(get_resolver().url_patterns), *_api_routes()]


# --------------------------------------------------------------------------------------------------
# the school and its canaries


class School:
    """The demo school with canaries planted in caller A's data and in staff-only data."""

    def __init__(self) -> None:
        call_command("load_demo", meldingen=12, stdout=_Quiet())
        from beheer.servicedesk.models import Melding

        self.a = make_person(Role.CALLER, username="walker.a", last_name=f"Vos {CANARY_A}")
        self.b = make_person(Role.CALLER, username="walker.b", last_name="Bakker")
        self.people = {
            "anonymous": None,
            "caller_a": self.a,
            "caller_b": self.b,
            "operator": User.objects.get(username="demo.behandelaar"),
            "coordinator": User.objects.filter(role=Role.COORDINATOR, is_active=True).first(),
            "administrator": User.objects.get(username="demo.beheerder"),
        }
        # A's melding: one of the demo caller's, taken over, with the canary in its texts.
        self.melding = (
            Melding.objects.filter(parent=None, caller__username="demo.melder").order_by("id").first()
        )
        assert self.melding is not None
        Melding.objects.filter(pk=self.melding.pk).update(
            caller=self.a, brief_description=f"Printer {CANARY_A} lokaal 2", request=f"Papier {CANARY_A}"
        )
        self.melding.refresh_from_db()
        self.b_melding = (
            Melding.objects.exclude(pk=self.melding.pk).filter(parent=None).order_by("id").first()
        )
        Melding.objects.filter(pk=self.b_melding.pk).update(caller=self.b)
        self._plant()
        self._plant_security_incident()

    def _plant(self) -> None:
        from beheer.servicedesk import services

        operator = self.people["operator"]
        services.add_note(
            self.melding, text=f"Intern: {CANARY_S} wachtwoord reset", actor=operator, visibility="internal"
        )
        services.add_note(self.melding, text=f"Voor Anna: {CANARY_A}", actor=operator, visibility="caller")
        # A's melding is about the school's printer, which A neither owns nor uses: its name is for staff
        from beheer.cmdb import services as cmdb_services
        from beheer.cmdb.models import CiType
        from beheer.servicedesk.models import Melding

        printer = cmdb_services.create_item(
            actor=self.people["administrator"],
            data=cmdb_services.ItemData(
                name=f"Printer {CANARY_S}", ci_type=CiType.objects.get(code="printer")
            ),
        )
        Melding.objects.filter(pk=self.melding.pk).update(ci=printer)
        self.melding.refresh_from_db()

    def _plant_security_incident(self) -> None:
        """A call of caller A about the same printer, made a security incident by a security officer
        who is none of the walked people: nobody walked may see it by any route (A neither: it left
        their portal). It is linked to A's call, to the problem and the printer, has notes, an
        attachment and mails, and is resolved (so similar-call suggestions would offer it)."""
        from beheer.accounts import services as accounts
        from beheer.problems import services as problems
        from beheer.servicedesk import services
        from beheer.servicedesk.models import Melding

        admin = self.people["administrator"]
        self.officer = make_person(Role.OPERATOR, username="walker.officer", last_name="Smit")
        accounts.set_officer_marks(self.officer, security_officer=True, privacy_officer=False, actor=admin)
        secret = services.open_melding(
            actor=self.officer,
            brief_description=f"Printer lokaal 2 {CANARY_R}",
            request=f"Phishing via de printer {CANARY_R}",
            entry_type="phone",
            caller=self.a,
            ci=self.ci,
        )
        services.add_note(secret, text=f"Intern {CANARY_R}", actor=self.officer, visibility="internal")
        services.add_note(secret, text=f"Voor Anna {CANARY_R}", actor=self.officer, visibility="caller")
        upload = SimpleUploadedFile(f"{CANARY_R}.txt", f"bijlage {CANARY_R}".encode(), "text/plain")
        services.add_attachment(secret, upload=upload, actor=self.officer)
        services.link_meldingen(secret, other=self.melding, actor=self.officer)
        problems.link_melding(self.problem, melding=secret, actor=self.officer)
        secret = services.make_security_incident(secret, actor=self.officer)
        secret.refresh_from_db()
        secret = services.resolve_melding(
            secret, solution=f"Opgelost {CANARY_R}", actor=self.officer, expected_version=secret.version
        )
        self.secret = Melding.objects.get(pk=secret.pk)

    # objects for path parameters, made when a route asks for them --------------------------------

    @cached_property
    def attachment(self) -> Any:
        from beheer.servicedesk import services

        upload = SimpleUploadedFile(f"{CANARY_A}.txt", f"bijlage {CANARY_A}".encode(), "text/plain")
        return services.add_attachment(self.melding, upload=upload, actor=self.a)

    @cached_property
    def article(self) -> Any:
        from beheer.knowledge.models import Article

        article = Article.objects.filter(audience="operators").order_by("id").first()
        assert article is not None, "the demo has an article for operators only"
        Article.objects.filter(pk=article.pk).update(title=f"Procedure {CANARY_S}")
        from beheer.knowledge import services

        services.set_article_cis(article, actor=self.people["administrator"], ci_ids=[self.ci.pk])
        return article

    @cached_property
    def article_attachment(self) -> Any:
        from beheer.knowledge import services
        from beheer.knowledge.models import ArticleAttachment

        found = ArticleAttachment.objects.filter(article=self.article).first()
        if found is None:
            upload = SimpleUploadedFile(f"{CANARY_S}.txt", b"schema", "text/plain")
            found = services.add_attachment(self.article, upload=upload, actor=self.people["administrator"])
        return found

    @cached_property
    def category(self) -> Any:
        return self.article.category

    @cached_property
    def design_version(self) -> Any:
        """A functional design whose client is A, waiting for A's decision (A's data)."""
        from beheer.knowledge import services

        author = self.people["operator"]
        body = f"## Beveiliging en privacy\n\nAlleen {CANARY_A} en de school.\n"
        article = services.create_article(
            actor=author, title=f"Ontwerp {CANARY_A}", kind="functional_design", body=body, client=self.a
        )
        article = services.submit_for_review(article, actor=author, expected_version=article.version)
        return article.draft_version

    @cached_property
    def check(self) -> Any:
        from beheer.monitoring.models import Check

        check = Check.objects.filter(kind="http").order_by("id").first()
        Check.objects.filter(pk=check.pk).update(name=f"Server {CANARY_S}")
        return check

    @cached_property
    def window(self) -> Any:
        from beheer.monitoring.models import MaintenanceWindow

        window = MaintenanceWindow.objects.order_by("id").first()
        MaintenanceWindow.objects.filter(pk=window.pk).update(name=f"Onderhoud {CANARY_S}")
        return window

    @cached_property
    def problem(self) -> Any:
        from beheer.problems.models import Problem

        problem = Problem.objects.exclude(status="closed").order_by("id").first()  # one that links
        Problem.objects.filter(pk=problem.pk).update(title=f"Probleem {CANARY_S}")
        return problem

    @cached_property
    def series(self) -> Any:
        from beheer.operations.models import ActivitySeries

        return ActivitySeries.objects.order_by("id").first()

    @cached_property
    def occurrence(self) -> Any:
        from beheer.operations.models import Occurrence

        return Occurrence.objects.order_by("id").first()

    @cached_property
    def ci(self) -> Any:
        """A server that caller A owns and uses, with a custom attribute and a service running on it:
        the CMDB's screens and API are for staff all the same. Its name is A's (the portal offers
        it among A's objects), its description the staff's."""
        from beheer.cmdb import services
        from beheer.cmdb.models import CiType

        admin = self.people["administrator"]
        server_type = CiType.objects.get(code="server")
        services.save_attribute(
            None,
            actor=admin,
            ci_type=server_type,
            data=services.AttributeData(code="ram-gb", label_nl="Geheugen", label_en="Memory", kind="number"),
        )
        server = services.create_item(
            actor=admin,
            data=services.ItemData(
                name=f"Server {CANARY_A}",
                description=f"Rack {CANARY_S}",
                ci_type=server_type,
                owner=self.a,
                users=[self.a],
                attributes={"ram-gb": "16"},
            ),
        )
        app = services.create_item(
            actor=admin,
            data=services.ItemData(name=f"Roosters {CANARY_S}", ci_type=CiType.objects.get(code="service")),
        )
        services.add_relation(app, actor=admin, target=server, kind="runs_on")
        return server

    @cached_property
    def licence(self) -> Any:
        """A per-device licence assigned to the server, for the licence screens and API."""
        from datetime import date

        from beheer.cmdb import services

        admin = self.people["administrator"]
        licence = services.create_licence(
            actor=admin,
            data=services.LicenceData(
                product=f"Back-up {CANARY_S}",
                licence_model="per_device",
                start_date=date(2026, 1, 1),
                entitlements=2,
            ),
        )
        services.assign_licence(licence, actor=admin, ci=self.ci)
        return licence

    @cached_property
    def access_right(self) -> Any:
        """Caller A's granted right on a neutral application (its approver the coordinator), with
        A's canary in its reason; a review campaign over it."""
        from datetime import timedelta

        from beheer.cmdb import services as cmdb_services
        from beheer.cmdb.models import CiType
        from beheer.core import clock
        from beheer.rights import services

        admin = self.people["administrator"]
        coordinator = self.people["coordinator"]
        operator = self.people["operator"]
        app = cmdb_services.create_item(
            actor=admin,
            data=cmdb_services.ItemData(
                name="Leerlingvolgsysteem", ci_type=CiType.objects.get(code="application"), owner=coordinator
            ),
        )
        right = services.request_right(
            actor=self.a,
            data=services.RequestData(person=self.a, ci=app, right="lezen", reason=f"Mentor {CANARY_A}"),
        )
        right = services.approve_right(right, actor=coordinator, expected_version=right.version)
        right = services.grant_right(right, actor=operator, expected_version=right.version)
        services.start_campaign(
            actor=coordinator, name="Walker", deadline=clock.now().date() + timedelta(days=7), cis=[app]
        )
        return right

    @cached_property
    def import_job(self) -> Any:
        """A checked CMDB import of the operator's, with staff data in its report."""
        from beheer.cmdb.services.imports import jobs

        return jobs.start_job(
            actor=self.people["operator"],
            data=f"name;type;asset_tag\nServer;server;{CANARY_S}\n".encode(),
            filename="cis.csv",
            kind="cis",
            key=None,
            partial=False,
        )

    @cached_property
    def licence_file(self) -> Any:
        """A version of a file of the licence, with staff-only content and name."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from beheer.cmdb import services

        upload = SimpleUploadedFile("key.txt", f"key {CANARY_S}".encode(), content_type="text/plain")
        return services.upload_licence_file(
            self.licence, actor=self.people["administrator"], upload=upload, name=f"Sleutel {CANARY_S}"
        )

    @cached_property
    def contract(self) -> Any:
        from datetime import date

        from beheer.cmdb import services
        from beheer.cmdb.models import Supplier

        return services.create_contract(
            actor=self.people["administrator"],
            data=services.ContractData(
                supplier=Supplier.objects.get_or_create(name="Dell")[0],
                kind="support",
                title=f"Support {CANARY_S}",
                start_date=date(2026, 1, 1),
                end_date=date(2027, 1, 1),
                covered_cis=[self.ci],
            ),
        )

    @cached_property
    def change(self) -> Any:
        """A change caller A requested (their text in its title and description), with staff-only
        work: a rollback plan, an activity, an affected CI and an approval asked of the administrator."""
        from beheer.accounts.models import OperatorGroup
        from beheer.changes import services
        from beheer.changes.models import ApprovalRule, Phase

        admin = self.people["administrator"]
        change = services.create_change(
            actor=admin,
            data=services.ChangeData(
                title=f"Wijziging {CANARY_A}",
                description=f"Verzoek {CANARY_A}",
                requester=self.a,
                client=self.a,
                likelihood=2,
                impact=2,
                rollback_plan=f"Terugval {CANARY_S}",
            ),
            cis=[self.ci],
        )
        # the client sees the plan's activity titles and dates in the portal (not who does them)
        services.add_activity(change, actor=admin, title=f"Stap {CANARY_A}", assignee=admin)
        cab = OperatorGroup.objects.create(name=f"CAB {CANARY_S}")
        cab.members.add(admin)
        ApprovalRule.objects.filter(kind="normal").update(
            operator_group=cab, service_owners=False, rule="all"
        )
        for code in ("assessment", "approval"):
            change.refresh_from_db()
            services.move_change(
                change, actor=admin, to_phase=Phase.objects.get(code=code), expected_version=change.version
            )
        change.refresh_from_db()
        return change

    @cached_property
    def feedback_request(self) -> Any:
        """Feedback on the change asked of caller A (a row as the evaluation's service writes it)."""
        from datetime import timedelta

        from beheer.changes.models import FeedbackRequest
        from beheer.core import clock

        now = clock.now()
        return FeedbackRequest.objects.create(
            change=self.change,
            person=self.a,
            name=str(self.a),
            email=self.a.email,
            token_hash="0" * 64,
            requested_at=now,
            expires_at=now + timedelta(days=30),
        )

    @cached_property
    def change_document(self) -> Any:
        """A document kept with the change, with staff-only content and name."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from beheer.changes import services

        upload = SimpleUploadedFile(
            f"plan-{CANARY_S}.txt", f"plan {CANARY_S}".encode(), content_type="text/plain"
        )
        return services.upload_document(self.change, actor=self.people["administrator"], upload=upload)

    @cached_property
    def change_cmdb_update(self) -> Any:
        """A CMDB update proposed for the change's activity."""
        from beheer.changes import services

        return services.propose_attribute_change(
            self.change.activities.first(),
            actor=self.people["administrator"],
            ci=self.ci,
            field="description",
            value=f"Nieuw {CANARY_S}",
        )

    @cached_property
    def testing(self) -> Any:
        """A change of caller A (the client) with its test plan: staff-only work (the scope, a lab,
        a run with a failed result, its evidence and finding) and an acceptance session in which
        callers A and B each carry out the case. Only A's own remark and screenshot carry A's
        canary, so B, invited to the same session, must never see them, nor anything staff-only."""
        from datetime import timedelta
        from types import SimpleNamespace

        from beheer.changes import services as changes
        from beheer.cmdb import services as cmdb
        from beheer.cmdb.models import CiType
        from beheer.core import clock
        from beheer.testing.models import ParticipantCase
        from beheer.testing.services import plans, runs, sessions
        from beheer.testing.services._base import plan_of
        from tests.sample_files import PNG

        admin = self.people["administrator"]
        change = changes.create_change(
            actor=admin,
            data=changes.ChangeData(title="Nieuwe wifi in de aula", requester=self.a, client=self.a),
        )
        plan = plan_of(change, actor=admin)
        plan = plans.save_plan(
            plan,
            actor=admin,
            expected_version=plan.version,
            scope=f"Scope {CANARY_S}",
            entry_criteria="",
            exit_criteria="",
            test_types=["acceptance"],
        )
        lab = cmdb.create_item(
            actor=admin,
            data=cmdb.ItemData(
                name=f"Lab {CANARY_S}", ci_type=CiType.objects.get(code="access_point"), environment="test"
            ),
        )
        environment = plans.add_environment(plan, actor=admin, ci=lab, purpose="test")
        requirement = changes.add_requirement(
            change, actor=admin, text="Iedereen kan inloggen", priority="must"
        )
        case = plans.add_case(
            plan,
            actor=admin,
            title="Inloggen op het nieuwe wifi",
            test_type="acceptance",
            steps=[("Kies eduroam en log in", "Je bent verbonden")],
            requirements=[requirement],
        )
        standard = plans.create_standard_case(
            actor=admin, title=f"Standaard {CANARY_S}", test_type="functional"
        )
        run = runs.start_run(plan, actor=admin, cases=[case], environment=lab, title=f"Ronde {CANARY_S}")
        result = run.results.get()
        result = runs.record_result(
            result,
            actor=admin,
            expected_version=result.version,
            outcome="failed",
            actual_result=f"Fout {CANARY_S}",
        )
        evidence = runs.add_result_evidence(
            result, actor=admin, upload=SimpleUploadedFile(f"{CANARY_S}.png", PNG, "image/png")
        )
        finding = result.findings.get()
        session = sessions.create_session(
            plan, actor=admin, title="Acceptatietest wifi", starts_at=clock.now() + timedelta(days=1)
        )
        mine = sessions.add_participant(session, actor=admin, person=self.a, cases=[case])
        sessions.add_participant(session, actor=admin, person=self.b, cases=[case])
        sessions.invite(session, actor=admin)
        own = ParticipantCase.objects.get(participant=mine)
        own = sessions.save_steps(
            own,
            actor=self.a,
            expected_version=own.version,
            steps=[sessions.StepAnswer(done=True, ok=False, remark=f"Lukt niet {CANARY_A}")],
        )
        screenshot = sessions.add_screenshot(
            own, actor=self.a, upload=SimpleUploadedFile(f"{CANARY_A}.png", PNG, "image/png")
        )
        return SimpleNamespace(
            change=change,
            environment=environment,
            case=case,
            standard=standard,
            run=run,
            result=result,
            evidence=evidence,
            finding=finding,
            session=session,
            participant=mine,
            own_case=own,
            screenshot=screenshot,
        )

    @cached_property
    def security(self) -> dict[str, Any]:
        """The security register's objects (tests/security_walker/)."""
        from tests import security_walker

        return security_walker.build(self)

    @cached_property
    def change_project(self) -> Any:
        from beheer.changes import services

        return services.create_project(
            actor=self.people["administrator"], data=services.ProjectData(name=f"Project {CANARY_S}")
        )


class _Quiet:
    def write(self, *_args: Any) -> None:
        pass

    def flush(self) -> None:
        pass


# A path parameter -> the object whose id fills it: by the route's URL name (pages) or by the
# parameter's name (API). None: the route takes no object of ours (a literal value is used).
def _first(model_path: str) -> Callable[[School], Any]:
    def find(_school: School) -> Any:
        module, _dot, name = model_path.rpartition(".")
        from importlib import import_module

        return import_module(module).__dict__[name].objects.order_by("id").first()

    return find


OBJECTS: dict[str, Callable[[School], Any]] = {
    "melding_id": lambda s: s.melding,
    "attachment_id": lambda s: s.attachment,
    "article_id": lambda s: s.article,
    "category_id": lambda s: s.category,
    "check_id": lambda s: s.check,
    "window_id": lambda s: s.window,
    "problem_id": lambda s: s.problem,
    "series_id": lambda s: s.series,
    "occurrence_id": lambda s: s.occurrence,
    "item_id": lambda s: s.ci,
    # the CMDB's network (the demo's)
    "interface_id": _first("beheer.cmdb.models.Interface"),
    "link_id": _first("beheer.cmdb.models.Link"),
    "vlan_id": _first("beheer.cmdb.models.Vlan"),
    "prefix_id": _first("beheer.cmdb.models.Prefix"),
    "address_id": _first("beheer.cmdb.models.IpAddress"),
    "design_template_id": _first("beheer.knowledge.models.DocumentTemplate"),
    "template_id": _first("beheer.changes.models.ChangeTemplate"),
    "licence_id": lambda s: s.licence,
    "contract_id": lambda s: s.contract,
    "assignment_id": lambda s: s.licence.assignments.get(),
    "right_id": lambda s: s.access_right,
    "campaign_id": lambda s: s.access_right.review_items.get().campaign,
    "ci_id": lambda s: s.access_right.ci,
    "person_id": lambda s: s.a,
    "job_id": lambda s: s.import_job,
    "file_version_id": lambda s: s.licence_file,
    "change_id": lambda s: s.change,
    "activity_id": lambda s: s.change.activities.first(),
    "document_id": lambda s: s.change_document,
    "update_id": lambda s: s.change_cmdb_update,
    "project_id": lambda s: s.change_project,
}

# Page routes: the object behind <pk> by URL name prefix (longest first).
PAGE_OBJECTS: dict[str, Callable[[School], Any]] = {
    "melding-": lambda s: s.melding,
    "portal-detail": lambda s: s.melding,
    "portal-action": lambda s: s.melding,
    "attachment-download": lambda s: s.attachment,
    "knowledge-attachment": lambda s: s.article_attachment,
    "knowledge-handbook": lambda s: s.category,
    "knowledge-": lambda s: s.article,
    "knowledge-design-template": _first("beheer.knowledge.models.DocumentTemplate"),
    "portal-design": lambda s: s.design_version,
    "portal-knowledge-detail": lambda s: s.article,
    "portal-suggestion-open": lambda s: s.article,
    "article-related-meldingen": lambda s: s.article,
    "problem-": lambda s: s.problem,
    "check-": lambda s: s.check,
    "window-": lambda s: s.window,
    "operations-occurrence": lambda s: s.occurrence,
    "operations-series": lambda s: s.series,
    "cmdb-item": lambda s: s.ci,
    "cmdb-licence": lambda s: s.licence,
    "cmdb-licence-file-": lambda s: s.licence_file,
    "cmdb-contract": lambda s: s.contract,
    "cmdb-relation": lambda s: s.ci,
    "cmdb-type": lambda s: s.ci.ci_type,
    "cmdb-attribute": lambda s: s.ci.ci_type,
    "cmdb-network-interface": _first("beheer.cmdb.models.Interface"),
    "cmdb-network-link": _first("beheer.cmdb.models.Link"),
    "cmdb-network-vlan": _first("beheer.cmdb.models.Vlan"),
    "cmdb-network-prefix": _first("beheer.cmdb.models.Prefix"),
    "cmdb-network-address": _first("beheer.cmdb.models.IpAddress"),
    "rights-": lambda s: s.access_right,
    "rights-campaign": lambda s: s.access_right.review_items.get().campaign,
    "rights-item": lambda s: s.access_right.review_items.get().campaign,
    "cmdb-import-job": lambda s: s.import_job,
    "change-": lambda s: s.change,
    "change-project": lambda s: s.change_project,
    "change-approval": lambda s: s.change.approvals.first(),
    "change-phase-edit": _first("beheer.changes.models.Phase"),
    "change-rule-edit": _first("beheer.changes.models.ApprovalRule"),
    "change-template-edit": _first("beheer.changes.models.ChangeTemplate"),
    "portal-change": lambda s: s.change,
    "portal-change-feedback-answer": lambda s: s.feedback_request,
}

# Literal values for parameters that name no object of ours.
LITERALS: dict[str, str] = {
    "action": "note",
    "event": "melding_created",
    "language": "nl",
    "number": "1",
}


# Test management (pages under /changes/<pk>/tests/, /testing/ and /portal/acceptance/, the API under
# /testing and /portal/acceptance) is filled from the school's test world, a change of its own.
TESTING: dict[str, Callable[[School], Any]] = {
    "change_id": lambda s: s.testing.change,
    "pk": lambda s: s.testing.change,
    "case_pk": lambda s: s.testing.case,
    "case_id": lambda s: s.testing.case,
    "env_pk": lambda s: s.testing.environment,
    "environment_id": lambda s: s.testing.environment,
    "run_pk": lambda s: s.testing.run,
    "run_id": lambda s: s.testing.run,
    "result_pk": lambda s: s.testing.result,
    "result_id": lambda s: s.testing.result,
    "evidence_pk": lambda s: s.testing.evidence,
    "evidence_id": lambda s: s.testing.evidence,
    "finding_pk": lambda s: s.testing.finding,
    "finding_id": lambda s: s.testing.finding,
    "session_pk": lambda s: s.testing.session,
    "session_id": lambda s: s.testing.session,
    "participant_pk": lambda s: s.testing.participant,
    "participant_id": lambda s: s.testing.participant,
    "pc_id": lambda s: s.testing.own_case,
    "screenshot_pk": lambda s: s.testing.screenshot,
    "fmt": lambda s: "csv",
}


def _is_testing(route: Route) -> bool:
    return any(part in route.template for part in ("/tests/", "/testing/", "/acceptance"))


def _testing_finder(route: Route, param: str) -> Callable[[School], Any] | None:
    template = route.template
    if not _is_testing(route):
        return None
    if param in ("pk", "case_id") and "/library/" in template:
        return lambda s: s.testing.standard  # the library's standard cases
    if param == "case_pk" and "/acceptance/" in template:
        return lambda s: s.testing.own_case  # the portal's cases are the user's own
    return TESTING.get(param)


def _security_finder(route: Route, param: str) -> Callable[[School], Any] | None:
    from tests import security_walker

    if not security_walker.is_security(route.template):
        return None
    key = security_walker.finder(route.template, param)
    if key is None:
        return None
    return lambda s: s.security[key]


def _fill(route: Route, school: School) -> tuple[str, Any] | None:
    """The route's path for the school's object, and that object; None when a parameter cannot be
    filled (the test names those routes)."""
    values: dict[str, str] = {}
    subject: Any = None
    for param in route.params:
        if param in LITERALS:
            values[param] = LITERALS[param]
            continue
        finder = _testing_finder(route, param) or _security_finder(route, param) or OBJECTS.get(param)
        if finder is None and route.kind == "page":
            prefix = max((p for p in PAGE_OBJECTS if route.name.startswith(p)), key=len, default=None)
            finder = PAGE_OBJECTS.get(prefix) if prefix is not None and param == "pk" else None
        if finder is None:
            finder = EXTRA.get((route.name, param)) or EXTRA.get(("*", param))
        if finder is None:
            return None
        found = finder(school)
        if found is None:
            values[param] = str(MISSING)
            continue
        value = getattr(found, "pk", found)
        values[param] = str(value)
        if hasattr(found, "pk") and (subject is None or _is_testing(route)):
            subject = found  # in test management the innermost object (the user's case in a session)
    return route.template.format(**values), subject


def _token_of(user: User) -> Any:
    from beheer.accounts import services

    token, _secret = services.issue_api_token(user, name=f"Script {CANARY_A}", actor=user)
    return token


EXTRA: dict[tuple[str, str], Callable[[School], Any]] = {
    ("token-revoke", "token_id"): lambda s: _token_of(s.a),
    ("token_delete", "token_id"): lambda s: _token_of(s.a),
    ("*", "token"): lambda s: type("Push", (), {"pk": s.check.push_token or "onbekend"})(),
    ("*", "slug"): _first("beheer.monitoring.models.StatusPage"),
    ("*", "article_pk"): lambda s: s.article,
    ("*", "attachment_pk"): lambda s: s.article_attachment,
    ("*", "subscription_id"): _first("beheer.knowledge.models.ArticleSubscription"),
    ("*", "rule_pk"): _first("beheer.mailintake.models.MailRule"),
    ("*", "message_id"): _first("beheer.notifications.models.OutgoingMessage"),
    ("*", "evidence_id"): _first("beheer.operations.models.Evidence"),
    ("*", "mailbox_id"): _first("beheer.mailintake.models.Mailbox"),
    ("*", "dead_letter_id"): _first("beheer.mailintake.models.DeadLetter"),
    ("*", "calendar_id"): _first("beheer.calendars.models.BusinessCalendar"),
    ("*", "policy_id"): _first("beheer.servicedesk.models.SlaPolicy"),
    ("*", "ola_id"): _first("beheer.servicedesk.models.OlaTarget"),
    ("*", "relation_pk"): lambda s: s.ci.relations_in.get(),
    ("*", "attribute_pk"): lambda s: s.ci.ci_type.attributes.get(code="ram-gb"),
    ("*", "assignment_pk"): lambda s: s.licence.assignments.get(),
    ("rights-policy", "ci_pk"): lambda s: s.access_right.ci,
    ("*", "person_pk"): lambda s: s.a,
    ("*", "item_pk"): lambda s: s.access_right.review_items.get(),
    ("*", "melding_pk"): lambda s: s.melding,
    ("change-ci-remove", "ci_pk"): lambda s: s.ci,
    ("*", "activity_pk"): lambda s: s.change.activities.first(),
    ("*", "document_pk"): lambda s: s.change_document,
    ("*", "update_pk"): lambda s: s.change_cmdb_update,
    ("*", "requirement_id"): _first("beheer.changes.models.Requirement"),
    ("*", "note_id"): _first("beheer.changes.models.NeedsNote"),
    ("*", "question_id"): _first("beheer.changes.models.OpenQuestion"),
    ("*", "stakeholder_id"): _first("beheer.changes.models.Stakeholder"),
    ("change-stakeholder-remove", "item"): _first("beheer.changes.models.Stakeholder"),
    ("change-requirement-edit", "item"): _first("beheer.changes.models.Requirement"),
    ("change-requirement-delete", "item"): _first("beheer.changes.models.Requirement"),
    ("change-note-edit", "item"): _first("beheer.changes.models.NeedsNote"),
    ("change-note-delete", "item"): _first("beheer.changes.models.NeedsNote"),
    ("change-question-answer", "item"): _first("beheer.changes.models.OpenQuestion"),
    ("change-question-delete", "item"): _first("beheer.changes.models.OpenQuestion"),
    ("change-design-unlink", "item"): _first("beheer.changes.models.ChangeDesign"),
}
for _name, _model in {
    "report-schedule-cancel": "beheer.reports.models.ScheduledReport",
    "report-run-download": "beheer.reports.models.ReportRun",
    "notification-message": "beheer.notifications.models.OutgoingMessage",
    "notification-webhook": "beheer.notifications.models.WebhookEndpoint",
    "mail-mailbox": "beheer.mailintake.models.Mailbox",
    "mail-rule": "beheer.mailintake.models.Mailbox",
    "mail-dead-letter": "beheer.mailintake.models.DeadLetter",
    "sla-calendar": "beheer.calendars.models.BusinessCalendar",
    "sla-policy": "beheer.servicedesk.models.SlaPolicy",
    "sla-ola": "beheer.servicedesk.models.OlaTarget",
    "operations-evidence": "beheer.operations.models.Evidence",
}.items():
    PAGE_OBJECTS[_name] = _first(_model)


# --------------------------------------------------------------------------------------------------
# requests


def _client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    if user is not None:
        client.force_login(user)
    return client


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        chunks = []
        for n, chunk in enumerate(response.streaming_content):
            chunks.append(chunk if isinstance(chunk, bytes) else str(chunk).encode())
            if n > 2000:
                break
        data = b"".join(chunks)
    else:
        data = response.content
    return data.decode("utf-8", "replace")


def _with_missing(url: str, pk: int, *, last: bool = False) -> str:
    if last:  # the innermost occurrence (test management's subject)
        head, sep, tail = url.rpartition(f"/{pk}")
        return f"{head}/{MISSING}{tail}" if sep and re.match(r"$|[/?.]", tail) else url
    return re.sub(rf"/{pk}(?=$|[/?.])", f"/{MISSING}", url, count=1)


def _below(role: str, gate: access.Gate | None, people: dict[str, User | None]) -> bool:
    return gate is not None and not access.admits(gate.audience, people[role])


# --------------------------------------------------------------------------------------------------
# tests


def test_every_route_declares_its_audience() -> None:
    """The URLconf and the API refuse to start with an undeclared route; nothing slipped past."""
    from beheer import urls

    assert urls.UNGUARDED == []
    assert api_root.UNGUARDED == []
    undeclared = [str(r) for r in all_routes() if r.gate is None]
    assert undeclared == []


def test_a_route_without_an_audience_is_refused_at_start() -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.http import HttpResponse
    from django.urls import path

    def forgotten(request: Any) -> HttpResponse:
        return HttpResponse("open")

    forgotten.__module__ = "tests.nowhere"
    with pytest.raises(ImproperlyConfigured, match="declares no audience"):
        access.guard_urlpatterns([path("vergeten/", forgotten)], skip=lambda _r: False)


def test_every_route_as_every_role_leaks_nothing() -> None:
    school = School()
    clients = {role: _client(user) for role, user in school.people.items()}
    routes = all_routes()
    unfilled = [str(r) for r in routes if _fill(r, school) is None]
    assert unfilled == [], "give these routes an object in OBJECTS, PAGE_OBJECTS, EXTRA or LITERALS"

    problems: list[str] = []
    seen: dict[str, set[str]] = {CANARY_A: set(), CANARY_S: set()}
    for route in routes:
        filled = _fill(route, school)
        assert filled is not None
        url, subject = filled
        for role, client in clients.items():
            response = client.get(url)
            body = _body(response)
            where = f"{role} GET {url} ({route.name})"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            for canary in (CANARY_A, CANARY_S):
                if canary in body:
                    seen[canary].add(role)
            if CANARY_R in body:
                problems.append(f"{where}: shows a security incident")
            if role in ("anonymous", "caller_b") and (CANARY_A in body or CANARY_S in body):
                problems.append(f"{where}: shows a canary")
            if role == "caller_a" and CANARY_S in body:
                problems.append(f"{where}: shows staff data to a caller")
            if _below(role, route.gate, school.people):
                expected = {302} if role == "anonymous" and route.kind == "page" else {401, 403, 404}
                if route.kind == "page" and role != "anonymous":
                    expected = {403, 404}
                if response.status_code not in expected:
                    problems.append(f"{where}: {response.status_code} below the route's audience")
            # An object the role may not see answers like one that does not exist.
            refused = response.status_code >= 400 or (role == "anonymous" and response.status_code == 302)
            if subject is not None and role in ("anonymous", "caller_a", "caller_b") and refused:
                other = client.get(_with_missing(url, subject.pk, last=_is_testing(route)))
                expected_body = body.replace(str(subject.pk), str(MISSING))
                same_body = route.kind != "api" or _body(other) == expected_body
                if other.status_code != response.status_code or not same_body:
                    problems.append(
                        f"{where}: a foreign id answers {response.status_code}, "
                        f"a missing one {other.status_code}"
                    )
    assert not problems, "\n".join(problems)
    # the canaries are real: their owners and the staff do see them somewhere
    assert {"caller_a", "operator", "administrator"} <= seen[CANARY_A]
    assert {"operator", "administrator"} <= seen[CANARY_S]
    # the security incident is real too: its security officer reads it, on the page and in the API
    officer = _client(school.officer)
    assert CANARY_R in _body(officer.get(f"/meldingen/{school.secret.pk}/"))
    assert CANARY_R in _body(officer.get(f"{API}/meldingen/{school.secret.pk}"))
