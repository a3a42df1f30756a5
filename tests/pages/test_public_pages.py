"""The public site as patients and crawlers see it (CONTRACT.md section 3)."""
from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from service.content import services
from service.extensions import db
from service.staff.models import utcnow
from tests.pages.conftest import jsonld_blocks

BASE = "https://clinic.example"


@pytest.fixture
def app_config():
    return {"PUBLIC_BASE_URL": BASE}


def article(slug: str = "new-guide", **fields):
    data = {"slug": slug, "title": "A new guide", "body_md": "Some **text**.", "section": "back-and-leg-pain",
            "tags": ["back-pain"], **fields}
    made = services.create_article(data)
    db.session.commit()
    return made


def assert_page_basics(html: str) -> None:
    """One h1, no inline script code or style attributes (a strict CSP comes later)."""
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert " style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/ld+json"' in tag or " src=" in tag, tag


def test_home_shows_sections_by_topic_latest_articles_and_ask(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert_page_basics(html)
    for section in ("Back and Leg Pain", "Brain Tumours", "Thoracic Outlet Syndrome"):
        assert section in html
    assert "Latest guides" in html and 'href="/articles/' in html
    assert 'href="/ask"' in html
    assert f'<link rel="canonical" href="{BASE}/">' in html


def test_section_lists_its_published_articles(client, demo):
    html = client.get("/sections/back-and-leg-pain").text
    assert_page_basics(html)
    assert "/articles/lumbar-spinal-stenosis" in html
    assert "/articles/meningioma" not in html
    assert client.get("/sections/no-such-section").status_code == 404


def test_article_page_shows_everything_a_patient_needs(client, demo):
    response = client.get("/articles/lumbar-disc-herniation-and-sciatica")
    assert response.status_code == 200
    html = response.text
    assert_page_basics(html)
    found = services.get_published_article("lumbar-disc-herniation-and-sciatica")
    assert f"<h1>{found.title}</h1>" in html
    assert found.summary.split(".")[0] in html
    assert found.body_html[:200] in html
    assert 'href="/tags/sciatica"' in html
    assert "Common questions" in html and "<details" in html
    assert 'href="/ask"' in html
    assert f'<link rel="canonical" href="{BASE}/articles/lumbar-disc-herniation-and-sciatica">' in html
    assert f'<meta name="description" content="{found.seo_description}">' in html


def test_article_carries_medical_web_page_json_ld(client, demo):
    html = client.get("/articles/meningioma").text
    (data,) = jsonld_blocks(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == f"{BASE}/articles/meningioma"
    assert data["headline"] and data["datePublished"].endswith("Z")


def test_draft_and_scheduled_articles_are_not_found(client, demo):
    article("a-draft")
    article("a-scheduled", status="published", published_at=utcnow() + timedelta(days=2))
    assert client.get("/articles/a-draft").status_code == 404
    assert client.get("/articles/a-scheduled").status_code == 404
    assert "a-draft" not in client.get("/sections/back-and-leg-pain").text
    assert "a-scheduled" not in client.get("/tags/back-pain").text


def test_renamed_article_answers_301_to_its_new_address(client, demo):
    found = services.get_published_article("meningioma")
    services.update_article(found, {"slug": "meningioma-explained"})
    db.session.commit()
    response = client.get("/articles/meningioma")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/articles/meningioma-explained")
    assert client.get("/articles/meningioma-explained").status_code == 200


@pytest.mark.parametrize("slug", ["UPPER", "a--b", "x" * 300, "%00", "..%2f..%2fetc"])
def test_malformed_article_slugs_are_plain_404s(client, demo, slug):
    assert client.get(f"/articles/{slug}").status_code == 404


def test_tag_page_lists_tagged_articles(client, demo):
    html = client.get("/tags/first-rib-resection").text
    assert_page_basics(html)
    assert "/articles/thoracic-outlet-syndrome" in html
    assert "/articles/meningioma" not in html
    assert client.get("/tags/no-such-tag").status_code == 404


def test_search_finds_articles_and_faqs(client, demo):
    html = client.get("/search?q=sciatica").text
    assert_page_basics(html)
    assert 'value="sciatica"' in html
    assert "/articles/lumbar-disc-herniation-and-sciatica" in html
    assert "/ask#faq-" in html


def test_search_states_without_query_and_without_results(client, demo):
    assert "Type a word" in client.get("/search").text
    html = client.get("/search?q=xylophonequartz").text
    assert "Nothing matched" in html and 'href="/ask"' in html


@pytest.mark.parametrize("q", ['"unbalanced', "NEAR(a b)", "a* OR b:", "<script>alert(1)</script>", "x" * 5000, "\x00"])
def test_search_never_fails_on_odd_input(client, demo, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text


def test_ask_page_lists_faqs_and_the_question_form(client, demo):
    response = client.get("/ask")
    assert response.status_code == 200
    html = response.text
    assert_page_basics(html)
    assert html.count('<details class="faq"') == 27
    assert 'action="/ask"' in html and 'method="post"' in html
    for name in ("name", "email", "question", "topic", "consent", "website"):
        assert f'name="{name}"' in html
    assert re.search(r'<textarea[^>]*name="question"', html)
    assert re.search(r'<input[^>]*type="checkbox"[^>]*value="y"|<input[^>]*value="y"[^>]*type="checkbox"', html)
    for value in ("", "spine", "brain", "tos"):
        assert f'<option value="{value}"' in html or f'<option selected value="{value}"' in html
    honeypot = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html, flags=re.S).group(1)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert '<script src="/static/js/faq-filter.js" defer></script>' in html
    for field_id in ("name", "email", "question", "topic", "consent"):
        assert f'<label for="{field_id}"' in html


def test_ask_page_carries_faq_page_json_ld(client, demo):
    (data,) = jsonld_blocks(client.get("/ask").text)
    assert data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == 27
    first = data["mainEntity"][0]
    assert first["@type"] == "Question" and first["acceptedAnswer"]["@type"] == "Answer"


def test_render_ask_page_shows_errors_linked_to_fields_and_keeps_typed_text(app, demo):
    from service.content.views import render_ask_page
    from service.tickets.forms import AskForm

    with app.test_request_context("/ask", method="POST", data={
        "name": "Ann <b>", "email": "not-an-email", "question": "My back hurts when I walk far.", "topic": "spine",
    }):
        form = AskForm(meta={"csrf": False})
        assert not form.validate()
        html, status = render_ask_page(form)
    assert status == 200
    assert 'value="Ann &lt;b&gt;"' in html
    assert "My back hurts when I walk far." in html
    assert re.search(r'id="email"[^>]*aria-describedby="email-hint email-error"|aria-describedby="email-hint email-error"[^>]*id="email"', html)
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert 'id="consent-error"' in html
    assert '<option selected value="spine">' in html or '<option value="spine" selected>' in html


def test_sitemap_lists_published_articles_only_with_absolute_urls(client, demo):
    article("hidden-draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(response.data)
    locs = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root.findall("s:url", ns)}
    assert f"{BASE}/" in locs and f"{BASE}/ask" in locs
    assert f"{BASE}/sections/brain-tumours" in locs
    assert f"{BASE}/tags/sciatica" in locs
    article_locs = {loc: lastmod for loc, lastmod in locs.items() if "/articles/" in loc}
    assert len(article_locs) == 10
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod) for lastmod in article_locs.values())
    assert f"{BASE}/articles/hidden-draft" not in locs


def test_robots_txt_allows_pages_hides_staff_and_points_to_the_sitemap(client):
    text = client.get("/robots.txt").text
    assert "User-agent: *" in text and "Disallow: /desk/" in text and "Disallow: /api/" in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text


def test_script_in_an_article_is_escaped_or_removed(client, demo):
    article(
        "xss-guide",
        title='</script><script>alert("t")</script>',
        summary="<img src=x onerror=alert(1)>",
        body_md='<script>alert("b")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(2)>',
        seo_description='"><script>alert(3)</script>',
        status="published",
    )
    html = client.get("/articles/xss-guide").text
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "").replace("onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in html
    assert "&lt;/script&gt;&lt;script&gt;" in html  # the title, escaped in <h1>
    (data,) = jsonld_blocks(html)  # still valid JSON: the title could not close the element
    assert data["headline"] == '</script><script>alert("t")</script>'
    assert_page_basics(html)
