"""The clinic teaches the triage engine: its published content and its coordinators' corrections.

The newest trained engine is stored in the database, so every web process and worker uses
the same one; `stored_engine()` is installed as the runtime provider in create_app().
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from flask import current_app, has_app_context
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from service.content.changes import content_version, visible_article
from service.content.models import Article, Faq, Section
from service.extensions import db
from service.staff.models import Staff
from service.triage.engine import TOPICS, TriageEngine, default_engine
from service.triage.models import TrainedEngine, TriageCorrection

# A process looks for a newer stored engine at most this often.
RECHECK_SECONDS = 5.0
# Only the newest engine is ever loaded; a few older ones cover a process that read the newest id just
# before a retrain. Each is ~7 MB with the urgency model, and beat retrains on every content change.
KEEP_ENGINES = 3


def content_examples() -> Iterator[tuple[str, str]]:
    """Published FAQs and articles under their topic. Only titles, summaries and FAQ answers:
    measured on dev.jsonl, whole article paragraphs (formal prose) made patient triage worse."""
    faqs = db.session.execute(select(Faq.question, Faq.answer_md, Faq.topic).where(Faq.status == "published"))
    for question, answer, topic in faqs:
        if topic in TOPICS:
            yield f"{question} {answer}", topic
    articles = db.session.execute(
        select(Article.title, Article.summary, Section.topic)
        .join(Section, Article.section_id == Section.id)
        .where(*visible_article())
    )
    for title, summary, topic in articles:
        if topic in TOPICS:
            yield f"{title}. {summary}", topic


def correction_examples() -> Iterator[tuple[str, str]]:
    rows = db.session.execute(select(TriageCorrection.text, TriageCorrection.tag).order_by(TriageCorrection.id))
    for text, tag in rows:
        yield text, tag


def record_correction(*, text: str, tag: str, previous_tag: str | None, staff: Staff | None,
                      ticket_id: int | None = None) -> TriageCorrection:
    """Store a re-tag as a training example; the caller commits. Retraining follows in beat."""
    if tag not in TOPICS:
        raise ValueError(f"unknown topic {tag!r}")
    correction = TriageCorrection(ticket_id=ticket_id, text=text[:5000], tag=tag, previous_tag=previous_tag,
                                  staff_id=staff.id if staff is not None else None)
    db.session.add(correction)
    return correction


def _latest() -> TrainedEngine | None:
    return db.session.execute(select(TrainedEngine).order_by(TrainedEngine.id.desc()).limit(1)).scalar_one_or_none()


def _last_correction_id() -> int:
    return db.session.execute(select(func.max(TriageCorrection.id))).scalar_one() or 0


def is_stale() -> bool:
    """True when content changed or corrections arrived since the stored engine was trained, or when this
    process cannot load it (stored under an older engine format or another scikit-learn)."""
    latest = _latest()
    if latest is None or not _loadable(latest.engine):
        return True
    return latest.content_version != content_version() or latest.last_correction_id != _last_correction_id()


def _loadable(blob: bytes) -> bool:
    # Without this, an upgrade that changes the format would leave every process on the base engine
    # (no clinic content, no corrections) until someone happened to publish something. ~15 ms per check.
    try:
        TriageEngine.loads(blob)
    except ValueError:
        return False
    return True


def retrain() -> TrainedEngine:
    """Train on base corpus + content + corrections and store it; the caller commits."""
    version, last_correction = content_version(), _last_correction_id()
    content, corrections = list(content_examples()), list(correction_examples())
    started = time.perf_counter()
    engine = TriageEngine.train([*content, *corrections])
    record = TrainedEngine(
        engine=engine.dumps(), content_version=version, last_correction_id=last_correction,
        content_examples=len(content), correction_examples=len(corrections),
        training_seconds=round(time.perf_counter() - started, 3),
    )
    db.session.add(record)
    db.session.flush()
    _prune_engines()
    _cache.put(record.id, engine)
    return record


def _prune_engines() -> None:
    # By the id of the KEEP_ENGINES-th newest, not by arithmetic on ids: sequences leave gaps.
    oldest_kept = db.session.execute(
        select(TrainedEngine.id).order_by(TrainedEngine.id.desc()).offset(KEEP_ENGINES - 1).limit(1)
    ).scalar_one_or_none()
    if oldest_kept is not None:
        db.session.execute(delete(TrainedEngine).where(TrainedEngine.id < oldest_kept))


def retrain_if_stale() -> int | None:
    """Beat task body: the id of the engine trained now, or None when nothing changed."""
    if not is_stale():
        return None
    record = retrain()
    db.session.commit()
    current_app.logger.info("triage engine %s trained on %s content and %s correction examples in %ss",
                            record.id, record.content_examples, record.correction_examples,
                            record.training_seconds)
    return record.id


class _EngineCache:
    """The engine this process loaded, and when it last asked the database for a newer one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.database: str | None = None  # ids are per database; tests run several
        self.engine_id: int | None = None
        self.engine: TriageEngine | None = None
        self.checked_at = 0.0

    def put(self, engine_id: int, engine: TriageEngine) -> None:
        with self.lock:
            self.database = str(db.engine.url)
            self.engine_id, self.engine, self.checked_at = engine_id, engine, time.monotonic()

    def get(self) -> TriageEngine | None:
        with self.lock:
            if self.database != str(db.engine.url):
                self.database, self.engine_id, self.engine, self.checked_at = str(db.engine.url), None, None, 0.0
            if self.engine is not None and time.monotonic() - self.checked_at < RECHECK_SECONDS:
                return self.engine
        newest_id = db.session.execute(select(func.max(TrainedEngine.id))).scalar_one()
        with self.lock:
            self.checked_at = time.monotonic()
            if newest_id is None:
                return None
            if newest_id == self.engine_id:
                return self.engine
        blob = db.session.execute(select(TrainedEngine.engine).where(TrainedEngine.id == newest_id)).scalar_one()
        try:
            engine = TriageEngine.loads(blob)
        except ValueError:
            # Trained under another scikit-learn or format version: fall back until beat retrains.
            current_app.logger.warning("stored triage engine %s is unreadable here; using the base engine", newest_id)
            return None
        self.put(newest_id, engine)
        return engine


_cache = _EngineCache()


def stored_engine() -> TriageEngine:
    """Runtime provider: the newest stored engine, else the base-corpus engine."""
    if not has_app_context():
        return default_engine()
    try:
        return _cache.get() or default_engine()
    except SQLAlchemyError:
        # No table yet (before `db upgrade`) or the database is briefly away: triage still works.
        db.session.rollback()
        return default_engine()
