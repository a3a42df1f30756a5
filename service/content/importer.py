"""Import sections, articles and FAQs from JSON (`flask --app service content import FILE`, seed).

Two shapes are accepted:
1. An object {"sections": [...], "articles": [...], "faqs": [...]} (any of the three keys), as in
   service/content/demo/content.json.
2. A bare list of FAQs, as in ../shared/seed/faq.json: {question, answer, tag,
   learn_more_section (a section TITLE, created on demand), learn_more_text}.

Idempotent: sections and articles are matched by slug, FAQs by question text; unchanged items
are left alone (no new revision). Everything is validated before anything is written, and a
failure rolls the whole import back, so a bad file never leaves half its content behind.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.content import services
from service.content.validation import (
    clean_article_fields,
    clean_faq_fields,
    clean_section_fields,
)
from service.errors import ServiceError, ValidationFailed
from service.extensions import db
from service.staff.models import Staff

DEMO_CONTENT_PATH = Path(__file__).resolve().parent / "demo" / "content.json"

# Import-file keys -> service field names.
SECTION_KEYS = {"slug": "slug", "title": "title", "topic": "topic", "description": "description", "order": "position"}
ARTICLE_KEYS = {"slug": "slug", "title": "title", "section": "section", "summary": "summary",
                "seo_description": "seo_description", "body": "body_md", "tags": "tags",
                "status": "status", "published_at": "published_at"}
FAQ_KEYS = {"question": "question", "answer": "answer_md", "tag": "topic", "section": "section",
            "learn_more_article": "learn_more_article", "learn_more_text": "learn_more_text",
            "order": "position", "status": "status"}
MAX_ERRORS_SHOWN = 20


class ContentImportError(ServiceError):
    """The file cannot be imported; `errors` lists every problem found ("faqs[3].tag: ...")."""

    status = 422
    code = "import_failed"

    def __init__(self, message: str, errors: list[str] | None = None):
        self.errors = errors or [message]
        shown = "\n".join(f"  - {e}" for e in self.errors[:MAX_ERRORS_SHOWN])
        more = len(self.errors) - MAX_ERRORS_SHOWN
        if more > 0:
            shown += f"\n  ... and {more} more"
        full = message if errors is None else f"{message}\n{shown}"
        super().__init__(full, fields={"errors": self.errors})


@dataclass
class ImportReport:
    sections: int = 0
    articles: int = 0
    faqs: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """E.g. "6 sections, 10 articles, 27 FAQs (created 43, updated 0)"."""
        return (f"{self.sections} sections, {self.articles} articles, {self.faqs} FAQs "
                f"(created {self.created}, updated {self.updated})")


@dataclass
class _Plan:
    sections: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    faqs: list[dict[str, Any]] = field(default_factory=list)  # may carry "_section_title"


def import_content_file(path: str | Path, *, author: Staff | None = None) -> ImportReport:
    """Read, validate and import a JSON file; the caller commits. Raises ContentImportError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentImportError(f"File not found: {path}") from None
    except OSError as exc:
        raise ContentImportError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContentImportError(f"{path} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ContentImportError(f"Invalid JSON in {path} at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    return import_content(data, author=author)


def import_content(data: Any, *, author: Staff | None = None) -> ImportReport:
    """Validate everything in `data` (either shape), then write it in the current transaction."""
    plan = _validate(data)
    try:
        return _apply(plan, author)
    except ServiceError as exc:
        db.session.rollback()
        raise ContentImportError("Import failed; nothing was saved.", [exc.message]) from exc


def _checked(items: list, name: str, keys: dict, clean: Callable[..., dict], errors: list[str],
             slugs: set[str]) -> Iterator[tuple[str, dict]]:
    """(where, cleaned fields) for each item that is an object and validates; every problem, and a
    slug already used earlier in the file (collected in `slugs`), goes to `errors`."""
    for index, item in enumerate(items):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object.")
            continue
        fields = _rename(item, keys, where, errors)
        try:
            fields = clean(fields, partial=False)
        except ValidationFailed as exc:
            _collect(errors, where, exc, keys)
            continue
        if fields["slug"] in slugs:
            errors.append(f"{where}.slug: duplicate slug {fields['slug']!r} in this file.")
        slugs.add(fields["slug"])
        yield where, fields


def _rename(item: Mapping[str, Any], keys: dict[str, str], where: str, errors: list[str],
            extra: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key in keys:
            out[keys[key]] = value
        elif key not in extra:
            errors.append(f"{where}: unknown field {key!r}.")
    return out


def _collect(errors: list[str], where: str, exc: ValidationFailed, names: dict[str, str]) -> None:
    back = {service: key for key, service in names.items()}
    for name, messages in exc.fields.items():
        for message in messages if isinstance(messages, list) else [messages]:
            errors.append(f"{where}.{back.get(name, name)}: {message}")


def _validate(data: Any) -> _Plan:
    errors: list[str] = []
    plan = _Plan()
    if isinstance(data, list):
        groups: dict[str, Any] = {"faqs": data}
    elif isinstance(data, dict):
        unknown = sorted(set(data) - {"sections", "articles", "faqs"})
        if unknown:
            errors.append(f"Unknown top-level key(s): {', '.join(map(repr, unknown))}; expected sections, articles, faqs.")
        groups = data
    else:
        raise ContentImportError("Expected a JSON object with sections/articles/faqs, or a list of FAQs.")
    for name in ("sections", "articles", "faqs"):
        if name in groups and not isinstance(groups[name], list):
            errors.append(f"{name}: must be a list.")
            groups = {**groups, name: []}

    section_slugs: set[str] = set()
    for _, fields in _checked(groups.get("sections", []), "sections", SECTION_KEYS, clean_section_fields,
                              errors, section_slugs):
        plan.sections.append(fields)

    article_slugs: set[str] = set()
    for where, fields in _checked(groups.get("articles", []), "articles", ARTICLE_KEYS, clean_article_fields,
                                  errors, article_slugs):
        section = fields.get("section")
        if section and section not in section_slugs and not _section_exists(section):
            errors.append(f"{where}.section: no section {section!r} in this file or the database.")
        plan.articles.append(fields)

    questions: set[str] = set()
    for index, item in enumerate(groups.get("faqs", [])):
        where = f"faqs[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object.")
            continue
        fields = _rename(item, FAQ_KEYS, where, errors, extra=("learn_more_section",))
        section_title = item.get("learn_more_section")
        if section_title is not None:
            if not isinstance(section_title, str) or not section_title.strip() or len(section_title) > 200 or "\x00" in section_title:
                errors.append(f"{where}.learn_more_section: a section title of 1 to 200 characters, or null.")
                section_title = None
            elif "section" in fields:
                errors.append(f"{where}: give either section (a slug) or learn_more_section (a title), not both.")
        try:
            fields = clean_faq_fields(fields, partial=False)
        except ValidationFailed as exc:
            _collect(errors, where, exc, FAQ_KEYS)
            continue
        if fields["question"] in questions:
            errors.append(f"{where}.question: the same question appears twice in this file.")
        questions.add(fields["question"])
        section = fields.get("section")
        if section and section not in section_slugs and not _section_exists(section):
            errors.append(f"{where}.section: no section {section!r} in this file or the database.")
        article = fields.get("learn_more_article")
        if article and article not in article_slugs and services.article_by_slug_or_none(article) is None:
            errors.append(f"{where}.learn_more_article: no article {article!r} in this file or the database.")
        if section_title:
            fields["_section_title"] = section_title.strip()
        plan.faqs.append(fields)

    if errors:
        raise ContentImportError(f"The file has {len(errors)} problem(s); nothing was imported.", errors)
    return plan


def _section_exists(slug: str) -> bool:
    try:
        services.get_section(slug)
    except ServiceError:
        return False
    return True


def _count(report: ImportReport, created: bool, changed: bool) -> None:
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _apply(plan: _Plan, author: Staff | None) -> ImportReport:
    report = ImportReport()
    touched_sections: set[str] = set()
    for fields in plan.sections:
        try:
            section = services.get_section(fields["slug"])
        except ServiceError:
            services.create_section(fields, author=author)
            _count(report, True, False)
        else:
            before = (section.title, section.topic, section.description, section.position)
            services.update_section(section, fields, author=author)
            _count(report, False, before != (section.title, section.topic, section.description, section.position))
        touched_sections.add(fields["slug"])

    for fields in plan.articles:
        article = services.article_by_slug_or_none(fields["slug"])
        if article is None:
            services.create_article(fields, author=author)
            _count(report, True, False)
        else:
            version = article.version
            services.update_article(article, fields, author=author)
            _count(report, False, article.version != version)
    report.articles = len(plan.articles)

    for fields in plan.faqs:
        title = fields.pop("_section_title", None)
        if title:
            existed = {s.id for s in services.list_sections()}
            section = services.find_or_create_section_by_title(title, fields["topic"], author=author)
            if section.slug not in touched_sections:
                touched_sections.add(section.slug)
                _count(report, section.id not in existed, False)
            fields["section"] = section.slug
        faq = services.faq_by_question(fields["question"])
        if faq is None:
            services.create_faq(fields, author=author)
            _count(report, True, False)
        else:
            version = faq.version
            services.update_faq(faq, fields, author=author)
            _count(report, False, faq.version != version)
    report.sections = len(touched_sections)
    report.faqs = len(plan.faqs)
    return report
