"""The simulated people of bench/load.py: HTTP clients that act as the browser does.

Plain threads and http.client (the standard library): each simulated person is a thread that
sleeps 5–15 s between actions, so 220 of them cost the benchmark machine almost nothing, and
the process that drives them also prepares the database and checks it afterwards. A client
keeps its cookies (session, CSRF), reads the pages' forms as the browser would (hidden inputs,
the row's `version`, the CSRF token htmx sends as X-CSRFToken), and posts them back.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode


@dataclass
class Sample:
    kind: str
    start: float  # time.monotonic()
    seconds: float
    ok: bool
    status: int


class Recorder:
    def __init__(self):
        self.samples: list[Sample] = []
        self.lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Forms(HTMLParser):
    """The forms of a page: id → {"action": …, "fields": [(name, value), …]} as the browser posts them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict] = {}
        self.form = None
        self.textarea = None
        self.select = None
        self.csrf_header = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and a.get("hx-headers"):
            self.csrf_header = json.loads(a["hx-headers"]).get("x-csrftoken")
        if tag == "form":
            self.form = {"action": a.get("action", ""), "fields": []}
            self.forms[a.get("id") or f"form{len(self.forms)}"] = self.form
        elif self.form is None or "name" not in a and tag != "option":
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            self.form["fields"].append([a["name"], a.get("value", "")])
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
            self.form["fields"].append(self.textarea)
        elif tag == "select":
            self.select = [a["name"], None]
            self.form["fields"].append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in a:
                self.select[1] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            if self.select is not None and self.select[1] is None:
                self.select[1] = ""
            self.select = None
        elif tag == "form":
            self.form = None


def read_forms(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


class Client:
    """One person's browser: cookies, and every request timed into the recorder under a kind."""

    def __init__(self, port: int, recorder: Recorder, session_key: str):
        self.port = port
        self.recorder = recorder
        self.cookies = {"sessionid": session_key}
        self.csrf = None

    def request(self, kind: str, method: str, path: str, data=None, htmx=False, expect=(200,)):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "User-Agent": "perfgoals-bench"}
        body = None
        if data is not None:
            body = urlencode([tuple(pair) for pair in data]).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        start = time.monotonic()
        status, text, response = 0, "", None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
            for cookie in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            connection.close()
            content_type = response.getheader("Content-Type", "")
            text = payload.decode("utf-8", "replace") if "text" in content_type else payload
        except (OSError, http.client.HTTPException):  # refused, reset, timed out: an error
            status = 0
        finally:
            seconds = time.monotonic() - start
            self.recorder.add(Sample(kind, start, seconds, status in expect, status))
        return status, text, response

    def page(self, kind: str, path: str) -> tuple[int, Forms | None]:
        status, text, _ = self.request(kind, "GET", path)
        if status != 200:
            return status, None
        forms = read_forms(text)
        self.csrf = forms.csrf_header or self.csrf
        return status, forms


ROW_ACTION = re.compile(r"/tables/\d+/indicators/(\d+)/$")


@dataclass
class Clerk:
    """Edits the indicators of their own table, one row save at a time, as the editor posts it."""

    name: str
    table_pk: int
    client: Client
    rows: dict = field(default_factory=dict)  # form id → form
    confirmed: dict = field(default_factory=dict)  # indicator pk → the description the server confirmed
    saves: int = 0
    refused: int = 0

    def open_editor(self) -> bool:
        status, forms = self.client.page("editor page", f"/tables/{self.table_pk}/")
        if forms is None:
            return False
        self.rows = {fid: form for fid, form in forms.forms.items() if ROW_ACTION.search(form["action"])}
        return bool(self.rows)

    def save_a_row(self) -> None:
        fid, form = random.choice(list(self.rows.items()))
        self.saves += 1
        text = f"负载测试 {self.name} 第{self.saves}次修改：参加培训的人次"
        fields = [[k, text if k == "description" else v] for k, v in form["fields"]]
        status, html, _ = self.client.request("save row", "POST", form["action"], data=fields, htmx=True)
        answered = read_forms(html).forms.get(fid) if status == 200 and isinstance(html, str) else None
        if answered is None or text not in html or "invalid" in html.split(">", 1)[0]:
            self.refused += 1
            return
        self.rows[fid] = answered  # htmx swaps the answered row in: the next save carries its version
        self.confirmed[int(ROW_ACTION.search(form["action"]).group(1))] = text

    def run(self, stop: threading.Event, pause) -> None:
        if not self.open_editor():
            return
        while not stop.wait(pause()):
            roll = random.random()
            if roll < 0.1:
                self.open_editor()
            elif roll < 0.15:
                self.client.request("home page", "GET", "/")
            else:
                self.save_a_row()


@dataclass
class Supervisor:
    """Lists the desk and downloads approved tables' PDFs and their units' books."""

    client: Client
    tables: list  # (pk, unit code, year) of approved tables in this supervisor's units

    def run(self, stop: threading.Event, pause) -> None:
        actions = [self.desk, self.table_pdf, self.book_pdf]
        step = 0
        while not stop.wait(pause()):
            actions[step % len(actions)]()
            step += 1

    def desk(self) -> None:
        self.client.request("desk", "GET", "/workflow/")

    def table_pdf(self) -> None:
        pk, _, _ = random.choice(self.tables)
        self.client.request("table PDF (approved)", "GET", f"/print/table/{pk}.pdf")

    def book_pdf(self) -> None:
        _, code, year = random.choice(self.tables)
        self.client.request("book PDF (all rendered)", "GET", f"/print/book/{code}/{year}.pdf")


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]
