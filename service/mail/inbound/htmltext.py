"""HTML mail bodies as plain text, with quoted history kept visibly quoted ("> ") for cleaning."""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags whose start or end begins a new line of text.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
# Content that is never text a reader sees.
_INVISIBLE = frozenset({"head", "script", "style", "title", "template", "noscript", "object", "svg"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (blockquote depth, text)
        self._line: list[str] = []
        self._line_depth = 0
        self._depth = 0
        self._hidden = 0
        self._pre = 0

    # A line keeps the quote depth it started at, so "> " marks exactly the quoted lines.
    def _flush(self, *, keep_empty: bool = False) -> None:
        text = "".join(self._line)
        text = text if self._pre else text.strip()
        if text or keep_empty:
            self.lines.append((self._line_depth if text else self._depth, text))
        self._line = []

    def _write(self, text: str) -> None:
        if not self._line or not "".join(self._line).strip():
            self._line_depth = self._depth
        self._line.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
            return
        if self._hidden:
            return
        if tag == "br":
            self._flush(keep_empty=True)
        elif tag in _BLOCK:
            self._flush()
            if tag == "blockquote":
                self.lines.append((self._depth, ""))
                self._depth += 1
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._write("- ")
            elif tag == "hr":
                self.lines.append((self._depth, ""))
        elif tag in {"td", "th"}:
            self._write(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
            return
        if self._hidden:
            return
        if tag in _BLOCK:
            self._flush()
            if tag == "blockquote":
                self._depth = max(0, self._depth - 1)
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)
            if tag in {"p", "blockquote", "table"}:
                self.lines.append((self._depth, ""))

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre:
            for i, chunk in enumerate(data.split("\n")):
                if i:
                    self._flush(keep_empty=True)
                self._write(chunk)
            return
        self._write(_SPACES.sub(" ", data))

    def text(self) -> str:
        self._flush()
        out: list[str] = []
        for depth, line in self.lines:
            if not line.strip():
                if out and out[-1]:
                    out.append("")  # at most one blank line in a row
                continue
            out.append(("> " * depth + line).rstrip())
        return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """Readable text from an HTML body: line breaks kept, styles and scripts dropped, quotes as "> "."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient, but a mail body is hostile input: keep what we have
        pass
    return parser.text()
