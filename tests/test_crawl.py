"""Every link works: signed in as each role of the seed unit 321001, follow every <a href> and
every GET form (with the values it shows) from the home page, breadth-first within the site,
and find no broken page: nothing answers 404, 500 or 403, and every PDF link gives a PDF.

The unit has what a year of work leaves: drafts, a submission, a resubmission after a return,
an approved table with a revision being adjusted, and the department plan.
"""

from collections import deque
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import lxml.html
import pytest

from perfgoals.goals.copying import copy_plan, copy_table
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.units.models import Membership, Unit
from perfgoals.workflow import workflow
from tests.conftest import make_user

LIMIT = 400  # pages per role
SKIPPED = ("/admin/", "/accounts/logout/")


@pytest.fixture
def year_of_work(db) -> dict:
    unit = Unit.objects.get(code="321001")
    clerk = make_user("crawlclerk", unit, Membership.CLERK)
    supervisor = make_user("crawlsupervisor", unit, Membership.SUPERVISOR)
    admin = make_user("crawladmin", unit, Membership.ADMIN)
    templates = list(ProjectTable.objects.filter(is_template=True, unit=unit).order_by("pk"))
    draft = copy_table(templates[0], unit=unit, year=2026, user=clerk)
    resubmitted = copy_table(templates[1], unit=unit, year=2026, user=clerk)
    for table in (draft, resubmitted):  # the seed tables have review errors: make them submittable
        ProjectTable.objects.filter(pk=table.pk).update(status="submitted", submitted_by=clerk)
    workflow.return_(resubmitted, supervisor, "请核对预算数。")
    workflow.withdraw(ProjectTable.objects.get(pk=draft.pk), clerk)
    ProjectTable.objects.filter(pk=resubmitted.pk).update(status="submitted")
    approved = copy_table(templates[1], unit=unit, year=2025, user=clerk)
    ProjectTable.objects.filter(pk=approved.pk).update(status="approved", approved_by=supervisor)
    workflow.reopen(ProjectTable.objects.get(pk=approved.pk), clerk)
    copy_plan(DepartmentPlan.objects.get(is_template=True, unit=unit), unit=unit, year=2026, user=clerk)
    return {"clerk": clerk, "supervisor": supervisor, "admin": admin}


def _links(base: str, html: bytes) -> list[str]:
    """The targets of a page's links and GET forms (a form as submitted with what it shows)."""
    tree = lxml.html.fromstring(html)
    found = [urljoin(base, a.get("href")) for a in tree.iter("a") if a.get("href")]
    for form in tree.iter("form"):
        if (form.get("method") or "get").lower() != "get":
            continue
        fields = []
        for element in form.inputs:
            name = element.get("name")
            if not name or element.get("type") in ("submit", "button", "checkbox", "radio"):
                continue
            if element.tag == "select":
                chosen = element.xpath(".//option[@selected]") or element.xpath(".//option")
                value = chosen[0].get("value", chosen[0].text or "") if chosen else ""
            else:
                value = element.value or ""
            fields.append((name, value))
        found.append(urljoin(base, form.get("action") or base).split("?")[0] + "?" + urlencode(fields))
    return found


def _internal(url: str) -> str | None:
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if parts.path.startswith(SKIPPED) else path


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_every_link_from_the_home_page_works(client, year_of_work, role):
    client.force_login(year_of_work[role])
    queue, seen, broken, pdfs, found_on = deque(["/"]), {"/"}, [], 0, {}
    while queue and len(seen) <= LIMIT:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = _internal(urljoin(url, response["Location"]))
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
                found_on[target] = found_on.get(url)
            continue
        if response.status_code != 200:
            broken.append((url, response.status_code, found_on.get(url)))
            continue
        if response["Content-Type"].startswith("application/pdf"):
            pdfs += 1
            assert response.content.startswith(b"%PDF"), url
            continue
        for link in _links(f"http://testserver{url}", response.content):
            target = _internal(link)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
                found_on[target] = url
    assert not broken, broken  # (url, status, the page that links to it)
    assert len(seen) > 40 and pdfs > 0  # it walked the site, PDFs included
