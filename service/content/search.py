"""Full-text search over articles and FAQs: SQLite FTS5 or PostgreSQL tsvector, ranked.

The index itself is made by migrations: on SQLite an FTS5 table kept by triggers (0003); on
PostgreSQL a stored, generated `search_vector` tsvector column on article and faq with a GIN
index (0010), so ranking reads the vector written with the row instead of re-parsing every
matching body. The ORM models do not map that column: only the database writes it.

User text never reaches a query parser raw: it is reduced to word tokens, each quoted (FTS5)
or passed as a bound parameter (PostgreSQL), so `"`, `NEAR`, `*`, `:` or `!` in a query are
just characters. All words must match first; if nothing does, any word may match, so a long
question still finds something. Callers that show only titles and links pass snippets=False
and skip the highlighting, which reads whole bodies.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import DateTime, bindparam, text

from service.extensions import db
from service.staff.models import utcnow

MAX_QUERY_CHARS = 200
MAX_TERMS = 16
MAX_TEXT_CHARS = 500  # how much of a patient's question picks its related pages
# Most of the 40-odd content words 500 characters hold. Each costs ts_rank a look-up per matching
# page; 16 lost the clinical words that come late in a long story (bench/related_reading.py:
# 0.67 of links on the question's topic with 16, 0.69 with 32, for 0.1 ms more PostgreSQL CPU
# per question on the demo content and 1.5 ms on 500 articles of 25 KB).
MAX_TEXT_TERMS = 32
_MARK_START, _MARK_END = "\u27e6", "\u27e7"  # ⟦ ⟧: markers no clinic text uses

# The words PostgreSQL's 'english' configuration ignores (its Snowball list, english.stop), what
# our tokenizer leaves of I'm, we've, you'll, they're and I'd, and the modal verbs (FAQ titles
# ask "Could it be...?", so "could" alone would pull them in). In a patient's question these
# would take the MAX_TEXT_TERMS places meant for the words that say what the question is about.
STOP_WORDS = frozenset("""
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing a an the and
    but if or because as until while of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then once here
    there when where why how all any both each few more most other some such no nor not only own
    same so than too very s t can will just don should now m ve ll re d could would might must shall
""".split())


@dataclass(frozen=True)
class SearchHit:
    """One ranked result. `path` is the public page; `snippet` is plain text, `snippet_html` is
    escaped text with the matched words in <mark>."""

    type: str  # "article" | "faq"
    ref_id: int
    title: str  # article title or FAQ question
    slug: str | None  # articles only
    path: str
    snippet: str
    snippet_html: str
    score: float


def query_terms(q: str | None) -> list[str]:
    """The words of a user query, lower-cased, bounded in number and length."""
    if not q:
        return []
    words = re.findall(r"[^\W_]+", q[:MAX_QUERY_CHARS].lower())
    return [w[:64] for w in words][:MAX_TERMS]


def text_terms(text_: str | None) -> list[str]:
    """The words of free text that say what it is about: lower-cased, without stop words or
    repeats, in order of appearance, bounded in number (MAX_TEXT_TERMS) and length."""
    words = re.findall(r"[^\W_]+", (text_ or "")[:MAX_TEXT_CHARS].lower())
    return list(dict.fromkeys(w[:64] for w in words if w not in STOP_WORDS))[:MAX_TEXT_TERMS]


def _clean_snippet(raw: str) -> tuple[str, str]:
    """Markdown source fragment -> (plain text, escaped HTML with <mark>)."""
    text_ = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw or "")  # [label](url) -> label
    text_ = re.sub(r"[*_`#>|]+", " ", text_)
    text_ = re.sub(r"(?:^|\s)-{2,}(?=\s|$)", " ", text_)
    text_ = re.sub(r"\s+", " ", text_).strip()
    plain = text_.replace(_MARK_START, "").replace(_MARK_END, "")
    marked = html.escape(text_).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")
    return plain, marked


def _hit(kind: str, ref_id: int, title: str, slug: str | None, snippet: str, score: float) -> SearchHit:
    plain, marked = _clean_snippet(snippet)
    path = f"/articles/{slug}" if kind == "article" else f"/ask#faq-{ref_id}"
    return SearchHit(kind, ref_id, title, slug, path, plain, marked, round(float(score), 6))


def search_content(q: str | None, *, limit: int = 20, kinds: tuple[str, ...] = ("article", "faq"),
                   include_drafts: bool = False, snippets: bool = True) -> list[SearchHit]:
    """Ranked hits for `q`: visible content only unless include_drafts (staff). Without
    snippets, each hit's snippet and snippet_html are empty."""
    terms = query_terms(q)
    if not terms or limit <= 0:
        return []
    limit = min(limit, 1000)
    run = _dialect_search()
    hits = run(q or "", terms, limit, kinds, include_drafts, match_all=True, snippets=snippets)
    if not hits and len(terms) > 1:
        hits = run(q or "", terms, limit, kinds, include_drafts, match_all=False, snippets=snippets)
    return hits


def related_to_text(text_: str | None, *, limit: int = 3) -> list[SearchHit]:
    """Visible pages that may help the writer of free text (a patient's question), best first,
    without snippets.

    A question is not a search-box query: its words are almost never all in one page, so
    search_content's "all words" attempt would be wasted. One "any word" query over its content
    words instead: ts_rank and bm25 already put the pages that hold more of them first.
    """
    terms = text_terms(text_)
    if not terms or limit <= 0:
        return []
    run = _dialect_search()
    return run(" ".join(terms), terms, min(limit, 1000), ("article", "faq"), False, match_all=False, snippets=False)


def _dialect_search() -> Callable[..., list[SearchHit]]:
    return _search_postgres if db.engine.dialect.name == "postgresql" else _search_sqlite


def _visibility_sql(include_drafts: bool) -> tuple[str, str]:
    if include_drafts:
        return "1=1", "1=1"
    return "a.status = 'published' AND a.published_at <= :now", "f.status = 'published'"


def _search_sqlite(q: str, terms: list[str], limit: int, kinds: tuple[str, ...], include_drafts: bool,
                   *, match_all: bool, snippets: bool) -> list[SearchHit]:
    # Every term is quoted, so FTS5 operators and syntax in user input are inert.
    match = (" " if match_all else " OR ").join(f'"{t}"' for t in terms)
    article_visible, faq_visible = _visibility_sql(include_drafts)
    wanted = []
    if "article" in kinds:
        wanted.append(f"(a.id IS NOT NULL AND {article_visible})")
    if "faq" in kinds:
        wanted.append(f"(f.id IS NOT NULL AND {faq_visible})")
    snippet_sql = "snippet(content_search, 2, :ms, :me, '…', 24)" if snippets else "''"
    # bm25 weights: title (or question) 10, summary 4, body 1. bm25 is lower-is-better.
    statement = text(f"""
        SELECT content_search.rowid AS rid,
               -bm25(content_search, 10.0, 4.0, 1.0) AS score,
               {snippet_sql} AS snip,
               a.id AS article_id, a.title AS article_title, a.slug AS article_slug,
               f.id AS faq_id, f.question AS faq_question
        FROM content_search
        LEFT JOIN article a ON content_search.rowid % 2 = 0 AND a.id = content_search.rowid / 2
        LEFT JOIN faq f ON content_search.rowid % 2 = 1 AND f.id = (content_search.rowid - 1) / 2
        WHERE content_search MATCH :match AND ({' OR '.join(wanted)})
        ORDER BY bm25(content_search, 10.0, 4.0, 1.0)
        LIMIT :limit
    """)
    params = {"match": match, "limit": limit}
    if snippets:
        params.update(ms=_MARK_START, me=_MARK_END)
    if not include_drafts:
        statement = statement.bindparams(bindparam("now", type_=DateTime()))
        params["now"] = utcnow()
    rows = db.session.execute(statement, params).mappings()
    hits = []
    for row in rows:
        if row["article_id"] is not None:
            hits.append(_hit("article", row["article_id"], row["article_title"], row["article_slug"], row["snip"], row["score"]))
        else:
            hits.append(_hit("faq", row["faq_id"], row["faq_question"], None, row["snip"], row["score"]))
    return hits


def _search_postgres(q: str, terms: list[str], limit: int, kinds: tuple[str, ...], include_drafts: bool,
                     *, match_all: bool, snippets: bool) -> list[SearchHit]:
    if match_all:
        # websearch_to_tsquery never raises on user syntax; control characters are removed first
        # because PostgreSQL text cannot hold NUL.
        query_sql = "websearch_to_tsquery('english', :q)"
        params: dict[str, object] = {"q": re.sub(r"[\x00-\x1f\x7f]", " ", q[:MAX_QUERY_CHARS])}
    else:
        parts = [f"plainto_tsquery('english', :t{i})" for i in range(len(terms))]
        query_sql = "(" + " || ".join(parts) + ")"
        params = {f"t{i}": term for i, term in enumerate(terms)}
    article_visible, faq_visible = _visibility_sql(include_drafts)
    # search_vector is the stored tsvector of migration 0010 (title A, summary B, body C): the GIN
    # index finds the rows and ts_rank reads the stored vector, so no body is parsed here.
    # Bodies are only read for the snippets of the rows that made the cut.
    article_body, faq_body = (", a.body_md AS body", ", f.answer_md AS body") if snippets else ("", "")
    selects = []
    if "article" in kinds:
        selects.append(f"""
            SELECT 'article' AS kind, a.id AS ref_id, a.title AS title, a.slug AS slug{article_body},
                   ts_rank(a.search_vector, q.tsq, 1) AS score
            FROM article a, q WHERE a.search_vector @@ q.tsq AND {article_visible}""")
    if "faq" in kinds:
        selects.append(f"""
            SELECT 'faq' AS kind, f.id AS ref_id, f.question AS title, NULL AS slug{faq_body},
                   ts_rank(f.search_vector, q.tsq, 1) AS score
            FROM faq f, q WHERE f.search_vector @@ q.tsq AND {faq_visible}""")
    snippet_sql = (
        "ts_headline('english', body, (SELECT tsq FROM q), "
        f"'StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1')"
        if snippets else "''"
    )
    statement = text(f"""
        WITH q AS (SELECT {query_sql} AS tsq),
        ranked AS (
            SELECT * FROM ({' UNION ALL '.join(selects)}) AS hits
            ORDER BY score DESC, kind, ref_id LIMIT :limit
        )
        SELECT kind, ref_id, title, slug, score, {snippet_sql} AS snip
        FROM ranked ORDER BY score DESC, kind, ref_id
    """)
    params["limit"] = limit
    if not include_drafts:
        statement = statement.bindparams(bindparam("now", type_=DateTime()))
        params["now"] = utcnow()
    rows = db.session.execute(statement, params).mappings()
    return [_hit(row["kind"], row["ref_id"], row["title"], row["slug"], row["snip"], row["score"]) for row in rows]
