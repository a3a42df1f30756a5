"""The content editor at /desk/content: articles (draft, preview, publish, schedule, unpublish,
revision history, rollback), sections and FAQs.

Only admins and coordinators edit content; a surgeon gets 403. Every write goes through
service.content.services, which records revisions, slug redirects and the change log; this
module parses forms, maps service errors back onto the fields and commits once per request.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_login import current_user
from sqlalchemy import select

from service import keyset
from service.content import preview
from service.content import services as content
from service.content.forms import ArticleForm, FaqForm, SectionForm, choice
from service.content.markdown import render_markdown, slugify
from service.content.models import Article, Faq, Section
from service.desk import paging  # the desk's list pages: the editor is part of the desk
from service.errors import ServiceError
from service.extensions import db, login_manager
from service.staff.models import Role, Staff, utcnow

bp = Blueprint("editor", __name__, url_prefix="/desk/content")

EDITOR_ROLES = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})
ARTICLE_ACTIONS = ("preview", "save", "publish", "schedule", "unpublish")
STATUS_FILTERS = ("all", "draft", "scheduled", "published")
PAGE_SIZE = 50


@bp.before_request
def editors_only():
    """One gate for every editor URL (login_required + role), so no route can forget it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in EDITOR_ROLES:
        abort(403, description="Only coordinators and admins edit the clinic's content.")
    return None


def _author() -> Staff:
    return current_user._get_current_object()


def _apply_service_errors(form: Any, exc: ServiceError) -> None:
    """Put a service's field errors on the matching form fields; the rest on the form."""
    db.session.rollback()  # a failed save may have half-changed the loaded objects
    unplaced: list[str] = []
    for name, messages in (exc.fields or {}).items():
        field = form._fields.get(name)
        texts = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        if field is not None:
            field.errors = list(field.errors) + texts
        else:
            unplaced.extend(texts)
    form.form_errors = list(form.form_errors) + (unplaced or ([] if exc.fields else [exc.message]))


def _tag_items(form: ArticleForm) -> list[Any]:
    """"Back pain, surgery" -> [{"slug": "back-pain", "name": "Back pain"}, "surgery"]."""
    items: list[Any] = []
    for entry in form.tag_list():
        slug = slugify(entry, 80)
        items.append(slug if slug == entry else {"slug": slug or entry, "name": entry})
    return items


def _section_choices(form: Any) -> None:
    form.section.choices = [choice("", "(no section)")] + [choice(s.slug, s.title) for s in content.list_sections()]


# --------------------------------------------------------------------------- articles

@bp.get("/")
def articles():
    status = request.args.get("status", "all")
    if status not in STATUS_FILTERS:
        status = "all"
    query = content.article_list_query(section=None, tag=None, search=None, order="title", status=status)
    page = _list_page(query, content.ARTICLE_KEYS["title"])
    return render_template("editor/articles.html", articles=page.rows, total=page.total, page=page, status=status,
                           filters=STATUS_FILTERS)


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    total: int  # exact up to paging.COUNT_CAP, then COUNT_CAP + 1 ("1,000+")
    total_text: str
    pages: int | None
    window: keyset.Window


def _list_page(query: Any, order: keyset.Order) -> ListPage:
    """One page of an editor list: numbered while counted exactly, Newer/Older cursors beyond."""
    where_from = paging.position(request.args)
    total = keyset.bounded_count(query, paging.COUNT_CAP)
    window = keyset.read_page(query, order, PAGE_SIZE, after=where_from.after, before=where_from.before,
                              number=paging.page_to_read(where_from, total, PAGE_SIZE))
    return ListPage(window.rows, total, keyset.count_text(total, paging.COUNT_CAP),
                    paging.page_count(total, PAGE_SIZE), window)


def _article_initial(article: Article) -> dict[str, Any]:
    return {
        "title": article.title, "slug": article.slug, "summary": article.summary,
        "seo_description": article.seo_description, "body_md": article.body_md,
        "section": article.section.slug if article.section else "",
        "tags": ", ".join(t.slug for t in article.tags),
        "publish_at": article.published_at if article.state == "scheduled" else None,
    }


def _article_data(form: ArticleForm, action: str, *, new: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": form.title.data, "summary": form.summary.data or "",
        "seo_description": form.seo_description.data or "", "body_md": form.body_md.data or "",
        "section": form.section.data or None, "tags": _tag_items(form),
    }
    if form.slug.data or new:
        data["slug"] = form.slug.data or slugify(form.title.data or "")
    if form.note.data:
        data["note"] = form.note.data
    if action == "publish":
        data.update(status="published", published_at=utcnow())
    elif action == "schedule":
        data.update(status="published", published_at=form.publish_at.data)
    elif action == "unpublish":
        data["status"] = "draft"
    return data


def _schedule_time_ok(form: ArticleForm) -> bool:
    if form.publish_at.data is None:
        form.publish_at.errors = list(form.publish_at.errors) + ["Pick the date and time to publish (UTC)."]
        return False
    if form.publish_at.data <= utcnow():
        form.publish_at.errors = list(form.publish_at.errors) + ["Pick a time in the future, or use Publish now."]
        return False
    return True


DONE_MESSAGES = {
    "save": "Saved.",
    "publish": "Published: the article is live.",
    "schedule": "Scheduled: the article goes live at the chosen time (UTC).",
    "unpublish": "Unpublished: the article is a draft again and gone from the public site.",
}


def _edit_article(article: Article | None):
    form = ArticleForm() if request.method == "POST" else ArticleForm(
        data=_article_initial(article) if article else None)
    _section_choices(form)
    preview_html = None
    if request.method == "POST":
        action = request.form.get("action", "save")
        if action not in ARTICLE_ACTIONS:
            action = "save"
        valid = form.validate_on_submit()
        if valid and action == "schedule":
            valid = _schedule_time_ok(form)
        if action == "preview" and "csrf_token" not in form.errors:
            # Same Markdown renderer and sanitiser as a save: what the preview shows is what publishes.
            preview_html = render_markdown(form.body_md.data or "")
        elif valid:
            try:
                data = _article_data(form, action, new=article is None)
                if article is None:
                    article = content.create_article(data, author=_author())
                else:
                    content.update_article(article, data, author=_author())
                db.session.commit()
            except ServiceError as exc:
                _apply_service_errors(form, exc)
            else:
                flash(DONE_MESSAGES[action])
                return redirect(url_for("editor.edit_article", article_id=article.id), code=303)
    return render_template("editor/article_form.html", form=form, article=article, preview_html=preview_html)


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article():
    return _edit_article(None)


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
def edit_article(article_id: int):
    return _edit_article(db.get_or_404(Article, article_id))


@bp.post("/articles/<int:article_id>/preview-link")
def preview_on_front_end(article_id: int):
    """PREVIEW_URL_TEMPLATE set: open the clinic front end's preview of this article (saved state)."""
    article = db.get_or_404(Article, article_id)
    if not current_app.config.get("PREVIEW_URL_TEMPLATE"):
        abort(404)
    return redirect(preview.issue(article).url, code=303)


@bp.get("/articles/<int:article_id>/revisions")
def revisions(article_id: int):
    article = db.get_or_404(Article, article_id)
    history = content.list_revisions(article)
    author_ids = {r.author_id for r in history if r.author_id}
    authors = {s.id: s.name for s in db.session.execute(select(Staff).where(Staff.id.in_(author_ids))).scalars()} \
        if author_ids else {}
    return render_template("editor/revisions.html", article=article, revisions=history, authors=authors)


@bp.post("/articles/<int:article_id>/revisions/<int:number>/rollback")
def rollback(article_id: int, number: int):
    article = db.get_or_404(Article, article_id)
    content.rollback_article(article, number, author=_author())
    db.session.commit()
    flash(f"Rolled back to revision {number}; that is now revision {article.version}.")
    return redirect(url_for("editor.edit_article", article_id=article.id), code=303)


# --------------------------------------------------------------------------- sections

@bp.get("/sections")
def sections():
    return render_template("editor/sections.html", sections=content.list_sections(),
                           counts=content.section_article_counts())


def _save(form: FlaskForm, item: Any, data: dict[str, Any], create: Callable[..., Any],
          update: Callable[..., Any]) -> Any:
    """Create (no item yet) or update from a validated form, and commit. The saved item, or None
    with the service's objections shown on the form's fields."""
    try:
        if item is None:
            item = create(data, author=_author())
        else:
            update(item, data, author=_author())
        db.session.commit()
    except ServiceError as exc:
        _apply_service_errors(form, exc)
        return None
    return item


def _edit_section(section: Section | None):
    form = SectionForm() if request.method == "POST" else SectionForm(obj=section)
    if form.validate_on_submit():
        data = {"title": form.title.data, "topic": form.topic.data,
                "description": form.description.data or "", "position": form.position.data or 0,
                "slug": form.slug.data or (section.slug if section else slugify(form.title.data or ""))}
        if _save(form, section, data, content.create_section, content.update_section) is not None:
            flash("Section saved.")
            return redirect(url_for("editor.sections"), code=303)
    return render_template("editor/section_form.html", form=form, section=section)


@bp.route("/sections/new", methods=["GET", "POST"])
def new_section():
    return _edit_section(None)


@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
def edit_section(section_id: int):
    return _edit_section(db.get_or_404(Section, section_id))


# --------------------------------------------------------------------------- FAQs

@bp.get("/faqs")
def faqs():
    page = _list_page(content.faq_query(status="all"), content.FAQ_ORDER)
    return render_template("editor/faqs.html", faqs=page.rows, page=page)


def _faq_initial(faq: Faq) -> dict[str, Any]:
    return {
        "question": faq.question, "answer_md": faq.answer_md, "topic": faq.topic,
        "section": faq.section.slug if faq.section else "",
        "learn_more_article": faq.learn_more_article.slug if faq.learn_more_article else "",
        "learn_more_text": faq.learn_more_text, "position": faq.position, "status": faq.status,
    }


def _edit_faq(faq: Faq | None):
    form = FaqForm() if request.method == "POST" else FaqForm(data=_faq_initial(faq) if faq else None)
    _section_choices(form)
    all_articles, _ = content.published_articles(status="all", order="title", limit=1000)
    form.learn_more_article.choices = [choice("", "(none)")] + [choice(a.slug, a.title) for a in all_articles]
    if form.validate_on_submit():
        data = {"question": form.question.data, "answer_md": form.answer_md.data, "topic": form.topic.data,
                "section": form.section.data or None, "learn_more_article": form.learn_more_article.data or None,
                "learn_more_text": form.learn_more_text.data or "", "position": form.position.data or 0,
                "status": form.status.data}
        if _save(form, faq, data, content.create_faq, content.update_faq) is not None:
            flash("Question saved.")
            return redirect(url_for("editor.faqs"), code=303)
    return render_template("editor/faq_form.html", form=form, faq=faq)


@bp.route("/faqs/new", methods=["GET", "POST"])
def new_faq():
    return _edit_faq(None)


@bp.route("/faqs/<int:faq_id>", methods=["GET", "POST"])
def edit_faq(faq_id: int):
    return _edit_faq(db.get_or_404(Faq, faq_id))
