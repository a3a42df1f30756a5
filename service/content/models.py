"""The clinic's content: sections, articles (with revisions and slug history), tags and FAQs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from service.extensions import db
from service.staff.models import utcnow

TOPICS = ("spine", "brain", "tos")

article_tag = Table(
    "article_tag",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Section(db.Model):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="section")


class Tag(db.Model):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Article(db.Model):
    """Visible to the public when published and its publish time has come (scheduling)."""

    __tablename__ = "article"
    __table_args__ = (Index("ix_article_status_published_at", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The "title" order's key as the database computes it (its lower() and Python's differ
    # beyond ASCII): a list cursor must hold exactly the value the next page compares with.
    title_key: Mapped[str] = column_property(func.lower(title), deferred=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once per save, so pages never run Markdown per request.
    body_html: Mapped[str] = mapped_column(Text, default="")
    seo_description: Mapped[str] = mapped_column(String(300), default="")
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped on every saved change; part of ETags and cache keys.
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))

    section: Mapped[Section | None] = relationship(back_populates="articles", lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=article_tag, lazy="selectin", order_by="Tag.slug")
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleRevision.number"
    )

    @property
    def state(self) -> str:
        """draft, scheduled (published with a future publish time) or published."""
        if self.status != "published":
            return "draft"
        if self.published_at is None or self.published_at > utcnow():
            return "scheduled"
        return "published"

    @property
    def is_visible(self) -> bool:
        return self.state == "published"


class ArticleRevision(db.Model):
    """A snapshot taken at every save; rollback copies one back as a new revision."""

    __tablename__ = "article_revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    seo_description: Mapped[str] = mapped_column(String(300), default="")
    section_id: Mapped[int | None]
    tag_slugs: Mapped[str] = mapped_column(Text, default="")  # space-separated
    status: Mapped[str] = mapped_column(String(20))
    published_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")


class SlugRedirect(db.Model):
    """An article's former slug, so old links answer 301 instead of 404."""

    __tablename__ = "slug_redirect"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(120), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)

    article: Mapped[Article] = relationship(lazy="joined")


class Faq(db.Model):
    __tablename__ = "faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer_md: Mapped[str] = mapped_column(Text, default="")
    answer_html: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(20), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"), index=True)
    learn_more_article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="SET NULL"))
    learn_more_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="published")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    section: Mapped[Section | None] = relationship(lazy="joined")
    learn_more_article: Mapped[Article | None] = relationship(lazy="joined")

    @property
    def is_visible(self) -> bool:
        return self.status == "published"


class ContentChange(db.Model):
    """One row per content save or delete: an audit trail, and its max id is the content version
    that page and API ETags are built from (it changes on any save, including deletes)."""

    __tablename__ = "content_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # article | faq | section
    ref_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # created | updated | published | ... | deleted
    label: Mapped[str] = mapped_column(String(200), default="")  # slug or question, kept after a delete
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
