"""A world with rows of every kind, grown in rounds through the services, for the query-budget tests.

`World.grow(n)` adds n of every kind: people (callers, operators, a coordinator) with departments,
branches and locations; operator groups; suppliers; categories; meldingen with notes, history, time,
attachments, links, partial incidents, linked articles, escalated, resolved and closed ones;
problems with linked meldingen; articles with versions, attachments, subscriptions and
acknowledgements; checks with results and roll-ups, push checks, alert sources, public status
pages; maintenance windows; preventive series with done, skipped and anomalous occurrences and
evidence; outbox messages, webhooks and templates; mailboxes with rules and dead letters; scheduled
reports; SLA calendars, policies and OLAs; API tokens; deflection records.

Besides new objects, every round gives more children to the same parents (`World.parents`, made in
the first round): a melding's notes, time, attachments, links, articles, partials and history; a
problem's meldingen and history; an article's versions, attachments, subscriptions,
acknowledgements and meldingen, and its category's articles; a check's results, state changes,
windows and history; a window's history; a series' occurrences; an occurrence's evidence; a
mailbox's rules, dead letters and history; a status page's entries; a business calendar's closing
days, an SLA policy's departments and branches, and the history of these and of an OLA. The routes
with a path parameter are measured on these parents, so "more rows under the same parent" is what
they see.

Rows are written through the services; only configuration rows that the Django admin edits
directly (departments, branches, locations, suppliers, categories, knowledge categories, status
pages) are created as the admin does.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts import services as account_services
from beheer.accounts.models import Branch, Department, Location, OperatorGroup, Role, User
from beheer.calendars import services as calendars
from beheer.calendars.models import BusinessCalendar
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem, Prefix, Supplier
from beheer.cmdb.services.imports import jobs as import_jobs
from beheer.core import clock
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Article, Audience, Kind, KnowledgeCategory
from beheer.mailintake import services as mailintake
from beheer.mailintake.models import Mailbox
from beheer.monitoring import services as monitoring
from beheer.monitoring.alertmanager import InboundMessage
from beheer.monitoring.models import Check, MaintenanceWindow, StatusPage, StatusPageEntry
from beheer.notifications import services as notifications
from beheer.operations import services as operations
from beheer.operations.models import ActivitySeries, Occurrence
from beheer.problems import services as problem_services
from beheer.problems.models import Problem
from beheer.reports import services as reports
from beheer.rights import services as rights
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    CallType,
    Category,
    ClosureCode,
    EntryType,
    Impact,
    Melding,
    OlaTarget,
    Priority,
    SlaPolicy,
    Status,
    Urgency,
)
from beheer.servicedesk.services import sla_config
from tests.helpers import make_person, run_job

_seq = itertools.count(1)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\xdac\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
RAW_MAIL = b"From: broken@school.example\r\nSubject: kapot\r\n\r\nNiet te lezen.\r\n"


def _status(code: str) -> Status:
    return Status.objects.get(code=code)


@dataclass
class Parents:
    """One object of each kind that gains children in every round."""

    melding: Melding
    problem: Problem
    article: Article
    category: KnowledgeCategory
    check: Check
    window: MaintenanceWindow
    window_start: datetime
    series: ActivitySeries
    occurrence: Occurrence
    mailbox: Mailbox
    status_page: StatusPage
    calendar: BusinessCalendar
    policy: SlaPolicy
    ola: OlaTarget


@dataclass
class World:
    admin: User
    caller: User
    operator: User
    coordinator: User
    first_line: OperatorGroup
    second_line: OperatorGroup
    callers: list[User] = field(default_factory=list)
    meldingen: list[Melding] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    parents: Parents | None = None
    rounds: int = 0
    ci: ConfigurationItem | None = None  # the CMDB's parent: gains relations, users and history
    licence: Any = None  # the CMDB's parent licence: gains assignments
    contract: Any = None  # the CMDB's parent contract: covers more CIs
    application: ConfigurationItem | None = None  # the register's parent CI: gains rights
    import_job: Any = None  # a checked CMDB import
    change: Any = None  # the parent change: gains CIs, activities, approvals and history
    change_project: Any = None  # the parent project: gains changes
    testing: Any = None  # the parent change's tests: gain cases, runs, findings and session users
    security: Any = None  # the security register's parents: gain implementations, evidence, history

    @classmethod
    def create(cls) -> World:
        admin = make_person(Role.ADMIN, first_name="Ada", last_name="Admin")
        first_line = account_services.create_operator_group(
            name="Servicedesk", is_first_line=True, is_second_line=False, actor=None
        )
        second_line = account_services.create_operator_group(
            name="Systeembeheer", is_first_line=False, is_second_line=True, actor=None
        )
        operator = make_person(Role.OPERATOR, first_name="Olga", last_name="Operator")
        account_services.add_group_member(first_line, member=operator, actor=None)
        account_services.add_group_member(second_line, member=admin, actor=None)
        caller = make_person(Role.CALLER, first_name="Anna", last_name="Aanmelder")
        coordinator = make_person(Role.COORDINATOR, first_name="Coby", last_name="Coordinator")
        account_services.add_group_member(second_line, member=coordinator, actor=None)
        return cls(
            admin=admin,
            caller=caller,
            operator=operator,
            coordinator=coordinator,
            first_line=first_line,
            second_line=second_line,
        )

    # ----------------------------------------------------------------------------------------------

    def grow(self, n: int) -> None:
        """Add n rows of every kind (each round with new names)."""
        for _ in range(n):
            i = next(_seq)
            self._organisation(i)
            article = self._article(i)
            melding = self._melding(i, article)
            self._problem(i, melding)
            self._check(i)
            self._window(i)
            self._series(i)
            self._notifications(i)
            self._mail(i)
            self._configuration(i)
            self._leftovers(i)
            self._children(i)
            _cmdb(self, i)
            _rights(self, i)
            _security(self, i)
        run_job("monitoring.roll_up")

    def _organisation(self, i: int) -> None:
        branch = Branch.objects.create(name=f"Vestiging {i}", city="Utrecht")
        department = Department.objects.create(name=f"Afdeling {i}")
        location = Location.objects.create(branch=branch, name=f"Lokaal {i}")
        person = make_person(
            Role.CALLER,
            first_name=f"Bea{i}",
            last_name="Beller",
            department=department,
            branch=branch,
            location=location,
            phone=f"0612345{i:03d}",
        )
        colleague = make_person(Role.OPERATOR, first_name=f"Piet{i}", last_name="Behandelaar")
        account_services.add_group_member(self.first_line, member=colleague, actor=None)
        account_services.add_group_member(self.second_line, member=colleague, actor=None)
        group = account_services.create_operator_group(
            name=f"Groep {i}", is_first_line=False, is_second_line=True, actor=self.admin
        )
        account_services.add_group_member(group, member=colleague, actor=self.admin)
        make_person(Role.COORDINATOR, first_name=f"Cor{i}", last_name="Coordinator")
        Supplier.objects.create(name=f"Leverancier {i}", email=f"support{i}@supplier.example")
        parent = Category.objects.create(name=f"Categorie {i}", name_en=f"Category {i}")
        Category.objects.create(name=f"Sub {i}", parent=parent)
        account_services.issue_api_token(person, name=f"token {i}", actor=person)
        account_services.issue_api_token(self.admin, name=f"admin token {i}", actor=self.admin)
        self.callers.append(person)

    def _article(self, i: int) -> Article:
        category = KnowledgeCategory.objects.create(
            code=f"kennis-{i}", name_nl=f"Kennis {i}", name_en=f"Knowledge {i}"
        )
        article = knowledge.create_article(
            actor=self.admin,
            title=f"Printer {i} herstarten",
            body=f"Zet de printer {i} uit en weer aan.\n\n- stap 1\n- stap 2",
            kind=Kind.INSTRUCTION,
            audience=Audience.CALLERS,
            category=category,
            tags=["printer", f"tag{i}"],
            owner=self.operator,
        )
        knowledge.add_attachment(
            article, upload=SimpleUploadedFile(f"scherm{i}.png", PNG, "image/png"), actor=self.admin
        )
        article = _publish(article, self.admin, self.operator)
        article = knowledge.save_draft(
            article,
            actor=self.admin,
            expected_version=article.version,
            title=f"Printer {i} herstarten (nieuw)",
            body="Nieuwe tekst.",
            change_note="bijgewerkt",
        )
        article = _publish(article, self.admin, self.operator)
        knowledge.subscribe(article, actor=self.admin, operator_group=self.first_line)
        knowledge.subscribe(article, actor=self.operator, user=self.operator)
        article = knowledge.set_acknowledgement_required(
            article, actor=self.admin, expected_version=article.version, required=True
        )
        knowledge.acknowledge(article, actor=self.operator)
        knowledge.create_article(actor=self.operator, title=f"Concept {i}", body="nog niet klaar")
        # a functional design whose client is the caller, waiting for (or with) the caller's decision
        design = knowledge.create_article(
            actor=self.operator,
            title=f"Ontwerp {i}",
            kind=Kind.FUNCTIONAL_DESIGN,
            client=self.caller,
            body=f"## Beveiliging en privacy\n\nAlleen docenten {i}. [REQ-{i}]\n",
        )
        design = knowledge.submit_for_review(design, actor=self.operator, expected_version=design.version)
        waiting = design.draft_version
        assert waiting is not None
        knowledge.approve_version(waiting, actor=self.admin, role="reviewer", decision="approved")
        if i % 2:
            knowledge.approve_version(waiting, actor=self.caller, role="client", decision="approved")
        token = secrets.token_urlsafe(16)
        services.record_shown(token, user=self.caller, query=f"printer {i}", article_ids=[article.pk])
        services.record_click(token, user=self.caller, article_id=article.pk)
        self.articles.append(article)
        return article

    def _melding(self, i: int, article: Article) -> Melding:
        op = self.operator
        category = Category.objects.filter(parent__isnull=True).order_by("-pk").first()
        supplier = Supplier.objects.order_by("-pk").first()
        m = services.open_melding(
            actor=op,
            brief_description=f"Printer {i} drukt niet af",
            request=f"De printer in lokaal {i} geeft een papierstoring.",
            entry_type=EntryType.PHONE,
            caller=self.caller,
            category=category,
            operator_group=self.first_line,
            operator=op,
        )
        services.add_note(m, text=f"Intern {i}", visibility="internal", actor=op)
        services.add_note(m, text=f"Beste Anna {i}", visibility="caller", actor=op)
        services.register_time(m, minutes=10 + i, note=f"stap {i}", actor=op)
        services.add_attachment(m, upload=SimpleUploadedFile(f"log{i}.txt", b"regel\n"), actor=op)
        other = services.open_melding(
            actor=op,
            brief_description=f"Ook printer {i} kapot",
            entry_type=EntryType.EMAIL,
            caller=self.callers[-1],
            operator_group=self.first_line,
        )
        services.link_meldingen(m, other=other, actor=op)
        services.link_article(m, article=article, actor=op)
        services.create_partial(
            m, brief_description=f"Deel {i}", operator_group=self.second_line, supplier=supplier, actor=op
        )
        m = services.change_status(m, status=_status("in_progress"), actor=op, expected_version=None)
        m = services.change_status(
            m, status=_status("waiting_supplier"), supplier=supplier, actor=op, expected_version=None
        )
        escalated = services.open_melding(
            actor=op,
            brief_description=f"Server {i} traag",
            entry_type=EntryType.PORTAL,
            caller=self.caller,
            operator_group=self.first_line,
        )
        services.escalate_melding(
            escalated, to_group=self.second_line, reason="specialist", actor=op, expected_version=None
        )
        done = services.open_melding(
            actor=op,
            brief_description=f"Wachtwoord {i} vergeten",
            entry_type=EntryType.PHONE,
            caller=self.caller,
            operator_group=self.first_line,
        )
        services.register_time(done, minutes=5, actor=op)
        done = services.resolve_melding(
            done,
            solution="Wachtwoord opnieuw ingesteld.",
            closure_code=ClosureCode.objects.first(),
            actor=op,
            expected_version=None,
            article=article,
        )
        services.close_melding(done, actor=op, expected_version=None)
        solved = services.open_melding(
            actor=self.caller, brief_description=f"Beamer {i} doet niets", entry_type=EntryType.PORTAL
        )
        solved = services.resolve_melding(
            solved, solution="Kabel vervangen.", actor=op, expected_version=None
        )
        services.confirm_resolution(solved, actor=self.caller, rating=4, comment="Snel geholpen.")
        reopened = services.open_melding(
            actor=self.caller, brief_description=f"Wifi {i} valt weg", entry_type=EntryType.PORTAL
        )
        reopened = services.resolve_melding(
            reopened, solution="Router herstart.", actor=op, expected_version=None
        )
        services.reopen_melding(reopened, reason="Weer weg.", actor=self.caller)
        duplicate = services.open_melding(
            actor=op,
            brief_description=f"Printer {i} (dubbel)",
            entry_type=EntryType.PHONE,
            caller=self.caller,
        )
        services.merge_melding(duplicate, into=m, actor=op)
        self.meldingen.append(m)
        return m

    def _problem(self, i: int, melding: Melding) -> None:
        problem = problem_services.open_problem(
            actor=self.operator,
            title=f"Printers {i} vallen uit",
            description="Meerdere lokalen.",
            workaround="De printer herstarten.",
            operator_group=self.second_line,
            operator=self.admin,
        )
        problem_services.link_melding(problem, melding=melding, actor=self.operator)
        problem = problem_services.analyse_problem(problem, actor=self.operator, expected_version=None)
        problem = problem_services.mark_known_error(problem, actor=self.operator, expected_version=None)
        problem_services.create_known_error_article(problem, actor=self.operator, expected_version=None)
        problem_services.open_problem(actor=self.admin, title=f"Netwerk {i} traag")

    def _check(self, i: int) -> None:
        parent = monitoring.create_check(
            actor=self.admin,
            data=monitoring.CheckData(
                name=f"Router {i}",
                kind="ping",
                target=f"router{i}.school.example",
                host=f"router{i}",
                tags="net",
            ),
        )
        web = monitoring.create_check(
            actor=self.admin,
            data=monitoring.CheckData(
                name=f"Website {i}",
                kind="http",
                target=f"https://www{i}.school.example/",
                host=f"web{i:02d}",
                tags=f"web, school{i}",
                parent=parent,
                max_attempts=1,
                operator_group=self.first_line,
                latency_target_ms=500,
            ),
        )
        push = monitoring.create_check(
            actor=self.operator, data=monitoring.CheckData(name=f"Back-up {i}", kind="push", tags="backup")
        )
        now = clock.now()
        for check, ok in ((parent, True), (web, True), (web, False), (push, True)):
            for k in range(3):
                monitoring.record_result(
                    check, ok=ok, at=now - timedelta(minutes=30 - 10 * k), latency_ms=80 + k, detail="ok"
                )
        _source, token = monitoring.create_alert_source(
            actor=self.admin, name=f"Alertmanager {i}", operator_group=self.first_line
        )
        alert = {"status": "firing", "labels": {"alertname": f"Schijf {i} vol", "instance": f"fs{i:02d}"}}
        monitoring.receive_alerts(token, InboundMessage.model_validate({"alerts": [alert]}))
        page = StatusPage.objects.create(slug=f"school-{i}", title=f"Status {i}")
        StatusPageEntry.objects.create(page=page, check_obj=web, public_name=f"Website {i}", position=1)
        StatusPageEntry.objects.create(page=page, check_obj=push, public_name=f"Back-up {i}", position=2)
        self.checks += [parent, web, push]

    def _window(self, i: int) -> None:
        start = clock.now().replace(tzinfo=None, microsecond=0)
        monitoring.create_window(
            actor=self.admin,
            data=monitoring.WindowData(
                name=f"Patchnacht {i}",
                start=start - timedelta(minutes=10),
                duration_minutes=120,
                hosts=f"web{i:02d}",
                tags="net",
            ),
        )
        monitoring.create_window(
            actor=self.operator,
            data=monitoring.WindowData(
                name=f"Wekelijks {i}",
                start=start + timedelta(days=1),
                duration_minutes=60,
                rule="FREQ=WEEKLY;BYDAY=SU",
                checks=[c.pk for c in self.checks[-3:]],
            ),
        )

    def _series_cis(self, i: int) -> list[ConfigurationItem]:
        """A file server of its own and the shared backup NAS, found or made in the CMDB."""
        server = CiType.objects.get(code="server")
        found = []
        for name in (f"fs{i:02d}", "nas02"):
            ci = ConfigurationItem.objects.filter(name=name).first()
            if ci is None:
                ci = cmdb.create_item(actor=self.operator, data=cmdb.ItemData(name=name, ci_type=server))
            found.append(ci)
        return found

    def _series(self, i: int) -> None:
        today = clock.now().date()
        series = operations.create_series(
            actor=self.admin,
            name=f"Back-upcontrole {i}",
            kind="backup_check",
            rule="FREQ=DAILY",
            start_date=today - timedelta(days=6),
            start_time=time(9, 0),
            time_zone="Europe/Amsterdam",
            checklist=["Logboek bekijken", "Steekproef terugzetten"],
            cis=self._series_cis(i),
            lead_days=7,
            grace_hours=1,
            operator_group=self.first_line,
            assignee=self.operator,
        )
        operations.generate_for_series(series)
        open_ones = list(Occurrence.objects.filter(series=series, status="open").order_by("planned_at")[:4])
        done, skipped, anomaly = open_ones[0], open_ones[1], open_ones[2]
        done = operations.complete_occurrence(
            done, actor=self.operator, expected_version=None, remark="in orde", minutes=15
        )
        operations.add_evidence(
            done, upload=SimpleUploadedFile(f"bewijs{i}.txt", b"alles goed\n"), actor=self.operator
        )
        operations.skip_occurrence(skipped, reason="vakantie", actor=self.operator, expected_version=None)
        operations.report_anomaly(
            anomaly, reason="back-up mislukt", actor=self.operator, expected_version=None
        )

    def _notifications(self, i: int) -> None:
        notifications.create_webhook(
            actor=self.admin,
            name=f"Chat {i}",
            url=f"https://chat{i}.school.example/hook",
            events=["melding_registered"],
            secret="geheim-geheim-geheim",
            active=True,
        )
        schedule = reports.schedule_report(
            actor=self.admin, name=f"Maandrapport {i}", frequency="monthly", filters={}, file_format="xlsx"
        )
        now = clock.now()
        reports.produce_run(schedule, due_at=now, now=now)
        notifications.save_template(
            actor=self.admin,
            event="melding_registered",
            language="nl" if i % 2 else "en",
            subject=f"Melding {{{{ melding_number }}}} ({i})",
            body="{{ brief_description }}",
            body_html="",
        )
        notifications.set_preferences(
            self.operator, preferences={"status_changed": i % 2 == 0}, actor=self.operator
        )
        group = OperatorGroup.objects.order_by("-pk").first()
        assert group is not None
        notifications.configure_group(
            group,
            actor=self.admin,
            email=f"groep{i}@school.example",
            mail_group_address=True,
            mail_members=False,
        )

    def _mail(self, i: int) -> None:
        mailbox = mailintake.configure_mailbox(
            None,
            actor=self.admin,
            name=f"Servicedesk {i}",
            host=f"imap{i}.school.example",
            port=993,
            security="tls",
            username=f"servicedesk{i}",
            auth="password",
            secret="wachtwoord",
            default_operator_group=self.first_line,
            default_category=Category.objects.filter(parent__isnull=True).order_by("-pk").first(),
        )
        mailintake.add_mail_rule(
            mailbox,
            actor=self.admin,
            match_field="subject",
            pattern="printer",
            operator_group=self.first_line,
        )
        mailintake.record_failure(mailbox, RAW_MAIL + str(i).encode(), RuntimeError("kapot"))
        mailintake.record_failure(None, RAW_MAIL + f"x{i}".encode(), RuntimeError("kapot"))

    def _configuration(self, i: int) -> None:
        office = calendars.create_calendar(
            data=calendars.CalendarData(
                name=f"Kantoortijden {i}",
                hours=[calendars.Period(weekday=d, start=time(8, 0), end=time(17, 0)) for d in range(5)],
                closing_days=[calendars.ClosingDate(date=date(2030, 1, 2 + i % 20), name=f"Studiedag {i}")],
            ),
            actor=self.admin,
        )
        calendar = calendars.create_calendar(
            data=calendars.CalendarData(name=f"Altijd open {i}", always_open=True), actor=self.admin
        )
        group = OperatorGroup.objects.order_by("-pk").first()
        category = Category.objects.filter(parent__isnull=True).order_by("-pk").first()
        department = Department.objects.order_by("-pk").first()
        branch = Branch.objects.order_by("-pk").first()
        assert group is not None
        assert category is not None
        assert department is not None
        assert branch is not None
        priorities = list(Priority.objects.order_by("level")[:2])
        sla_config.create_policy(
            data=sla_config.PolicyData(
                name=f"Beleid {i}",
                calendar_id=office.pk,
                order=200 + i,
                escalation_group_id=self.second_line.pk,
                call_type_ids=[c.pk for c in CallType.objects.all()[:2]],
                category_ids=[category.pk],
                department_ids=[department.pk],
                branch_ids=[branch.pk],
                targets=[
                    sla_config.TargetData(
                        priority_id=p.pk, resolution_minutes=480 * p.level, response_minutes=60
                    )
                    for p in priorities
                ],
            ),
            actor=self.admin,
        )
        sla_config.create_ola(
            data=sla_config.OlaData(operator_group_id=group.pk, minutes=240, calendar_id=calendar.pk),
            actor=self.admin,
        )
        sla_config.create_ola(
            data=sla_config.OlaData(
                operator_group_id=group.pk, minutes=120, priority_id=priorities[0].pk, calendar_id=office.pk
            ),
            actor=self.admin,
        )

    def _leftovers(self, i: int) -> None:
        """What lists must survive: a deactivated caller with a melding, a person deleted after an
        API token, a deleted check that a window named, an archived article, an inactive series, an
        archived calendar, a deleted webhook with its messages and a deleted mailbox with its dead
        letters."""
        gone = make_person(Role.CALLER, first_name=f"Vera{i}", last_name="Vertrokken")
        services.open_melding(
            actor=self.operator,
            brief_description=f"Laptop {i} inleveren",
            entry_type=EntryType.PHONE,
            caller=gone,
            operator_group=self.first_line,
        )
        account_services.deactivate_person(gone, actor=self.admin)
        temp = make_person(Role.OPERATOR, first_name=f"Tijdelijk{i}", last_name="Invaller")
        account_services.delete_person(temp, actor=self.admin)
        check = monitoring.create_check(
            actor=self.admin,
            data=monitoring.CheckData(name=f"Oude server {i}", kind="tcp", target=f"old{i}:22"),
        )
        monitoring.record_result(check, ok=False, latency_ms=5, detail="weg")
        monitoring.create_window(
            actor=self.admin,
            data=monitoring.WindowData(
                name=f"Uitfasering {i}",
                start=clock.now().replace(tzinfo=None, microsecond=0),
                duration_minutes=30,
                checks=[check.pk, self.checks[-1].pk],
            ),
        )
        monitoring.delete_check(check, actor=self.admin)
        old = knowledge.create_article(actor=self.operator, title=f"Windows {i} XP", body="Verouderd.")
        old = knowledge.publish(old, actor=self.operator, expected_version=old.version)
        knowledge.archive(old, actor=self.admin, expected_version=old.version)
        series = operations.create_series(
            actor=self.admin,
            name=f"Tapewissel {i}",
            kind="backup_check",
            rule="FREQ=WEEKLY;BYDAY=FR",
            start_date=clock.now().date() - timedelta(days=14),
            start_time=time(16, 0),
            time_zone="Europe/Amsterdam",
            checklist=["Tape wisselen"],
            lead_days=7,
            grace_hours=2,
        )
        operations.generate_for_series(series)
        operations.deactivate_series(series, actor=self.admin, expected_version=series.version)
        calendar = calendars.create_calendar(
            data=calendars.CalendarData(name=f"Zomerrooster {i}", always_open=True), actor=self.admin
        )
        calendars.archive_calendar(calendar, actor=self.admin)
        hook = notifications.create_webhook(
            actor=self.admin,
            name=f"Oude chat {i}",
            url=f"https://old{i}.school.example/hook",
            events=["melding_registered"],
            secret="geheim-geheim-geheim",
            active=True,
        )
        services.open_melding(
            actor=self.caller, brief_description=f"Toegang {i} kwijt", entry_type=EntryType.PORTAL
        )
        notifications.delete_webhook(hook, actor=self.admin)
        mailbox = mailintake.configure_mailbox(
            None,
            actor=self.admin,
            name=f"Oud postvak {i}",
            host=f"imap-old{i}.school.example",
            port=993,
            security="tls",
            username=f"oud{i}",
            auth="password",
            secret="wachtwoord",
        )
        mailintake.record_failure(mailbox, RAW_MAIL + f"oud{i}".encode(), RuntimeError("kapot"))
        mailintake.delete_mailbox(mailbox, actor=self.admin)

    # ----------------------------------------------------------------------------------------------
    # the parents and their children

    def _make_parents(self) -> Parents:
        op = self.operator
        melding = services.open_melding(
            actor=op,
            brief_description="Printerlokaal drukt niets meer af",
            request="Alle printers in het lokaal geven een storing.",
            entry_type=EntryType.PHONE,
            caller=self.caller,
            category=Category.objects.filter(parent__isnull=True).order_by("pk").first(),
            operator_group=self.first_line,
            operator=op,
        )
        problem = problem_services.open_problem(
            actor=op,
            title="Printers vallen steeds uit",
            description="Steeds meer lokalen.",
            operator_group=self.second_line,
            operator=self.admin,
        )
        category = KnowledgeCategory.objects.create(code="printers", name_nl="Printers", name_en="Printers")
        article = knowledge.create_article(
            actor=self.admin,
            title="Printerstoring verhelpen",
            body="Zet de printer uit en weer aan.",
            kind=Kind.INSTRUCTION,
            audience=Audience.CALLERS,
            category=category,
            tags=["printer"],
            owner=op,
        )
        article = _publish(article, self.admin, op)
        article = knowledge.set_acknowledgement_required(
            article, actor=self.admin, expected_version=article.version, required=True
        )
        check = monitoring.create_check(
            actor=self.admin,
            data=monitoring.CheckData(
                name="Leerlingportaal",
                kind="http",
                target="https://portaal.school.example/",
                host="portaal01",
                tags="web",
                max_attempts=1,
                operator_group=self.first_line,
                latency_target_ms=500,
            ),
        )
        window_start = clock.now().replace(tzinfo=None, microsecond=0) + timedelta(days=1)
        window = monitoring.create_window(
            actor=self.admin,
            data=monitoring.WindowData(
                name="Portaalonderhoud", start=window_start, duration_minutes=120, checks=[check.pk]
            ),
        )
        series = operations.create_series(
            actor=self.admin,
            name="Serverruimte controleren",
            kind="backup_check",
            rule="FREQ=DAILY",
            start_date=clock.now().date() - timedelta(days=2),
            start_time=time(8, 0),
            time_zone="Europe/Amsterdam",
            checklist=["Temperatuur", "Lampjes"],
            lead_days=3,
            grace_hours=4,
            operator_group=self.first_line,
            assignee=op,
        )
        operations.generate_for_series(series)
        occurrence = Occurrence.objects.filter(series=series).order_by("planned_at").first()
        assert occurrence is not None
        mailbox = mailintake.configure_mailbox(None, actor=self.admin, **self._mailbox_fields(0))
        status_page = StatusPage.objects.create(slug="school", title="Status van de school")
        calendar = calendars.create_calendar(data=self._calendar_data(), actor=self.admin)
        policy = sla_config.create_policy(data=self._policy_data(calendar), actor=self.admin)
        group = account_services.create_operator_group(
            name="Netwerkbeheer", is_first_line=False, is_second_line=True, actor=self.admin
        )  # the OLA's own group: the meldingen of the world keep the OLAs they had
        ola = sla_config.create_ola(data=self._ola_data(group, calendar, 0), actor=self.admin)
        return Parents(
            melding=melding,
            problem=problem,
            article=article,
            category=category,
            check=check,
            window=window,
            window_start=window_start,
            series=series,
            occurrence=occurrence,
            mailbox=mailbox,
            status_page=status_page,
            calendar=calendar,
            policy=policy,
            ola=ola,
        )

    def _calendar_data(self) -> calendars.CalendarData:
        return calendars.CalendarData(
            name="Schooltijden",
            hours=[calendars.Period(weekday=d, start=time(8, 0), end=time(16, 30)) for d in range(5)],
            closing_days=[
                calendars.ClosingDate(date=date(2031, 3, 1 + k), name=f"Studiedag {k}")
                for k in range(self.rounds)
            ],
        )

    def _policy_data(self, calendar: BusinessCalendar) -> sla_config.PolicyData:
        return sla_config.PolicyData(
            name="Beleid voor de school",
            calendar_id=calendar.pk,
            order=300,
            description=f"Ronde {self.rounds}",
            department_ids=list(Department.objects.order_by("pk").values_list("pk", flat=True)),
            branch_ids=list(Branch.objects.order_by("pk").values_list("pk", flat=True)),
            targets=[
                sla_config.TargetData(priority_id=p.pk, resolution_minutes=480 * p.level, response_minutes=60)
                for p in Priority.objects.order_by("level")
            ],
        )

    def _ola_data(self, group: OperatorGroup, calendar: BusinessCalendar, extra: int) -> sla_config.OlaData:
        return sla_config.OlaData(operator_group_id=group.pk, minutes=600 + extra, calendar_id=calendar.pk)

    def _mailbox_fields(self, port_offset: int) -> dict[str, Any]:
        return {
            "name": "Leerlingen",
            "host": "imap.school.example",
            "port": 993 + port_offset,
            "security": "tls",
            "username": "leerlingen",
            "auth": "password",
            "secret": "wachtwoord",
            "default_operator_group": self.first_line,
        }

    def _children(self, i: int) -> None:
        """More children under the same parents: what the routes with a path parameter show."""
        if self.parents is None:
            self.parents = self._make_parents()
        p, op = self.parents, self.operator
        self.rounds += 1
        colleague = User.objects.get(first_name=f"Piet{i}")  # this round's operator
        supplier = Supplier.objects.order_by("-pk").first()
        # the melding: notes, time, attachments, links, articles, partials and history
        melding = p.melding
        services.add_note(melding, text=f"Intern overleg {i}", visibility="internal", actor=op)
        services.add_note(melding, text=f"Beste Anna, stap {i}", visibility="caller", actor=op)
        services.add_note(melding, text=f"Nog steeds stuk {i}", visibility="caller", actor=self.caller)
        services.register_time(melding, minutes=5 + i, note=f"ronde {i}", actor=op)
        services.add_attachment(
            melding, upload=SimpleUploadedFile(f"foto{i}.png", PNG, "image/png"), actor=op
        )
        other = services.open_melding(
            actor=op,
            brief_description=f"Printer lokaal {i} ook stuk",
            entry_type=EntryType.PHONE,
            caller=self.callers[-1],
            operator_group=self.first_line,
        )
        services.link_meldingen(melding, other=other, actor=op)
        services.link_article(melding, article=self.articles[-1], actor=op)
        services.create_partial(
            melding,
            brief_description=f"Onderdeel {i} bestellen",
            operator_group=self.second_line,
            supplier=supplier,
            actor=op,
        )
        melding = services.change_status(
            melding, status=_status("in_progress"), actor=op, expected_version=None
        )
        services.change_status(
            melding, status=_status("waiting_supplier"), supplier=supplier, actor=op, expected_version=None
        )
        # the problem: meldingen and history
        problem_services.link_melding(p.problem, melding=other, actor=op)
        impact, urgency = Impact.objects.order_by("pk").first(), Urgency.objects.order_by("pk").first()
        assert impact is not None
        assert urgency is not None
        problem_services.edit_problem(
            p.problem,
            actor=op,
            expected_version=None,
            title="Printers vallen steeds uit",
            description=f"Nu ook lokaal {i}.",
            impact=impact,
            urgency=urgency,
            root_cause=f"Stuurprogramma {i}.",
            workaround="De printer herstarten.",
        )
        # the article: versions, attachments, subscriptions, acknowledgements, meldingen; its category
        article = knowledge.save_draft(
            p.article,
            actor=self.admin,
            expected_version=p.article.version,
            title="Printerstoring verhelpen",
            body=f"Zet de printer uit en weer aan. Versie {i}.",
            change_note=f"ronde {i}",
        )
        article = _publish(article, self.admin, op)
        knowledge.add_attachment(
            article, upload=SimpleUploadedFile(f"stap{i}.png", PNG, "image/png"), actor=self.admin
        )
        knowledge.subscribe(article, actor=self.admin, user=colleague)
        knowledge.acknowledge(article, actor=op)
        knowledge.acknowledge(article, actor=colleague)
        services.link_article(other, article=article, actor=op)
        sibling = knowledge.create_article(
            actor=self.admin,
            title=f"Printer {i} instellen",
            body="Kies de juiste lade.",
            kind=Kind.INSTRUCTION,
            audience=Audience.CALLERS,
            category=p.category,
            owner=op,
        )
        _publish(sibling, self.admin, op)
        p.article = Article.objects.get(pk=p.article.pk)
        # the check: results, state changes (down, up), windows and history
        for ok in (False, True):
            monitoring.record_result(p.check, ok=ok, latency_ms=90 + i, detail=f"ronde {i}")
        monitoring.update_check(
            p.check,
            actor=self.admin,
            data=monitoring.CheckData(
                name="Leerlingportaal",
                kind="http",
                target="https://portaal.school.example/",
                host="portaal01",
                tags=f"web, ronde{i}",
                max_attempts=1,
                operator_group=self.first_line,
                latency_target_ms=500 + i,
            ),
            expected_version=None,
        )
        monitoring.create_window(
            actor=self.operator,
            data=monitoring.WindowData(
                name=f"Portaalupdate {i}",
                start=p.window_start + timedelta(days=1 + i),
                duration_minutes=30,
                checks=[p.check.pk],
            ),
        )
        # the window: history
        monitoring.update_window(
            p.window,
            actor=self.admin,
            data=monitoring.WindowData(
                name="Portaalonderhoud",
                start=p.window_start,
                duration_minutes=120 + i,
                checks=[p.check.pk],
            ),
            expected_version=None,
        )
        # the series: occurrences further ahead; the occurrence: evidence
        operations.generate_for_series(p.series, now=clock.now() + timedelta(days=7 * self.rounds))
        operations.add_evidence(
            p.occurrence, upload=SimpleUploadedFile(f"meting{i}.txt", b"21 graden\n"), actor=op
        )
        # the mailbox: rules, dead letters, history
        mailintake.add_mail_rule(
            p.mailbox,
            actor=self.admin,
            match_field="subject",
            pattern=f"lokaal {i}",
            operator_group=self.first_line,
        )
        mailintake.record_failure(p.mailbox, RAW_MAIL + f"ouder{i}".encode(), RuntimeError("kapot"))
        p.mailbox = mailintake.configure_mailbox(
            p.mailbox, actor=self.admin, **self._mailbox_fields(self.rounds)
        )
        # the calendar: closing days and history; the policy: departments, branches and history;
        # the OLA: history
        calendars.update_calendar(p.calendar, data=self._calendar_data(), actor=self.admin)
        sla_config.update_policy(p.policy, data=self._policy_data(p.calendar), actor=self.admin)
        sla_config.update_ola(
            p.ola, data=self._ola_data(p.ola.operator_group, p.calendar, self.rounds), actor=self.admin
        )
        # the status page: entries
        StatusPageEntry.objects.create(
            page=p.status_page, check_obj=self.checks[-2], public_name=f"Website {i}", position=self.rounds
        )


def _cmdb(world: World, i: int) -> None:
    """CIs with custom attributes, and the parent CI's relations, users and history."""
    server = CiType.objects.get(code="server")
    if world.ci is None:
        for code, kind in (("ram-gb", "number"), ("rack", "ci"), ("keeper", "person"), ("os", "text")):
            cmdb.save_attribute(
                None,
                actor=world.admin,
                ci_type=server,
                data=cmdb.AttributeData(code=code, label_nl=code, label_en=code, kind=kind),
            )
        world.ci = cmdb.create_item(
            actor=world.operator, data=cmdb.ItemData(name="Kernswitch", ci_type=server)
        )
    person = world.callers[-1]
    attrs = {"ram-gb": 16, "rack": world.ci.pk, "keeper": person.pk, "os": f"Linux {i}"}
    data = cmdb.ItemData(
        name=f"srv{i:03d}",
        ci_type=server,
        owner=person,
        users=[person],
        asset_tag=f"CI-{i}",
        attributes=attrs,
    )
    item = cmdb.create_item(actor=world.operator, data=data)
    cmdb.add_relation(item, actor=world.operator, target=world.ci, kind="connected_to")
    users = [*world.ci.users.all(), person]
    parent = cmdb.ItemData(name="Kernswitch", ci_type=server, users=users, description=f"Ronde {i}")
    world.ci = cmdb.update_item(world.ci, actor=world.operator, data=parent, expected_version=None)
    _network(world, item, i)


def _network(world: World, item: ConfigurationItem, i: int) -> None:
    """The network: every round a port on the parent CI cabled to the new CI, a VLAN, a prefix and
    addresses in the first prefix (the parent of the prefix page)."""
    port = cmdb.create_interface(world.ci, actor=world.operator, data=cmdb.InterfaceData(name=f"Gi1/0/{i}"))
    eth = cmdb.create_interface(item, actor=world.operator, data=cmdb.InterfaceData(name="eth0"))
    cmdb.connect(port, actor=world.operator, other=eth, label=f"K-{i}")
    if not Prefix.objects.filter(prefix="10.0.0.0/24").exists():  # the first: the prefix page's parent
        cmdb.save_prefix(None, actor=world.operator, data=cmdb.PrefixData(prefix="10.0.0.0/24"))
    vlan = cmdb.save_vlan(None, actor=world.operator, data=cmdb.VlanData(number=100 + i, name=f"vlan {i}"))
    cmdb.save_prefix(None, actor=world.operator, data=cmdb.PrefixData(prefix=f"10.{i + 1}.0.0/16", vlan=vlan))
    cmdb.save_prefix(None, actor=world.operator, data=cmdb.PrefixData(prefix=f"2001:db8:{i}::/64"))
    cmdb.save_address(
        None, actor=world.operator, data=cmdb.AddressData(address=f"10.0.0.{i + 1}", interface=eth)
    )
    cmdb.save_address(None, actor=world.operator, data=cmdb.AddressData(address=f"2001:db8:0::{i + 1}"))
    _licences(world, i, item)
    _changes(world, i, item)
    _testing(world, i)


def _licences(world: World, i: int, item: ConfigurationItem) -> None:
    """A licence and a contract per round, and the parent licence and contract grow."""
    supplier = Supplier.objects.get_or_create(name="Dell")[0]
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    person = world.callers[-1]
    licence = cmdb.create_licence(
        actor=world.operator,
        data=cmdb.LicenceData(
            product=f"Licentie {i}",
            licence_model="per_device",
            start_date=start,
            entitlements=1,
            supplier=supplier,
        ),
    )
    cmdb.assign_licence(licence, actor=world.operator, ci=item)
    cmdb.create_contract(
        actor=world.operator,
        data=cmdb.ContractData(
            supplier=supplier,
            kind="support",
            title=f"Contract {i}",
            start_date=start,
            end_date=end,
            covered_cis=[item],
        ),
    )
    if world.licence is None:
        world.licence = cmdb.create_licence(
            actor=world.operator,
            data=cmdb.LicenceData(
                product="Microsoft 365", licence_model="concurrent", start_date=start, entitlements=9
            ),
        )
        world.contract = cmdb.create_contract(
            actor=world.operator,
            data=cmdb.ContractData(
                supplier=supplier, kind="lease", title="Lease", start_date=start, end_date=end
            ),
        )
    cmdb.assign_licence(world.licence, actor=world.operator, ci=item)
    # the parent licence gains a file and a version of its certificate; the parent CI and the parent
    # article gain documents and documented CIs
    for name in (f"Sleutel {i}", "Certificaat"):
        upload = SimpleUploadedFile(f"{name}.txt", f"licentie {i}".encode(), "text/plain")
        cmdb.upload_licence_file(
            world.licence, actor=world.operator, upload=upload, name=name, note=f"ronde {i}"
        )
    doc = knowledge.create_article(
        actor=world.operator,
        title=f"Systeemdocumentatie {i}",
        kind=Kind.SYSTEM_DOC,
        ci_ids=[world.ci.pk, item.pk],
    )
    assert doc.pk
    if world.parents is not None:
        documented = list(world.parents.article.ci_links.values_list("ci_id", flat=True))
        knowledge.set_article_cis(world.parents.article, actor=world.admin, ci_ids=[*documented, item.pk])
    if not world.licence.assignments.filter(person=person).exists():
        cmdb.assign_licence(world.licence, actor=world.operator, person=person)
    covered = [*world.contract.covered_cis.all(), item]
    data = cmdb.ContractData(
        supplier=supplier,
        kind="lease",
        title="Lease",
        start_date=start,
        end_date=end,
        covered_cis=covered,
        notes=f"Ronde {i}",
    )
    world.contract = cmdb.update_contract(
        world.contract, actor=world.operator, data=data, expected_version=None
    )
    if world.import_job is None:  # an import job's page and API (its report does not grow)
        world.import_job = import_jobs.start_job(
            actor=world.operator,
            data=b"name;type;asset_tag\nImport;server;IMP-1\n",
            filename="cis.csv",
            kind="cis",
            key=None,
            partial=False,
        )


def _publish(article: Article, author: User, reviewer: User) -> Article:
    """Publish the draft, with a second person's approval where the kind asks for it."""
    if knowledge.review_required(article.kind):
        article = knowledge.submit_for_review(article, actor=author, expected_version=article.version)
        return knowledge.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    return knowledge.publish(article, actor=author, expected_version=article.version)


def _rights(world: World, i: int) -> None:
    """The access rights register: every round rights on the parent application (one of the
    caller's own, one of a new person's), a leaver with rights left, and a review campaign over
    them with an answered item."""
    if world.application is None:
        world.application = cmdb.create_item(
            actor=world.admin,
            data=cmdb.ItemData(
                name="Magister", ci_type=CiType.objects.get(code="application"), owner=world.coordinator
            ),
        )
    app = world.application

    def grant(person: User, right: str) -> Any:
        r = rights.request_right(
            actor=world.operator, data=rights.RequestData(person=person, ci=app, right=right)
        )
        r = rights.approve_right(r, actor=world.coordinator, expected_version=r.version)
        return rights.grant_right(r, actor=world.operator, expected_version=r.version)

    grant(world.caller, f"recht {i}")
    grant(world.callers[-1], "lezen")
    leaver = make_person(Role.CALLER, first_name="Vera", last_name=f"Vertrokken {i}")
    grant(leaver, "lezen")
    grant(leaver, "mentor")
    account_services.deactivate_person(leaver, actor=world.admin)
    rights.request_right(
        actor=world.caller, data=rights.RequestData(person=world.caller, ci=app, right=f"aanvraag {i}")
    )
    campaign = rights.start_campaign(
        actor=world.coordinator, name=f"Ronde {i}", deadline=date.today() + timedelta(days=30)
    )
    first = campaign.items.order_by("id").first()
    if first is not None:
        rights.review_item(first, actor=world.coordinator, outcome="confirmed")


def _changes(world: World, i: int, item: ConfigurationItem) -> None:
    """A change per round in the parent project; the parent change (the caller's request) gains a
    CI, an activity, an approval round and history."""
    from beheer.accounts.models import OperatorGroup
    from beheer.changes import services as changes
    from beheer.changes.models import ApprovalRule, ChangeApproval, Phase

    if world.change is None:
        cab = OperatorGroup.objects.create(name="CAB")
        cab.members.add(world.admin)
        ApprovalRule.objects.filter(kind="normal").update(operator_group=cab, service_owners=True, rule="all")
        world.change_project = changes.create_project(
            actor=world.admin, data=changes.ProjectData(name="Wifi vernieuwen", client=world.caller)
        )
        world.change = changes.create_change(
            actor=world.operator,
            data=changes.ChangeData(
                title="Nieuwe wifi",
                requester=world.caller,
                client=world.caller,
                project=world.change_project,
                likelihood=2,
                impact=2,
                rollback_plan="Terug",
            ),
        )
        changes.create_template(
            actor=world.admin,
            name="Laptop",
            title="Laptop",
            activities=[changes.ActivityLine("Klaarzetten", 10)],
        )
    change = world.change
    changes.create_change(
        actor=world.operator,
        data=changes.ChangeData(title=f"Wijziging {i}", project=world.change_project, requester=world.caller),
        cis=[item],
    )
    changes.add_change_ci(change, actor=world.operator, ci=item)
    changes.add_activity(change, actor=world.operator, title=f"Stap {i}", estimate_minutes=10)
    change.refresh_from_db()
    code = "assessment" if change.phase.code != "assessment" else "approval"
    change = changes.move_change(
        change, actor=world.operator, to_phase=Phase.objects.get(code=code), expected_version=change.version
    )
    if code == "approval":
        for approval in ChangeApproval.objects.filter(
            change=change, round=change.approval_round, decision=""
        ):
            changes.decide_approval(approval, actor=approval.approver, approve=False, comment=f"Nog niet {i}")
            break
    change.refresh_from_db()
    world.change = change


def _testing(world: World, i: int) -> None:
    """A change of its own whose test plan gains a requirement, an environment, a case linked to the
    requirement, a standard case, a run of every case (a failed result with evidence and its finding),
    and a user in the one acceptance session who carries out the case (the caller in the first
    round; the caller is the change's client and reads every user's results)."""
    from types import SimpleNamespace

    from beheer.changes import services as changes
    from beheer.testing.models import ParticipantCase
    from beheer.testing.services import plans, runs, sessions
    from beheer.testing.services._base import plan_of
    from tests.sample_files import PNG

    if world.testing is None:
        change = changes.create_change(
            actor=world.operator,
            data=changes.ChangeData(title="Wifi in de aula", requester=world.caller, client=world.caller),
        )
    else:
        change = world.testing.change
    plan = plan_of(change, actor=world.operator)
    requirement = changes.add_requirement(change, actor=world.operator, text=f"Eis {i}", priority="must")
    lab = cmdb.create_item(
        actor=world.admin,
        data=cmdb.ItemData(
            name=f"Lab {i}", ci_type=CiType.objects.get(code="access_point"), environment="test"
        ),
    )
    environment = plans.add_environment(plan, actor=world.operator, ci=lab, purpose="test")
    case = plans.add_case(
        plan,
        actor=world.operator,
        title=f"Geval {i}",
        test_type="functional",
        steps=[("Doe iets", "Het werkt")],
        requirements=[requirement],
    )
    standard = plans.create_standard_case(
        actor=world.operator, title=f"Standaard {i}", test_type="functional"
    )
    active = list(plan.cases.filter(withdrawn=False).order_by("number"))
    run = runs.start_run(plan, actor=world.operator, cases=active, environment=lab, title=f"Ronde {i}")
    result = run.results.get(case=case)
    result = runs.record_result(
        result, actor=world.operator, expected_version=result.version, outcome="failed", actual_result="Fout"
    )
    evidence = runs.add_result_evidence(
        result, actor=world.operator, upload=SimpleUploadedFile(f"bewijs-{i}.png", PNG, "image/png")
    )
    if world.testing is None:
        session = sessions.create_session(
            plan, actor=world.operator, title="Acceptatietest", starts_at=clock.now() + timedelta(days=1)
        )
        person = world.caller
    else:
        session = world.testing.session
        person = make_person(Role.CALLER, first_name="Gebruiker", last_name=str(i))
    participant = sessions.add_participant(session, actor=world.operator, person=person, cases=active[:3])
    sessions.invite(session, actor=world.operator)
    own = ParticipantCase.objects.filter(participant=participant).order_by("id").first()
    own = sessions.save_steps(
        own,
        actor=person,
        expected_version=own.version,
        steps=[sessions.StepAnswer(done=True, ok=True) for _step in own.case.steps],
    )
    sessions.add_screenshot(own, actor=person, upload=SimpleUploadedFile(f"scherm-{i}.png", PNG, "image/png"))
    if world.testing is None:
        world.testing = SimpleNamespace(
            change=change,
            plan=plan,
            environment=environment,
            case=case,
            standard=standard,
            run=run,
            result=result,
            evidence=evidence,
            finding=result.findings.get(),
            session=session,
            participant=participant,
            own_case=own,
        )


def _security(world: World, i: int) -> None:
    """The security register's parents, made in the first round (the administrator is security and
    privacy officer, so incidents are visible to them): a standard control that gains an
    implementation every round, its first implementation that gains an evidence file and history, an
    own control edited every round, a risk changed every round, a significant breach (an incident of
    its own melding) with one more progress report and one more operator with access every round,
    and a processing activity edited every round."""
    from types import SimpleNamespace

    from beheer.security.models import Applicability, Control, ImplementationStatus
    from beheer.security.services import incidents, measures, privacy, risks

    admin = world.admin
    today = clock.now().date()
    if world.security is None:
        account_services.set_officer_marks(admin, security_officer=True, privacy_officer=True, actor=admin)
        admin.refresh_from_db()
        catalogue = measures.current_catalogue() or measures.load_shipped(actor=admin)
        control = Control.objects.get(catalogue=catalogue, number="5.15")
        measures.set_applicability(
            control,
            actor=admin,
            applicability=Applicability.APPLICABLE,
            justification="",
            expected_version=None,
        )
        implementation = measures.create_implementation(
            control,
            actor=admin,
            status=ImplementationStatus.PARTLY,
            owner=world.coordinator,
            description="Accounts komen uit de leerlingadministratie.",
            review_on=today + timedelta(days=90),
        )
        own = measures.create_own_control(actor=admin, title_nl="Accounts opschonen")
        risk = risks.register_risk(
            actor=admin,
            data=risks.RiskData(title="Ransomware op de bestandsserver", likelihood=3, impact=4, owner=admin),
        )
        melding = services.open_melding(
            actor=world.operator,
            brief_description="Cijferlijst naar de verkeerde ouders gemaild",
            request="De cijferlijst van 3B ging naar de maillijst van 2A.",
            entry_type=EntryType.PHONE,
            caller=world.caller,
            operator_group=world.first_line,
            operator=world.operator,
        )
        incident = incidents.declare_incident(
            melding, actor=world.operator, aware_at=clock.now(), significant=True, breach=True
        )
        for person in (world.operator, world.coordinator):
            incidents.grant_access(incident, person=person, actor=admin)
        activity = privacy.create_activity(_activity_data(0, (control,)), actor=admin)
        world.security = SimpleNamespace(
            catalogue=catalogue,
            control=control,
            implementation=implementation,
            own_control=own,
            risk=risk,
            incident=incident,
            activity=activity,
        )
    sec = world.security
    # the control: one more implementation (for a CI in use of its own) and more history
    software = CiType.objects.filter(kind="software").order_by("pk")[0]
    scope = cmdb.create_item(actor=world.admin, data=cmdb.ItemData(name=f"Applicatie {i}", ci_type=software))
    measures.create_implementation(
        sec.control,
        actor=admin,
        scope_ci=scope,
        status=ImplementationStatus.IMPLEMENTED,
        owner=world.operator,
        description=f"Ronde {i}",
        review_on=today + timedelta(days=30 + i),
    )
    # the implementation: one more evidence file, and a change in its history
    measures.add_evidence_file(
        sec.implementation,
        actor=admin,
        upload=SimpleUploadedFile(f"verslag-{i}.txt", f"Verslag {i}\n".encode(), "text/plain"),
    )
    sec.implementation = measures.update_implementation(
        sec.implementation,
        actor=admin,
        expected_version=None,
        status=ImplementationStatus.PARTLY,
        owner=world.coordinator,
        description=f"Accounts komen uit de leerlingadministratie (ronde {i}).",
        review_on=today + timedelta(days=90 + i),
        articles=world.articles[-1:],
        series=(),
    )
    sec.own_control = measures.edit_own_control(
        sec.own_control, actor=admin, expected_version=None, title_nl=f"Accounts opschonen ({i})"
    )
    # the risk: a change in its history, one more CI
    data = risks.data_of(sec.risk)
    sec.risk = risks.change_risk(
        sec.risk,
        actor=admin,
        data=dataclasses.replace(data, treatment_plan=f"Ronde {i}", cis=[*data.cis, scope]),
    )
    # the incident: one more progress report, one more operator with access
    incidents.record_report(
        sec.incident,
        actor=admin,
        kind="progress_report",
        made_at=clock.now(),
        reference=f"Voortgang {i}",
        note=f"Ronde {i}",
    )
    helper = make_person(Role.OPERATOR, first_name="Helper", last_name=str(i))
    incidents.grant_access(sec.incident, person=helper, actor=admin)
    # the processing activity: edited, with one more application
    activity = sec.activity
    sec.activity = privacy.update_activity(
        activity,
        actor=admin,
        expected_version=None,
        data=_activity_data(i, (sec.control,), (*activity.applications.all(), scope)),
    )


def _activity_data(i: int, measures: tuple[Any, ...], applications: tuple[Any, ...] = ()) -> Any:
    from beheer.security.models import LegalBasis
    from beheer.security.services import privacy

    return privacy.ActivityData(
        name="Leerlingadministratie",
        purpose=f"Onderwijs geven en begeleiden (ronde {i}).",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        people_categories="Leerlingen, ouders",
        data_categories="NAW-gegevens, cijfers",
        retention="Tot 2 jaar na uitschrijving.",
        applications=applications,
        measures=measures,
    )
