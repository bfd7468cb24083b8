"""The book's preview page, in a browser that does not show PDFs in a page.

chromium-headless-shell has no PDF viewer: the frame never loads, as in a browser set to
download PDFs instead of showing them. The page must not say 正在生成 for ever."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_a_preview_that_cannot_show_the_pdf_points_to_the_download(page, make_table, clerk, unit, settings):
    settings.PRINT_WORKERS = 0  # the PDF is laid out in the live server's thread
    make_table()
    login(page, "clerk")
    page.clock.install()

    page.goto(reverse("print_book_preview", args=[unit.code, 2026]))
    progress = page.locator("#book-progress")
    expect(progress).to_contain_text("正在生成PDF")
    page.clock.run_for(11_000)

    expect(progress).to_contain_text("请点右上角“下载PDF”打开")
    expect(page.get_by_role("link", name="下载PDF")).to_be_visible()
