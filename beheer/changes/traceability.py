"""Reads of the needs inventory: the designs linked to a change with their state, and the
traceability of each requirement to the design sections that name it.

`coverage_rows` says which design sections cover a requirement: the sections of the linked designs
(the newest version of each: the draft if there is one, else the published version) that name its
code (`knowledge.designs.requirement_refs`: REQ-3, [REQ-3], REQ3 or R3). Coverage by test cases is
the test plan's own matrix (`testing/matrix.py`): this app may not read the app above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from beheer.knowledge.designs import requirement_refs
from beheer.knowledge.models import (
    ApprovalDecision,
    ApprovalRole,
    Article,
    ArticleVersion,
    VersionApproval,
    VersionState,
)

from .models import (
    Change,
    ChangeDesign,
    NeedsApproval,
    NeedsInventory,
    OpenQuestion,
    Requirement,
    RequirementStatus,
    format_requirement_code,
)

MAX_LINKS = 20
_DIGITS = re.compile(r"(\d+)$")


def normalise_code(code: str) -> str:
    """REQ-3, REQ3 and R3 are all the requirement REQ-3."""
    match = _DIGITS.search(code)
    return format_requirement_code(int(match.group(1))) if match else code


@dataclass
class DesignRow:
    """A linked design as the needs page shows it."""

    link: ChangeDesign
    article: Article
    version: ArticleVersion | None  # the newest version the reader may see
    reviewed: bool  # a reviewer approved the newest version (or published it after review)
    client_decision: str  # "approved", "rejected", "waiting" or "" (no client on the document)

    @property
    def kind_name(self) -> str:
        return str(self.article.get_kind_display())


def design_rows(change: Change, user: Any) -> list[DesignRow]:
    """The designs linked to `change` that `user` may read, each with its newest version, whether a
    reviewer approved that version and the client's decision on it."""
    links = list(
        ChangeDesign.objects.visible_to(user)
        .filter(change=change, article__in=Article.objects.visible_to(user))
        .select_related("article", "article__draft_version", "article__current_version")
        .order_by("id")[:MAX_LINKS]
    )
    newest: dict[int, ArticleVersion | None] = {}
    for link in links:
        article = link.article
        newest[link.pk] = article.draft_version or article.current_version
    ids = [v.pk for v in newest.values() if v is not None]
    readable = set(ArticleVersion.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    decisions = list(
        VersionApproval.objects.visible_to(user)
        .filter(version_id__in=readable)
        .values_list("version_id", "role", "decision", "approver_id")
    )
    rows = []
    for link in links:
        version = newest[link.pk]
        if version is not None and version.pk not in readable:
            version = None
        reviewed = False
        client_decision = ""
        if version is not None:
            mine = [d for d in decisions if d[0] == version.pk]
            reviewed = version.approved_by_id is not None or any(
                role == ApprovalRole.REVIEWER and decision == ApprovalDecision.APPROVED
                for _v, role, decision, _a in mine
            )
            if link.article.client_id is not None:
                client = [
                    decision
                    for _v, role, decision, approver in mine
                    if role == ApprovalRole.CLIENT and approver == link.article.client_id
                ]
                client_decision = client[-1] if client else "waiting"
        rows.append(DesignRow(link, link.article, version, reviewed, client_decision))
    return rows


@dataclass(frozen=True)
class SectionRef:
    """A section of a design that names a requirement."""

    article: Article
    version_number: int
    heading: str


@dataclass
class CoverageRow:
    requirement: Requirement
    sections: list[SectionRef] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.sections)


def coverage_rows(
    change: Change,
    user: Any,
    *,
    designs: list[DesignRow] | None = None,
    requirements: list[Requirement] | None = None,
) -> list[CoverageRow]:
    """Each active requirement of `change` (that `user` may see) with the design sections that
    name it; a row without sections is not covered."""
    if requirements is None:
        requirements = list(
            Requirement.objects.visible_to(user).filter(change=change, status=RequirementStatus.ACTIVE)
        )
    rows = {r.code: CoverageRow(r) for r in requirements if r.status == RequirementStatus.ACTIVE}
    for design in designs if designs is not None else design_rows(change, user):
        if design.version is None:
            continue
        for code, headings in requirement_refs(design.version.body).items():
            row = rows.get(normalise_code(code))
            if row is None:
                continue
            for heading in headings:
                ref = SectionRef(design.article, design.version.number, heading)
                if ref not in row.sections:
                    row.sections.append(ref)
    return list(rows.values())


@dataclass(frozen=True)
class NeedsStatus:
    """The needs version and the client's latest decision, with whether it is about that version."""

    version: int
    latest: NeedsApproval | None

    @property
    def approved(self) -> bool:
        return self.latest is not None and self.latest.approved and not self.outdated

    @property
    def outdated(self) -> bool:
        return self.latest is not None and self.latest.needs_version != self.version


def needs_status(change: Change, user: Any) -> NeedsStatus:
    version = (
        NeedsInventory.objects.visible_to(user)
        .filter(change=change)
        .values_list("version", flat=True)
        .first()
    )
    latest = (
        NeedsApproval.objects.visible_to(user)
        .filter(change=change)
        .select_related("approver")
        .order_by("-at", "-id")
        .first()
    )
    return NeedsStatus(version or 0, latest)


# --------------------------------------------------------------------------------------------------
# the portal: what the requester and the client see of the needs


MAX_PORTAL_ROWS = 500


def waiting_designs(change: Change, user: Any) -> list[ArticleVersion]:
    """The versions of the change's designs waiting for `user`'s decision as the documents' client."""
    linked = ChangeDesign.objects.visible_to(user).filter(change=change).values("article_id")
    decided = VersionApproval.objects.filter(approver_id=user.pk, role=ApprovalRole.CLIENT).values(
        "version_id"
    )
    return list(
        ArticleVersion.objects.for_client(user)
        .filter(article__in=linked, state__in=[VersionState.REVIEW, VersionState.PUBLISHED])
        .exclude(pk__in=decided)
        .select_related("article")
        .order_by("-created_at", "-id")[:50]
    )


@dataclass(frozen=True)
class PortalNeeds:
    status: NeedsStatus
    requirements: list[Requirement]
    questions: list[OpenQuestion]  # asked of the reader
    designs: list[ArticleVersion]  # waiting for the reader's decision as client
    my_decision: NeedsApproval | None  # the reader's decision on the current version
    can_decide: bool


def portal_needs(change: Change, user: Any) -> PortalNeeds:
    """The needs as the portal shows them to `user` (the change's requester or client): the active
    requirements, the questions asked of them, the designs waiting for their decision and whether
    they may decide on the current needs version (the client only, once per version)."""
    requirements = list(
        Requirement.objects.visible_to(user).filter(change=change, status=RequirementStatus.ACTIVE)[
            :MAX_PORTAL_ROWS
        ]
    )
    status = needs_status(change, user)
    mine = (
        NeedsApproval.objects.visible_to(user)
        .filter(change=change, needs_version=status.version, approver_id=user.pk)
        .first()
    )
    is_client = change.client_id is not None and change.client_id == user.pk
    return PortalNeeds(
        status=status,
        requirements=requirements,
        questions=list(
            OpenQuestion.objects.visible_to(user).filter(change=change, asked_of__person_id=user.pk)[
                :MAX_PORTAL_ROWS
            ]
        ),
        designs=waiting_designs(change, user) if is_client else [],
        my_decision=mine,
        can_decide=bool(requirements) and is_client and change.status == "open" and mine is None,
    )
