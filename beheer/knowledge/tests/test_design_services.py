"""Design documents in the service layer: template sections on a new design, mandatory sections
refused on review and publish, versions and diff, approvals per version, template edits."""

from __future__ import annotations

import pytest
from django.utils import translation

from beheer.accounts.models import Role
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import services
from beheer.knowledge.designs import missing_sections, requirement_refs, sections
from beheer.knowledge.models import (
    ApprovalDecision,
    ApprovalRole,
    ArticleVersion,
    Audience,
    DocumentTemplate,
    DocumentTemplateHistoryEntry,
    Kind,
    KindSetting,
    VersionApproval,
    VersionState,
)
from beheer.knowledge.rendering import diff_lines
from tests.helpers import make_person

from .helpers import refreshed

FD = Kind.FUNCTIONAL_DESIGN
TD = Kind.TECHNICAL_DESIGN


def fill(body: str, heading: str, text: str) -> str:
    """`body` with `text` written under `## heading`."""
    return body.replace(f"## {heading}\n", f"## {heading}\n\n{text}\n", 1)


def complete_fd(body: str) -> str:
    return fill(body, "Beveiliging en privacy", "Alleen docenten zien de cijfers; logging 1 jaar.")


@pytest.fixture
def reviewer(db):
    return make_person(Role.OPERATOR, first_name="Rob", last_name="Reviewer")


def submitted_design(author, reviewer, client=None, kind=FD):
    with translation.override("nl"):
        article = services.create_article(actor=author, title="Wifi vernieuwen", kind=kind, client=client)
    body = refreshed(article).draft_version.body
    body = complete_fd(body) if kind == FD else body
    if kind == TD:
        body = fill(body, "Technische (on)mogelijkheden", "Kan met de huidige controller.")
        body = fill(body, "Beveiliging", "WPA3-Enterprise met RADIUS.")
    article = services.save_draft(
        article, actor=author, expected_version=article.version, title=article.title, body=body
    )
    return services.submit_for_review(article, actor=author, expected_version=article.version)


# --------------------------------------------------------------------------------------------------
# the template on a new design


def test_a_new_design_starts_with_the_template_sections_in_the_writers_language(operator):
    with translation.override("nl"):
        fd = services.create_article(actor=operator, title="Ontwerp", kind=FD)
    with translation.override("en"):
        td = services.create_article(actor=operator, title="Design", kind=TD)
    fd_body = refreshed(fd).draft_version.body
    td_body = refreshed(td).draft_version.body
    assert [s.heading for s in sections(fd_body)] == [
        "Aanleiding en doel",
        "Scope",
        "Functionele eisen",
        "Gebruikers en rollen",
        "Beveiliging en privacy",
        "Acceptatiecriteria",
        "Open vragen",
    ]
    assert "<!-- Welke gegevens worden verwerkt" in fd_body  # guidance as a comment
    assert all(s.empty for s in sections(fd_body))  # guidance is no content
    assert [s.heading for s in sections(td_body)][:3] == [
        "Architecture",
        "Configuration items (used, changed, added)",
        "Technical (im)possibilities",
    ]
    assert "## Rollback" in td_body


def test_a_design_with_its_own_text_keeps_it_and_other_kinds_get_no_template(operator):
    own = services.create_article(actor=operator, title="Eigen", kind=FD, body="## Scope\n\nAlles")
    plain = services.create_article(actor=operator, title="Oplossing", kind=Kind.SOLUTION)
    assert refreshed(own).draft_version.body == "## Scope\n\nAlles"
    assert refreshed(plain).draft_version.body == ""


def test_a_design_is_never_for_callers_and_only_a_design_has_a_client(operator, caller):
    with pytest.raises(DomainError) as err:
        services.create_article(actor=operator, title="Ontwerp", kind=FD, audience=Audience.CALLERS)
    assert "audience" in err.value.field_errors
    with pytest.raises(DomainError) as err:
        services.create_article(actor=operator, title="Oplossing", kind=Kind.SOLUTION, client=caller)
    assert "client" in err.value.field_errors


# --------------------------------------------------------------------------------------------------
# mandatory sections


def test_submitting_a_design_without_its_mandatory_section_is_refused_naming_it(operator):
    article = services.create_article(actor=operator, title="Ontwerp", kind=FD)
    with translation.override("en"), pytest.raises(DomainError) as err:
        services.submit_for_review(article, actor=operator, expected_version=article.version)
    assert "Security and privacy" in err.value.message
    assert "Security and privacy" in err.value.field_errors["body"]
    assert refreshed(article).draft_version.state == VersionState.DRAFT


def test_a_removed_mandatory_section_is_refused_too_and_both_missing_are_named(operator):
    body = "## Architectuur\n\nEen controller.\n"
    article = services.create_article(actor=operator, title="TO", kind=TD, body=body)
    with translation.override("nl"), pytest.raises(DomainError) as err:
        services.submit_for_review(article, actor=operator, expected_version=article.version)
    assert "Technische (on)mogelijkheden" in err.value.message
    assert "Beveiliging" in err.value.message


def test_publishing_without_the_mandatory_section_is_refused_even_without_review(operator):
    KindSetting.objects.filter(kind=FD).update(review_required=False)
    article = services.create_article(actor=operator, title="Ontwerp", kind=FD)
    with pytest.raises(DomainError):
        services.publish(article, actor=operator, expected_version=article.version)
    body = complete_fd(refreshed(article).draft_version.body)
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Ontwerp", body=body
    )
    article = services.publish(article, actor=operator, expected_version=article.version)
    assert refreshed(article).current_version.number == 1


def test_a_mandatory_section_written_in_the_other_language_counts(operator):
    body = "## Security and privacy\n\nOnly teachers see grades.\n"
    article = services.create_article(actor=operator, title="FD", kind=FD, body=body)
    article = services.submit_for_review(article, actor=operator, expected_version=article.version)
    assert refreshed(article).draft_version.state == VersionState.REVIEW


def test_designs_need_review_by_a_second_person_then_versions_and_diff_work(operator, reviewer):
    article = submitted_design(operator, reviewer)
    with pytest.raises(PermissionDenied):
        services.publish(article, actor=operator, expected_version=article.version)
    article = services.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    first = refreshed(article).current_version
    assert first.approved_by == reviewer
    # the reviewer's approval is an approval record of that version
    assert VersionApproval.objects.get(version=first).role == ApprovalRole.REVIEWER
    body = first.body.replace("logging 1 jaar", "logging 6 maanden")
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Wifi", body=body
    )
    second = refreshed(article).draft_version
    assert second.number == 2
    rows = diff_lines(first.body, second.body)
    assert any(r.op == "delete" and "1 jaar" in r.text for r in rows)
    assert any(r.op == "insert" and "6 maanden" in r.text for r in rows)


# --------------------------------------------------------------------------------------------------
# approvals per version


def test_the_client_approves_one_version_and_a_newer_one_needs_a_new_approval(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    v1 = refreshed(article).draft_version
    approval = services.approve_version(v1, actor=caller, role=ApprovalRole.CLIENT, decision="approved")
    assert (approval.approver, approval.version, approval.decision) == (caller, v1, ApprovalDecision.APPROVED)
    article = services.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    article = services.save_draft(
        article, actor=operator, expected_version=article.version, title="Wifi", body=v1.body + "\nMeer."
    )
    article = services.submit_for_review(article, actor=operator, expected_version=article.version)
    v2 = refreshed(article).draft_version
    assert v2.number == 2
    assert not VersionApproval.objects.filter(version=v2).exists()
    assert list(ArticleVersion.objects.for_client(caller).order_by("number")) == [v1, v2]
    with pytest.raises(DomainError):
        services.approve_version(v1, actor=caller, role=ApprovalRole.CLIENT, decision="approved")


def test_only_the_named_client_approves_as_client(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    other = make_person(Role.CALLER)
    with pytest.raises(NotFound):  # another caller does not learn the version exists
        services.approve_version(version, actor=other, role=ApprovalRole.CLIENT, decision="approved")
    with pytest.raises(PermissionDenied):  # staff may see it but are not the client
        services.approve_version(version, actor=reviewer, role=ApprovalRole.CLIENT, decision="approved")
    with pytest.raises(PermissionDenied):  # a caller is never a reviewer
        services.approve_version(version, actor=caller, role=ApprovalRole.REVIEWER, decision="approved")
    assert not VersionApproval.objects.exists()


def test_a_rejection_needs_a_comment_and_the_author_never_reviews_their_own(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    with pytest.raises(DomainError) as err:
        services.approve_version(version, actor=caller, role=ApprovalRole.CLIENT, decision="rejected")
    assert "comment" in err.value.field_errors
    services.approve_version(
        version, actor=caller, role=ApprovalRole.CLIENT, decision="rejected", comment="Gastnetwerk ontbreekt"
    )
    with pytest.raises(PermissionDenied):
        services.approve_version(version, actor=operator, role=ApprovalRole.REVIEWER, decision="approved")
    with pytest.raises(DomainError):
        services.approve_version(version, actor=reviewer, role="boss", decision="approved")


def test_a_draft_in_progress_is_not_offered_to_the_client(operator, caller):
    article = services.create_article(actor=operator, title="FD", kind=FD, client=caller)
    version = refreshed(article).draft_version
    assert not ArticleVersion.objects.for_client(caller).exists()
    with pytest.raises(DomainError):
        services.approve_version(version, actor=caller, role=ApprovalRole.CLIENT, decision="approved")


def test_a_caller_sees_only_their_own_decisions(operator, reviewer, caller):
    article = submitted_design(operator, reviewer, client=caller)
    version = refreshed(article).draft_version
    services.approve_version(version, actor=reviewer, role=ApprovalRole.REVIEWER, decision="approved")
    services.approve_version(version, actor=caller, role=ApprovalRole.CLIENT, decision="approved")
    assert [a.approver for a in VersionApproval.objects.visible_to(caller)] == [caller]
    assert VersionApproval.objects.visible_to(operator).count() == 2
    assert not VersionApproval.objects.visible_to(make_person(Role.CALLER)).exists()


# --------------------------------------------------------------------------------------------------
# template edits


def test_only_coordinators_change_a_template_with_history_and_locking(operator, coordinator):
    template = DocumentTemplate.objects.get(kind=FD)
    new = [
        services.SectionData("Doel", "Goal", "Waarom?", "Why?"),
        services.SectionData("Privacy", "Privacy", mandatory=True),
    ]
    with pytest.raises(PermissionDenied):
        services.update_template(template, actor=operator, expected_version=template.version, sections=new)
    changed = services.update_template(
        template, actor=coordinator, expected_version=template.version, sections=new
    )
    assert changed.version == template.version + 1
    assert [s.heading_nl for s in changed.sections.order_by("position")] == ["Doel", "Privacy"]
    entry = DocumentTemplateHistoryEntry.objects.get(template=template)
    assert entry.actor == coordinator
    assert "Beveiliging en privacy" in entry.old_value
    assert "Privacy / Privacy (*)" in entry.new_value
    with pytest.raises(Conflict):
        services.update_template(template, actor=coordinator, expected_version=template.version, sections=new)
    # the new mandatory section applies to the next check
    article = services.create_article(actor=operator, title="FD", kind=FD)
    with translation.override("nl"), pytest.raises(DomainError) as err:
        services.submit_for_review(article, actor=operator, expected_version=article.version)
    assert "Privacy" in err.value.message


def test_a_template_refuses_a_section_without_both_headings(coordinator):
    template = DocumentTemplate.objects.get(kind=TD)
    with pytest.raises(DomainError) as err:
        services.update_template(
            template,
            actor=coordinator,
            expected_version=template.version,
            sections=[services.SectionData("Architectuur", "")],
        )
    assert "sections.0" in err.value.field_errors
    with pytest.raises(DomainError):
        services.update_template(template, actor=coordinator, expected_version=template.version, sections=[])
    assert not DocumentTemplateHistoryEntry.objects.exists()


# --------------------------------------------------------------------------------------------------
# the pure functions


def test_requirement_refs_names_the_sections_that_cover_each_requirement():
    text = (
        "Inleiding noemt R1.\n\n"
        "## Functionele eisen\n\n- [REQ-3] inloggen met schoolaccount\n- R1: gastnetwerk\n\n"
        "## Beveiliging en privacy\n\nZie [REQ-3] en REQ-3 nogmaals.\n"
    )
    assert requirement_refs(text) == {
        "R1": ["", "Functionele eisen"],
        "REQ-3": ["Functionele eisen", "Beveiliging en privacy"],
    }


def test_requirement_refs_skips_guidance_code_and_ordinary_words():
    text = (
        "## Scope\n\n<!-- noem eisen zoals [REQ-9] -->\n"
        "```\nR7 in code\n```\n"
        "Geen eis: r2, R2D2, HR10, REQ-, XR4-5.\n"
        "### Subkop met R5\n"
    )
    assert requirement_refs(text) == {"R5": ["Scope"]}
    assert requirement_refs("") == {}


def test_sections_ignore_headings_in_code_and_missing_sections_match_either_language():
    text = "## A\n\n```\n## not a heading\n```\n\n## B\n\n<!-- hint -->\n\n## C\n\ntekst"
    assert [s.heading for s in sections(text)] == ["A", "B", "C"]
    assert not sections(text)[0].empty  # the code block is content
    assert missing_sections(text, [("b", "bee"), ("X", "c"), ("D", "E")]) == [0, 2]
    assert missing_sections("## Beveiliging ##\n\nja", [("beveiliging", "security")]) == []
