"""SVG charts: escaped labels, honest proportions, a clear empty state, accessible markup."""
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from service.desk.charts import bar_chart, grouped_bar_chart, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>&"'


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # well-formed XML or this raises


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "bar" in r.get("class", "").split()]


@pytest.mark.parametrize("make", [
    lambda: bar_chart([(HOSTILE, 3)], title=HOSTILE, unit=HOSTILE),
    lambda: grouped_bar_chart([HOSTILE], {HOSTILE: [2]}, title=HOSTILE, unit=HOSTILE),
    lambda: line_chart([(HOSTILE, 5)], title=HOSTILE, unit=HOSTILE, target=4),
    lambda: bar_chart([], title=HOSTILE, unit="h"),
])
def test_hostile_labels_are_escaped_everywhere(make):
    svg = str(make())
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(Markup(svg))
    assert root.get("aria-label") == HOSTILE  # escaped in the markup, intact for the reader
    assert root.find(f"{SVG}title").text == HOSTILE


@pytest.mark.parametrize("make", [
    lambda: bar_chart([("Spine", 4), ("Brain", 2)], title="Questions", unit="questions"),
    lambda: grouped_bar_chart(["W1", "W2"], {"spine": [1, 2], "brain": [3, 0]}, title="Per topic"),
    lambda: line_chart([("W1", 20), ("W2", None), ("W3", 30)], title="Median first response", unit="h"),
])
def test_charts_are_accessible_responsive_and_free_of_scripts_and_inline_styles(make):
    svg = str(make())
    root = parse(Markup(svg))
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.get("viewBox") == "0 0 640 320" and root.get("width") is None
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc").text
    assert root.get("aria-describedby") == root.find(f"{SVG}desc").get("id")
    assert "<script" not in svg and "style=" not in svg and " on" not in svg.replace(" one", "")
    assert "chart" in root.get("class")


def test_bar_heights_are_proportional_to_values():
    root = parse(bar_chart([("a", 10), ("b", 5), ("c", 2.5), ("d", 0)], title="t", unit="u"))
    heights = [float(r.get("height")) for r in bars(root)]
    assert heights[0] == pytest.approx(2 * heights[1], rel=1e-3)
    assert heights[1] == pytest.approx(2 * heights[2], rel=1e-3)
    assert heights[3] == 0
    # Bars stand on one baseline.
    baselines = {round(float(r.get("y")) + float(r.get("height")), 1) for r in bars(root)}
    assert len(baselines) == 1


def test_the_largest_bar_reaches_the_nice_axis_top():
    root = parse(bar_chart([("a", 7), ("b", 4)], title="t", unit="u"))
    tallest = max(float(r.get("height")) for r in bars(root))
    assert tallest == pytest.approx(228 * 7 / 8, rel=1e-3)   # axis top 8, plot height 228
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert ticks == ["0", "4", "8"]


def test_desc_reads_the_data_for_screen_readers():
    root = parse(bar_chart([("Spine", 4), ("Brain", 2.25)], title="Questions", unit="questions"))
    assert root.find(f"{SVG}desc").text == "Spine: 4 questions; Brain: 2.2 questions"


@pytest.mark.parametrize("make", [
    lambda: bar_chart([], title="Questions per topic", unit=""),
    lambda: grouped_bar_chart([], {}, title="Questions per topic"),
    lambda: grouped_bar_chart(["W1"], {}, title="Questions per topic"),
    lambda: line_chart([], title="Median first response", unit="h"),
    lambda: line_chart([("W1", None), ("W2", None)], title="Median first response", unit="h"),
])
def test_empty_series_say_no_data_yet(make):
    root = parse(make())
    assert "No data yet" in "".join(root.itertext())
    assert root.find(f"{SVG}desc").text == "No data yet."
    assert not bars(root)


def test_grouped_bars_per_category_with_a_legend_and_proportional_heights():
    root = parse(grouped_bar_chart(["W1", "W2"], {"spine": [4, 2], "brain": [1, 0], "tos": [0, 3]},
                                   title="Questions per topic per week"))
    found = bars(root)
    assert len(found) == 6
    by_value = {float(r.get("data-value")): float(r.get("height")) for r in found}
    assert by_value[4] == pytest.approx(4 * by_value[1], rel=1e-3)
    assert by_value[2] == pytest.approx(2 * by_value[1], rel=1e-3)
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-legend"]
    assert sorted(legend) == ["brain", "spine", "tos"]
    assert {r.get("class").split()[1] for r in found} == {"series-0", "series-1", "series-2"}


def test_grouped_chart_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="spine"):
        grouped_bar_chart(["W1", "W2"], {"spine": [1]}, title="t")


def test_line_chart_breaks_at_missing_weeks_and_draws_the_target():
    root = parse(line_chart([("W1", 10), ("W2", 20), ("W3", None), ("W4", 40), ("W5", 30)],
                            title="Median first response", unit="h", target=48))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # W1-W2 and W4-W5
    points = [c for c in root.iter(f"{SVG}circle")]
    assert [c.get("data-value") for c in points] == ["10", "20", "40", "30"]
    ys = [float(c.get("cy")) for c in points]
    baseline = 44 + 228
    # Heights above the baseline are proportional to the values.
    assert (baseline - ys[1]) == pytest.approx(2 * (baseline - ys[0]), rel=1e-3)
    assert root.find(f"{SVG}line[@class='chart-target']") is not None
    assert "Target: 48 h" in root.find(f"{SVG}desc").text


def test_nonsense_values_never_break_the_markup():
    root = parse(bar_chart([("a", float("nan")), ("b", float("inf")), ("c", -3), ("d", 2)], title="t", unit=""))
    assert [r.get("data-value") for r in bars(root)] == ["0", "0", "0", "2"]
    assert not re.search(r"nan|inf", str(bar_chart([("a", float("nan"))], title="t", unit="")))


@pytest.mark.parametrize("value, top", [(0, 1), (0.3, 0.3), (0.35, 0.4), (1, 1), (7, 8), (11, 12), (23, 25), (48, 50), (52, 60), (130, 150)])
def test_axis_tops_are_round_numbers(value, top):
    assert nice_ceiling(value) == pytest.approx(top)


def test_same_data_renders_identically_and_distinct_charts_get_distinct_ids():
    a1 = bar_chart([("a", 1)], title="A", unit="")
    assert a1 == bar_chart([("a", 1)], title="A", unit="")
    b = bar_chart([("a", 1)], title="B", unit="")
    assert parse(a1).find(f"{SVG}desc").get("id") != parse(b).find(f"{SVG}desc").get("id")
