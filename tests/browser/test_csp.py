"""The Content-Security-Policy holds in a real browser: the pages load and work with no
violation (an inline script, a style="" attribute, a style htmx inserts would each be one)."""

import pytest
from django.urls import reverse

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    """Every console message and page error, and each CSP violation the page reports."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def violations(seen: list[str]) -> list[str]:
    return [line for line in seen if "Content Security Policy" in line or "Content-Security-Policy" in line]


def test_the_editor_loads_and_saves_with_no_csp_violation(page, make_table, clerk):
    table = make_table()
    seen = watch(page)
    login(page, "clerk")
    page.goto(reverse("home"))
    page.goto(reverse("table_edit", args=[table.pk]))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"  # htmx from our static files ran
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False

    # An htmx save: the header form answers with its partial.
    name = page.locator("#header input[name=project_name]")
    name.fill("安全生产培训经费（修改）")
    with page.expect_response(lambda r: r.request.method == "POST"):
        name.blur()
        page.locator("#header [type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    assert not violations(seen), seen


def test_the_other_pages_with_behaviour_load_with_no_csp_violation(page, make_table, clerk, unit, settings):
    settings.PRINT_WORKERS = 0  # the book preview's PDF is laid out in the live server's thread
    make_table()
    seen = watch(page)
    login(page, "clerk")
    for url in (reverse("home"), reverse("import_document"), reverse("print_book_preview", args=[unit.code, 2026]),
                reverse("review_rules"), reverse("password_change")):  # fmt: skip
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert not violations(seen), seen
