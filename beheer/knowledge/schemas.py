"""API input and output shapes of the knowledge base (shape only; rules live in services).

The output schemas describe the dicts that api/articles.py and api/notices.py build, field for field and in
the same order, so declaring them changed no answer. Instants and dates stay the strings the
serialisers write (`isoformat()`), documented as `date-time` / `date`: a `datetime` field would be
written again by the JSON encoder in another form. Class names start with `Knowledge` or
`Article` where another app has a schema of the same name: the OpenAPI document names a component
after its class.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine
from beheer.core.schemas import errors as errors  # the API's shared error answer
from beheer.core.schemas import file_answer as file_answer

from .models import ApprovalDecision, ApprovalRole, ArticleStatus, Audience, Kind, VersionState

IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


def _one_of(values: list[str]) -> Any:
    """A string documented with its possible values, inline: an enum class would become a component
    named after the class, and "Kind" is a name other apps use too."""
    return WithJsonSchema({"type": "string", "enum": values})


KindValue = Annotated[str, _one_of(Kind.values)]
AudienceValue = Annotated[str, _one_of(Audience.values)]
StatusValue = Annotated[str, _one_of(ArticleStatus.values)]
StateValue = Annotated[str, _one_of(VersionState.values)]


# --------------------------------------------------------------------------------------------------
# input: articles


class ArticleListParams(Schema):
    q: TextLine = ""
    kind: TextLine = ""
    status: TextLine = ""
    audience: TextLine = ""
    category: Id | None = None
    review_overdue: bool = False
    ci: Id | None = Field(None, description="only the articles documenting this configuration item (staff)")
    cursor: TextLine | None = None
    size: Int64 = 50


class ArticleIn(Schema):
    title: TextLine
    body: Text = ""
    kind: TextLine = "solution"
    audience: TextLine = "operators"
    category: Id | None = None
    tags: TextLine = ""
    review_interval_days: Int64 = 365
    change_note: TextLine = ""
    ci_ids: list[Id] | None = Field(
        None,
        max_length=200,
        description="the configuration items the article documents; left out: unchanged (staff)",
    )
    client: Id | None = Field(None, description="design documents: the person who approves as client")


class DraftIn(ArticleIn):
    version: Int64


class ArticleCisIn(Schema):
    ci_ids: list[Id] = Field(max_length=200, description="the configuration items the article documents")


class ArticleVersionIn(Schema):
    version: Int64


class RestoreIn(Schema):
    version: Int64
    number: Int64


# --------------------------------------------------------------------------------------------------
# input: change notices and read acknowledgements


class SubscriptionIn(Schema):
    operator_group: Id | None = None
    department: Id | None = None
    user: Id | None = None


class AcknowledgeIn(Schema):
    number: Int64 | None = None  # the version the reader saw; a newer current version answers 409


class AcknowledgementSettingIn(Schema):
    version: Int64
    required: bool


class AcknowledgementParams(Schema):
    list: Literal["pending", "acknowledged"] = "pending"
    cursor: TextLine | None = None
    size: Int64 = 50


# --------------------------------------------------------------------------------------------------
# output: articles, versions, attachments


class KnowledgeRef(Schema):
    id: int
    name: str


class ArticleOut(Schema):
    """An article as lists show it."""

    id: int
    title: str
    kind: KindValue
    audience: AudienceValue
    status: StatusValue
    archived: bool
    category: KnowledgeRef | None
    tags: list[str]
    owner: KnowledgeRef
    client: KnowledgeRef | None = Field(description="design documents: the client who approves")
    next_review_on: IsoDate | None
    review_overdue: bool
    last_reviewed_at: IsoDateTime | None
    requires_acknowledgement: bool
    version: int = Field(description="the article's version number; send it back with a change")
    updated_at: IsoDateTime


class ArticleVersionOut(Schema):
    number: int
    state: StateValue
    title: str
    tags: list[str]
    audience: AudienceValue
    change_note: str
    author: str
    created_at: IsoDateTime
    published_at: IsoDateTime | None
    approved_by: str | None


class ArticleVersionTextOut(ArticleVersionOut):
    body: str = Field(description="Markdown")
    html: str = Field(description="the Markdown rendered and sanitised")


class ArticleAttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    is_image: bool
    markdown: str = Field(description="the snippet that puts the attachment into the article text")
    created_at: IsoDateTime
    download_url: str


class ArticleDetailOut(ArticleOut):
    """An article with the version the reader is shown (`title` is that version's) and, for editors,
    the draft; `draft` is left out when there is none the reader may see."""

    shown_version: ArticleVersionTextOut
    body: str = Field(description="Markdown of the shown version")
    html: str = Field(description="the shown version rendered and sanitised")
    attachments: list[ArticleAttachmentOut]
    ci_ids: list[int] = Field(
        description="the configuration items the article documents (staff; callers: none)"
    )
    cis: list[KnowledgeRef]
    draft: ArticleVersionTextOut | SkipJsonSchema[None] = None


# The answer to an action on an article: the article as its reader now sees it, or without the
# version texts when the action took it out of the reader's sight (archiving, for most readers).
ArticleActionOut = Annotated[ArticleDetailOut | ArticleOut, Field(union_mode="left_to_right")]


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleDiffLineOut(Schema):
    op: Literal["equal", "delete", "insert", "header"]
    old_number: int | None
    new_number: int | None
    text: str


class ArticleDiffOut(Schema):
    old: ArticleVersionOut
    new: ArticleVersionOut
    lines: list[ArticleDiffLineOut]


# --------------------------------------------------------------------------------------------------
# output: change notices and read acknowledgements


class ArticleSubscriptionOut(Schema):
    id: int
    type: Literal["operator_group", "department", "user"]
    target_id: int
    name: str


class KnowledgeReaderOut(Schema):
    id: int
    name: str
    email: str


class KnowledgeAcknowledgedReaderOut(KnowledgeReaderOut):
    acknowledged_at: IsoDateTime


class AcknowledgementSettingOut(Schema):
    requires_acknowledgement: bool
    version: int


class AcknowledgementOut(Schema):
    version: int = Field(description="the number of the version acknowledged")
    acknowledged_at: IsoDateTime


class AcknowledgementCountsOut(Schema):
    expected: int
    acknowledged: int
    pending: int
    total: int


# who acknowledged (with when) or who has not yet; named outside the class, whose `list` field
# would hide the builtin
ReaderList = Annotated[
    list[KnowledgeAcknowledgedReaderOut] | list[KnowledgeReaderOut], Field(union_mode="left_to_right")
]


class AcknowledgementStatusOut(Schema):
    version: int | None = Field(description="the number of the current version")
    requires_acknowledgement: bool
    counts: AcknowledgementCountsOut
    list: Literal["pending", "acknowledged"]
    items: ReaderList
    next_cursor: str | None


# --------------------------------------------------------------------------------------------------
# design documents: section templates and approvals per version

DecisionValue = Annotated[str, _one_of(ApprovalDecision.values)]
RoleValue = Annotated[str, _one_of(ApprovalRole.values)]


class KnowledgeTemplateSectionIn(Schema):
    heading_nl: TextLine
    heading_en: TextLine
    guidance_nl: Text = ""
    guidance_en: Text = ""
    mandatory: bool = False


class KnowledgeTemplateIn(Schema):
    version: Int64
    sections: list[KnowledgeTemplateSectionIn] = Field(description="all sections, in order (replaced)")


class KnowledgeTemplateSectionOut(Schema):
    position: int
    heading_nl: str
    heading_en: str
    guidance_nl: str
    guidance_en: str
    mandatory: bool


class KnowledgeTemplateOut(Schema):
    id: int
    kind: KindValue
    name: str
    sections: list[KnowledgeTemplateSectionOut]
    version: int = Field(description="send it back with a change")
    updated_at: IsoDateTime | None


class KnowledgeApprovalIn(Schema):
    role: Literal["reviewer", "client"] = "reviewer"
    decision: Literal["approved", "rejected"]
    comment: Text = ""


class KnowledgeApprovalOut(Schema):
    id: int
    version: int = Field(description="the number of the version decided on")
    approver: KnowledgeRef
    role: RoleValue
    decision: DecisionValue
    comment: str
    at: IsoDateTime
