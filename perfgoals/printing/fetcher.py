"""The only way a print template reaches a file: the project's static files, from disk.

WeasyPrint asks the fetcher for every URL in a document (stylesheets, images). User text
is escaped by the templates, so it cannot add a URL; this fetcher is the second wall: it
serves `file:` URLs that resolve inside static/ and refuses everything else (http, https,
data, file:///etc/passwd, `..` escapes). Fonts are found by fontconfig, not fetched.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
MEDIA_TYPES = {".css": "text/css", ".otf": "font/otf", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}


class RefusedURL(ValueError):
    pass


def static_path(url: str) -> Path:
    """The file under static/ a URL names, or RefusedURL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"打印时拒绝读取外部地址：{url}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise RefusedURL(f"打印时拒绝读取 static 目录以外的文件：{url}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """Serves static/ from disk; records every URL it was asked for (tests read `asked`)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["file"])
        self.asked: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        path = static_path(url)
        media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


def base_url() -> str:
    return STATIC_DIR.as_uri() + "/"
