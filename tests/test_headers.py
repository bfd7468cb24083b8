"""Security headers: the Content-Security-Policy (django-csp) and the others, and the
templates that let it hold (no inline script, no style="" attribute, no on…= handler)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# templates/print/ is HTML that WeasyPrint lays out into PDFs; no browser ever loads it.
BROWSER_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if "print" not in p.relative_to(TEMPLATES).parts[:1])
BROWSER_TEMPLATES.append(TEMPLATES / "print" / "preview.html")  # the book preview page is a web page


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def test_every_page_has_a_policy_allowing_only_our_own_scripts_and_styles(client, clerk):
    client.force_login(clerk)
    for url in (reverse("login"), reverse("home"), reverse("review_rules")):
        response = client.get(url)
        policy = directives(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'self'" and policy["base-uri"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_served_from_our_static_files_and_adds_no_inline_style(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("home")).text
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer></script>', html)
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_the_pdfs_may_be_framed_by_our_own_preview_page(client, make_table, clerk):
    table = make_table()
    client.force_login(clerk)
    response = client.get(reverse("print_table", args=[table.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response)["frame-ancestors"] == "'self'"


@pytest.mark.parametrize("template", BROWSER_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style(template):
    text = template.read_text()
    inline_scripts = [m.group(0) for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
                      if "src=" not in m.group(1) or m.group(2).strip()]  # fmt: skip
    assert not inline_scripts, f"move the code to a file in static/js/: {inline_scripts}"
    assert not re.search(r"<style\b", text), "move the style to static/css/app.css"
    assert not re.search(r"""\sstyle\s*=\s*["']""", text), "use a class in static/css/app.css, not style=\"\""
    handlers = re.findall(r"""\s(on[a-z]+)\s*=\s*["']""", text)
    assert not handlers, f"inline event handlers are inline script too: {handlers} (use static/js/)"
    assert "javascript:" not in text
