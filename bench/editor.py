"""Benchmark: server time of the table editor page and of one htmx row edit.

    DB_NAME=/tmp/bench-editor.sqlite3 .venv/bin/python bench/editor.py

Uses the database named by DB_NAME (use a scratch database: it is migrated and a
benchmark unit, user and tables are created in it). Builds tables of 10, 30 and 90
indicators, then requests the editor page and posts one row edit through Django's
test client (the whole middleware stack, templates and review rules; no network).
Prints the median time over REPEAT runs and the number of SQL queries, which must
not grow with the number of indicators.
"""

import statistics
import time

import setup_django  # noqa: E402  (this checkout, Django set up)

ROOT = setup_django.ROOT

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from perfgoals.frameworks.models import Framework  # noqa: E402
from perfgoals.goals.models import Goal, Indicator, ProjectTable  # noqa: E402
from perfgoals.units.models import Membership, Unit  # noqa: E402

REPEAT = 15
SIZES = (10, 30, 90)


def make_table(unit: Unit, framework: Framework, n: int) -> ProjectTable:
    code = f"BENCH{n:03d}"
    ProjectTable.objects.filter(unit=unit, project_code=code).delete()
    table = ProjectTable.objects.create(
        unit=unit, year=2026, framework=framework, project_code=code, project_name=f"基准测试项目（{n}条指标）",
        budget_total=50, budget_fiscal=50, budget_other=0, fund_use="用于基准测试。",
        spend_mar=25, spend_jun=50, spend_oct=75, spend_dec=100,
    )  # fmt: skip
    Goal.objects.create(table=table, text="按时完成基准测试。", order=1)
    level2s = framework.level2_list()
    Indicator.objects.bulk_create(
        Indicator(table=table, level2=level2s[i % len(level2s)], name=f"测试指标{i}", description=f"第{i}条指标的说明",
                  value_kind="quantitative", operator="≥", number=i + 1, unit="项", basis="工作计划", order=i)
        for i in range(n)
    )  # fmt: skip
    return table


def measure(fn) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = fn()
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times) * 1000, queries


def bench_clerk() -> tuple[Framework, Unit, Client]:
    """The database migrated, the Hebei framework, a benchmark unit and a client signed in as its clerk."""
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    framework = Framework.objects.get(code="hebei-project")
    unit, _ = Unit.objects.get_or_create(code="BENCH01", defaults={"name": "基准测试单位"})
    user = User.objects.filter(username="bench-clerk").first() or User.objects.create_user("bench-clerk")
    Membership.objects.get_or_create(user=user, unit=unit, role=Membership.CLERK)
    client = Client()
    client.force_login(user)
    return framework, unit, client


def main() -> None:
    framework, unit, client = bench_clerk()

    print(f"perfgoals editor benchmark ({connection.vendor}, median of {REPEAT})")
    for n in SIZES:
        table = make_table(unit, framework, n)
        page_ms, page_q = measure(lambda: client.get(reverse("table_edit", args=[table.pk])))
        indicator = table.indicators.first()
        data = {
            "level2": indicator.level2_id, "name": indicator.name, "description": "改过的说明",
            "value_kind": "quantitative", "operator": "≥", "number": "12", "unit": "项", "text": "",
            "basis": "工作计划", "prefix": f"ind-{indicator.pk}",
        }  # fmt: skip
        url = reverse("indicator_update", args=[table.pk, indicator.pk])
        edit_ms, edit_q = measure(lambda: client.post(url, data, HTTP_HX_REQUEST="true"))
        print(f"{n:3d} indicators: editor page {page_ms:6.1f} ms, {page_q} queries; "
              f"row edit (htmx) {edit_ms:6.1f} ms, {edit_q} queries")  # fmt: skip


if __name__ == "__main__":
    main()
