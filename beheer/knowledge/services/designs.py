"""Writes and rules of design documents: the section template a new design starts with, the check
of mandatory sections before a version is submitted or published, template edits (coordinators,
with history) and approval records per version (`approve_version`, for any article version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from ..designs import missing_sections
from ..models import (
    DESIGN_KINDS,
    ApprovalDecision,
    ApprovalRole,
    ArticleStatus,
    ArticleVersion,
    DocumentTemplate,
    DocumentTemplateHistoryEntry,
    DocumentTemplateSection,
    VersionApproval,
    VersionState,
)

MAX_SECTIONS = 30
MAX_HEADING = 200
MAX_GUIDANCE = 2000
MAX_COMMENT = 2000


@dataclass(frozen=True)
class SectionData:
    """One section of a template as a coordinator sends it (in order)."""

    heading_nl: str
    heading_en: str
    guidance_nl: str = ""
    guidance_en: str = ""
    mandatory: bool = False


def template_sections(kind: str) -> list[DocumentTemplateSection]:
    if kind not in DESIGN_KINDS:
        return []
    return list(DocumentTemplateSection.objects.filter(template__kind=kind).order_by("position", "id"))


def _comment(text: str) -> str:
    """Guidance as an HTML comment: shown while editing, never rendered (and never content)."""
    return "<!-- " + text.replace("--", "\u2013").strip() + " -->"


def template_body(kind: str) -> str:
    """The Markdown a new design of `kind` starts with: each section's heading in the language of
    the person writing, with its guidance as a comment; "" for other kinds."""
    english = (translation.get_language() or "").startswith("en")
    parts = []
    for section in template_sections(kind):
        heading = (section.heading_en if english else section.heading_nl) or section.heading_nl
        guidance = (section.guidance_en if english else section.guidance_nl) or section.guidance_nl
        parts.append(f"## {heading}\n\n{_comment(guidance)}\n" if guidance else f"## {heading}\n")
    return "\n".join(parts)


def check_mandatory_sections(kind: str, body: str) -> None:
    """Refuse (DomainError on `body`) a design text whose mandatory section is missing or empty,
    naming the section."""
    mandatory = [s for s in template_sections(kind) if s.mandatory]
    if not mandatory:
        return
    missing = missing_sections(body, [(s.heading_nl, s.heading_en) for s in mandatory])
    if not missing:
        return
    names = ", ".join(f"\u201c{mandatory[i].heading}\u201d" for i in missing)
    if len(missing) == 1:
        message = _("The mandatory section %(names)s is missing or empty.") % {"names": names}
    else:
        message = _("The mandatory sections %(names)s are missing or empty.") % {"names": names}
    raise DomainError(message, field_errors={"body": message})


# --------------------------------------------------------------------------------------------------
# templates


def _sections_text(sections: Sequence[DocumentTemplateSection | SectionData]) -> str:
    """The sections as history stores them: one line each, in order."""
    return "\n".join(
        f"{s.heading_nl} / {s.heading_en}{' (*)' if s.mandatory else ''}"
        + (f": {s.guidance_nl} / {s.guidance_en}" if s.guidance_nl or s.guidance_en else "")
        for s in sections
    )


def _clean_sections(sections: Sequence[SectionData]) -> list[SectionData]:
    errors: dict[str, str] = {}
    cleaned: list[SectionData] = []
    if not sections:
        errors["sections"] = _("A template needs at least one section.")
    elif len(sections) > MAX_SECTIONS:
        errors["sections"] = _("A template has at most %(n)d sections.") % {"n": MAX_SECTIONS}
    for index, s in enumerate(sections[:MAX_SECTIONS]):
        nl, en = s.heading_nl.replace("\x00", "").strip(), s.heading_en.replace("\x00", "").strip()
        gnl, gen = s.guidance_nl.replace("\x00", "").strip(), s.guidance_en.replace("\x00", "").strip()
        key = f"sections.{index}"
        if not nl or not en:
            errors[key] = _("Give the heading in Dutch and in English.")
        elif "\n" in nl or "\n" in en or len(nl) > MAX_HEADING or len(en) > MAX_HEADING:
            errors[key] = _("A heading is one line of at most %(n)d characters.") % {"n": MAX_HEADING}
        elif len(gnl) > MAX_GUIDANCE or len(gen) > MAX_GUIDANCE:
            errors[key] = _("Guidance may be at most %(n)d characters.") % {"n": MAX_GUIDANCE}
        cleaned.append(SectionData(nl, en, gnl, gen, bool(s.mandatory)))
    if errors:
        raise DomainError(next(iter(errors.values())), field_errors=errors)
    return cleaned


@transaction.atomic
def update_template(
    template: DocumentTemplate, *, actor: User, expected_version: int, sections: Sequence[SectionData]
) -> DocumentTemplate:
    """Replace the template's sections (in the order given); coordinators and administrators only.
    Designs already written keep their text; the template applies to new designs and to the check
    of mandatory sections."""
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators and administrators may change design templates."))
    locked = DocumentTemplate.objects.select_for_update().filter(pk=template.pk).first()
    if locked is None:
        raise NotFound(_("Template not found."))
    if locked.version != expected_version:
        raise Conflict(_("Somebody else changed this template. Reload the page and try again."))
    cleaned = _clean_sections(sections)
    before = _sections_text(list(locked.sections.order_by("position", "id")))
    after = _sections_text(cleaned)
    if before == after:
        return locked
    locked.sections.all().delete()
    DocumentTemplateSection.objects.bulk_create(
        DocumentTemplateSection(
            template=locked,
            position=(i + 1) * 10,
            heading_nl=s.heading_nl,
            heading_en=s.heading_en,
            guidance_nl=s.guidance_nl,
            guidance_en=s.guidance_en,
            mandatory=s.mandatory,
        )
        for i, s in enumerate(cleaned)
    )
    now = clock.now()
    locked.version += 1
    locked.updated_at = now
    locked.save(update_fields=["version", "updated_at"])
    history.record(
        DocumentTemplateHistoryEntry,
        locked,
        actor=actor,
        action="changed",
        field="sections",
        old=before,
        new=after,
        at=now,
    )
    return locked


# --------------------------------------------------------------------------------------------------
# approvals


def _may_approve(version: ArticleVersion, actor: User, role: str) -> None:
    article = version.article
    if role == ApprovalRole.REVIEWER:
        if not access.is_staff(actor):
            raise PermissionDenied(_("Only operators may approve as reviewer."))
        if not ArticleVersion.objects.visible_to(actor).filter(pk=version.pk).exists():
            raise NotFound(_("Version not found."))
        if version.author_id == actor.pk:
            raise PermissionDenied(_("You cannot review your own version; a second person must do it."))
    elif role == ApprovalRole.CLIENT:
        if article.client_id is None or article.client_id != actor.pk:
            if ArticleVersion.objects.visible_to(actor).filter(pk=version.pk).exists():
                raise PermissionDenied(_("Only the client named on the document may approve as client."))
            raise NotFound(_("Version not found."))
    else:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})


def record_review_approval(version: ArticleVersion, *, actor: User) -> None:
    """The reviewer's approval of a version published through review (approve and publish)."""
    VersionApproval.objects.get_or_create(
        version=version,
        approver=actor,
        role=ApprovalRole.REVIEWER,
        defaults={"decision": ApprovalDecision.APPROVED, "at": clock.now()},
    )


@transaction.atomic
def approve_version(
    version: ArticleVersion, *, actor: User, role: str, decision: str, comment: str = ""
) -> VersionApproval:
    """Record `actor`'s decision on this one version: as reviewer (operators, not the author) or as
    the client named on the article. Only a version submitted for review or published can be decided
    on, once per person and role; a rejection needs a comment. A newer version needs a new decision."""
    if decision not in ApprovalDecision.values:
        raise DomainError(_("Unknown decision."), field_errors={"decision": _("Unknown decision.")})
    if role not in ApprovalRole.values:
        raise DomainError(_("Unknown role."), field_errors={"role": _("Unknown role.")})
    locked = (
        ArticleVersion.objects.select_for_update().select_related("article").filter(pk=version.pk).first()
    )
    if locked is None or not getattr(actor, "is_active", False):
        raise NotFound(_("Version not found."))
    _may_approve(locked, actor, role)
    if locked.article.status == ArticleStatus.ARCHIVED:
        raise DomainError(_("An archived article cannot be approved."))
    if locked.state == VersionState.DRAFT:
        raise DomainError(_("This version is still a draft; submit it for review first."))
    if locked.state == VersionState.SUPERSEDED:
        raise DomainError(_("A newer version has replaced this one; decide on the newest version."))
    text = (comment or "").replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        message = _("The comment may be at most %(n)d characters.") % {"n": MAX_COMMENT}
        raise DomainError(message, field_errors={"comment": message})
    if decision == ApprovalDecision.REJECTED and not text:
        message = _("Say why you reject this version.")
        raise DomainError(message, field_errors={"comment": message})
    if VersionApproval.objects.filter(version=locked, approver=actor, role=role).exists():
        raise DomainError(_("You have already decided on this version."))
    return VersionApproval.objects.create(
        version=locked, approver=actor, role=role, decision=decision, comment=text, at=clock.now()
    )
