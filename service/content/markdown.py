"""Markdown to sanitised HTML, done once at save time so pages never render Markdown per request.

Staff write Markdown, but an API token can be stolen and an editor can paste anything: the
rendered HTML is the only thing pages print unescaped, so it goes through an allow-list
(nh3) after rendering. Raw HTML in the source is not rendered at all (html=False).
"""
from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td",
    "a", "em", "strong", "code", "pre", "blockquote", "hr", "br", "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "h2": {"id"},
    "h3": {"id"},
}
# Relative URLs are always kept by nh3; these are the only absolute schemes allowed.
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def slugify(text: str, max_length: int = 120) -> str:
    """Lower-case ASCII words joined by hyphens: "Brain Tumors" -> "brain-tumors"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def _add_heading_ids(tokens: list) -> None:
    """Give h2/h3 stable ids so articles can link to their own sections (#when-to-seek-urgent-help)."""
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in ("h2", "h3"):
            continue
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        base = slugify(inline.content if inline is not None else "", 80) or "section"
        count = seen.get(base, 0)
        seen[base] = count + 1
        token.attrSet("id", base if count == 0 else f"{base}-{count + 1}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Images load without a click, so only absolute http(s) sources; never data: or relative tricks.
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; drop script/style with their content."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """CommonMark (+ tables) to HTML that is safe to print unescaped."""
    tokens = _md.parse(source or "")
    _add_heading_ids(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitise_html(html)
