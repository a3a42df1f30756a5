"""Markdown is rendered once at save time and sanitised: pages print body_html unescaped."""
from service.content.markdown import render_markdown, sanitise_html, slugify


def test_commonmark_with_tables_and_heading_anchors():
    html = render_markdown("## When to seek urgent help\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n### When to seek urgent help")
    assert '<h2 id="when-to-seek-urgent-help">' in html
    assert '<h3 id="when-to-seek-urgent-help-2">' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_raw_script_and_event_handlers_never_survive():
    html = render_markdown('<script>alert(1)</script>\n\n<img src="https://x.test/a.png" onerror="alert(1)">\n\nok')
    assert "<script" not in html
    assert "<img" not in html  # raw HTML is not rendered at all, only escaped text


def test_javascript_urls_are_not_links():
    html = render_markdown("[click](javascript:alert(1)) [data](data:text/html,hi) [ok](https://clinic.test/x)")
    assert 'href="javascript' not in html and 'href="data' not in html
    assert '<a href="https://clinic.test/x" rel="noopener noreferrer">ok</a>' in html


def test_links_get_rel_noopener_and_relative_links_are_kept():
    html = render_markdown("[ask](/ask) [mail](mailto:clinic@example.test)")
    assert '<a href="/ask" rel="noopener noreferrer">' in html
    assert 'href="mailto:clinic@example.test"' in html


def test_images_only_with_http_sources():
    html = render_markdown("![x](https://clinic.test/a.png) ![y](/local.png)")
    assert '<img src="https://clinic.test/a.png" alt="x">' in html
    assert 'src="/local.png"' not in html


def test_sanitiser_strips_dangerous_html_even_if_given_directly():
    dirty = ('<p style="color:red" onclick="x()">hi<script>alert(1)</script></p>'
             '<a href="javascript:alert(1)">x</a><img src="javascript:alert(1)" onerror="x">'
             '<iframe src="https://evil.test"></iframe><style>p{}</style>')
    clean = sanitise_html(dirty)
    for bad in ("script", "onclick", "style", "javascript:", "iframe", "onerror", "alert"):
        assert bad not in clean, bad
    assert "<p>hi</p>" in clean


def test_slugify():
    assert slugify("Brain Tumors") == "brain-tumors"
    assert slugify("  Thoracic Outlet Syndrome: Treatment!  ") == "thoracic-outlet-syndrome-treatment"
    assert slugify("Ménière’s disease") == "menieres-disease"
