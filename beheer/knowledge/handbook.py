"""What a printed article and a section handbook contain; the HTML print pages and the PDFs share it.

A handbook is a category with all its sub-categories (recursively): every article in it that the
user may read (`Article.visible_to`), published and not archived, in its current published version
only. Chapters follow the category tree (order, then id; a category without readable articles is
left out), articles within a chapter go by title. Chapters are numbered 1, 2, ...; articles 1.1,
1.2, ... Each entry has an anchor for the table of contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Article, ArticleAttachment, ArticleStatus, ArticleVersion, KnowledgeCategory
from .queries import attachments_of, render_body

MAX_HANDBOOK_ARTICLES = 500


@dataclass
class Entry:
    """One article as printed: the version shown, its HTML and its attachments."""

    article: Article
    version: ArticleVersion
    html: str
    attachments: list[ArticleAttachment]
    number: str = ""
    anchor: str = ""


@dataclass
class Chapter:
    number: str
    category: KnowledgeCategory
    depth: int
    anchor: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Handbook:
    category: KnowledgeCategory
    chapters: list[Chapter]
    truncated: bool

    @property
    def entries(self) -> list[Entry]:
        return [e for c in self.chapters for e in c.entries]


def article_entry(article: Article, version: ArticleVersion, user: Any) -> Entry:
    attachments = attachments_of(article, user)
    return Entry(article, version, render_body(version.body, attachments), attachments, anchor="article")


def _tree(root: KnowledgeCategory) -> list[tuple[KnowledgeCategory, int]]:
    """The category and everything below it, depth first, with the depth (the tree is small)."""
    categories = list(KnowledgeCategory.objects.order_by("order", "id"))
    children: dict[int | None, list[KnowledgeCategory]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    found: list[tuple[KnowledgeCategory, int]] = []
    seen: set[int] = set()
    todo: list[tuple[KnowledgeCategory, int]] = [(root, 0)]
    while todo:
        node, depth = todo.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        found.append((node, depth))
        todo.extend((child, depth + 1) for child in reversed(children.get(node.pk, [])))
    return found


def build_handbook(category: KnowledgeCategory, user: Any) -> Handbook:
    tree = _tree(category)
    ids = [c.pk for c, _ in tree]
    articles = list(
        Article.objects.visible_to(user)
        .filter(category_id__in=ids, status=ArticleStatus.PUBLISHED, current_version__isnull=False)
        .select_related("current_version", "owner", "category")
        .order_by("title", "id")[: MAX_HANDBOOK_ARTICLES + 1]
    )
    truncated = len(articles) > MAX_HANDBOOK_ARTICLES
    articles = articles[:MAX_HANDBOOK_ARTICLES]
    files: dict[int, list[ArticleAttachment]] = {}
    for a in (
        ArticleAttachment.objects.filter(article__in=[x.pk for x in articles])
        .for_reader(user)
        .order_by("created_at", "id")
    ):
        files.setdefault(a.article_id, []).append(a)
    by_category: dict[int, list[Article]] = {}
    for article in articles:
        by_category.setdefault(article.category_id or 0, []).append(article)
    chapters: list[Chapter] = []
    for node, depth in tree:
        members = by_category.get(node.pk, [])
        if not members:
            continue
        number = str(len(chapters) + 1)
        chapter = Chapter(number, node, depth, f"kb-chapter-{number}")
        for index, article in enumerate(members, start=1):
            version = article.current_version
            assert version is not None  # filtered above
            attachments = files.get(article.pk, [])
            chapter.entries.append(
                Entry(
                    article,
                    version,
                    render_body(version.body, attachments),
                    attachments,
                    number=f"{number}.{index}",
                    anchor=f"kb-article-{article.pk}",
                )
            )
        chapters.append(chapter)
    return Handbook(category, chapters, truncated)
