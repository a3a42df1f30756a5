"""Small server-side SVG charts for the desk: no JavaScript, no inline styles, safe labels.

Every function returns `Markup` built only from numbers we format and text passed through
`escape()` (topic names and week labels may one day come from data staff typed). Colours and
fonts come from classes styled in site.css (`.chart ...`), so a strict CSP needs no
'unsafe-inline'. Each chart carries <title>/<desc> and role="img" with an aria-label, and a
viewBox so it scales to its container.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 320
TOP = 44       # room for the heading
BOTTOM = 48    # room for category labels
LEFT = 48      # room for axis values
RIGHT = 16
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
LABEL_CHARS = 14
SERIES_CLASSES = 6  # .series-0 ... .series-5 in site.css; more groups reuse them


def _num(value: float | None) -> float | None:
    """A finite, non-negative number, or None (counts and durations are never negative)."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return max(value, 0.0)


def _fmt(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _coord(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def nice_ceiling(value: float) -> float:
    """The axis top: the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) at
    or above `value` (1 for 0); fine enough steps that the top bar fills most of the plot."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-9):
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover (the loop always returns)


def _chart_id(kind: str, title: str, payload: str) -> str:
    # Deterministic, so the same data renders byte-identically (ETags), and unique enough
    # that two charts on one page do not share <title> ids.
    return f"chart-{kind}-" + hashlib.sha1(f"{title}|{payload}".encode()).hexdigest()[:8]


def _open(kind: str, title: str, desc: str, payload: str) -> list[str]:
    cid = _chart_id(kind, title, payload)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" aria-describedby="{cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<text class="chart-heading" x="{LEFT}" y="24">{escape(title)}</text>',
    ]


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every piece above is escaped or numeric)


def no_data_chart(title: str, kind: str = "empty") -> Markup:
    """A chart-sized placeholder that says plainly there is nothing to show yet."""
    parts = _open(kind, title, "No data yet.", "empty")
    parts.append(
        f'<rect class="chart-empty" x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" rx="6"/>'
        f'<text class="chart-empty-text" x="{LEFT + PLOT_W / 2:g}" y="{TOP + PLOT_H / 2:g}" '
        f'text-anchor="middle">No data yet</text>'
    )
    return _close(parts)


def _axis(parts: list[str], top_value: float, unit: str) -> None:
    """Horizontal grid lines at 0, half and the top, labelled on the left."""
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + PLOT_H * (1 - fraction)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{_coord(y)}" y2="{_coord(y)}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_coord(y + 4)}" text-anchor="end">'
            f"{escape(_fmt(top_value * fraction))}</text>"
        )
    if unit:
        parts.append(f'<text class="chart-unit" x="4" y="{TOP - 8}">{escape(unit)}</text>')


def _x_label(parts: list[str], x: float, label: str) -> None:
    parts.append(
        f'<text class="chart-label" x="{_coord(x)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
        f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
    )


def _height(value: float, top_value: float) -> float:
    return PLOT_H * value / top_value


def bar_chart(series: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """One bar per (label, value); bar heights proportional to the values."""
    rows = [(str(label), _num(value) or 0.0) for label, value in series]
    if not rows:
        return no_data_chart(title, "bar")
    desc = "; ".join(f"{label}: {_fmt(v)}{' ' + unit if unit else ''}" for label, v in rows)
    top_value = nice_ceiling(max(v for _, v in rows))
    parts = _open("bar", title, desc, repr(rows))
    _axis(parts, top_value, unit)
    slot = PLOT_W / len(rows)
    bar_w = slot * 0.6
    for i, (label, value) in enumerate(rows):
        h = _height(value, top_value)
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + PLOT_H - h
        parts.append(
            f'<rect class="bar series-0" x="{_coord(x)}" y="{_coord(y)}" width="{_coord(bar_w)}" '
            f'height="{_coord(h)}" data-value="{escape(_fmt(value))}"><title>{escape(label)}: '
            f"{escape(_fmt(value))}{escape(' ' + unit if unit else '')}</title></rect>"
            f'<text class="chart-value" x="{_coord(x + bar_w / 2)}" y="{_coord(y - 5)}" text-anchor="middle">'
            f"{escape(_fmt(value))}</text>"
        )
        _x_label(parts, x + bar_w / 2, label)
    return _close(parts)


def grouped_bar_chart(
    categories: Sequence[str], groups: dict[str, Sequence[float]], *, title: str, unit: str = ""
) -> Markup:
    """Bars per category, one per group (e.g. weeks x topics), with a legend."""
    categories = [str(c) for c in categories]
    names = [str(name) for name in groups]
    for name, values in groups.items():
        if len(values) != len(categories):
            raise ValueError(f"group {name!r} has {len(values)} values for {len(categories)} categories")
    values = [[_num(v) or 0.0 for v in vs] for vs in groups.values()]
    if not categories or not names:
        return no_data_chart(title, "grouped")
    desc = "; ".join(
        f"{cat}: " + ", ".join(f"{name} {_fmt(values[g][c])}" for g, name in enumerate(names))
        for c, cat in enumerate(categories)
    )
    top_value = nice_ceiling(max(max(vs) for vs in values))
    parts = _open("grouped", title, desc, repr((categories, names, values)))
    _axis(parts, top_value, unit)
    slot = PLOT_W / len(categories)
    bar_w = slot * 0.8 / len(names)
    for c, cat in enumerate(categories):
        start = LEFT + slot * c + slot * 0.1
        for g, name in enumerate(names):
            value = values[g][c]
            h = _height(value, top_value)
            x = start + bar_w * g
            parts.append(
                f'<rect class="bar series-{g % SERIES_CLASSES}" x="{_coord(x)}" y="{_coord(TOP + PLOT_H - h)}" '
                f'width="{_coord(bar_w)}" height="{_coord(h)}" data-value="{escape(_fmt(value))}">'
                f"<title>{escape(cat)}, {escape(name)}: {escape(_fmt(value))}</title></rect>"
            )
        _x_label(parts, start + slot * 0.4, cat)
    # Legend along the top right, one swatch per group.
    x = WIDTH - RIGHT
    for g, name in reversed(list(enumerate(names))):
        text = _short(name)
        x -= 14 + 7.5 * len(text) + 12
        parts.append(
            f'<rect class="legend-swatch series-{g % SERIES_CLASSES}" x="{_coord(x)}" y="12" width="12" height="12"/>'
            f'<text class="chart-legend" x="{_coord(x + 16)}" y="23">{escape(text)}</text>'
        )
    return _close(parts)


def line_chart(
    points: Sequence[tuple[str, float | None]], *, title: str, unit: str = "", target: float | None = None
) -> Markup:
    """A line through (label, value) points; None leaves a gap (a week with nothing to measure).

    `target` draws a dashed reference line (e.g. the response-time target in hours).
    """
    rows = [(str(label), _num(value)) for label, value in points]
    measured = [v for _, v in rows if v is not None]
    if not measured:
        return no_data_chart(title, "line")
    target = _num(target)
    desc = "; ".join(f"{label}: {_fmt(v) + (' ' + unit if unit else '') if v is not None else 'no data'}"
                     for label, v in rows)
    if target is not None:
        desc += f". Target: {_fmt(target)}{' ' + unit if unit else ''}"
    top_value = nice_ceiling(max(measured + ([target] if target is not None else [])))
    parts = _open("line", title, desc, repr((rows, target)))
    _axis(parts, top_value, unit)
    slot = PLOT_W / len(rows)
    xy: list[tuple[float, float] | None] = []
    for i, (label, value) in enumerate(rows):
        x = LEFT + slot * i + slot / 2
        xy.append(None if value is None else (x, TOP + PLOT_H - _height(value, top_value)))
        _x_label(parts, x, label)
    if target is not None:
        ty = TOP + PLOT_H - _height(target, top_value)
        parts.append(f'<line class="chart-target" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{_coord(ty)}" y2="{_coord(ty)}">'
                     f"<title>Target: {escape(_fmt(target))}{escape(' ' + unit if unit else '')}</title></line>")
    # One polyline per unbroken run of measured points.
    run: list[str] = []
    for point in xy + [None]:
        if point is None:
            if len(run) > 1:
                parts.append(f'<polyline class="line series-0" points="{" ".join(run)}"/>')
            run = []
        else:
            run.append(f"{_coord(point[0])},{_coord(point[1])}")
    for (label, value), point in zip(rows, xy):
        if point is not None and value is not None:
            parts.append(
                f'<circle class="point series-0" cx="{_coord(point[0])}" cy="{_coord(point[1])}" r="4" '
                f'data-value="{escape(_fmt(value))}"><title>{escape(label)}: {escape(_fmt(value))}'
                f"{escape(' ' + unit if unit else '')}</title></circle>"
            )
    return _close(parts)
