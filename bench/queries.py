"""The SQL queries of one row save and one editor page, in order, with the time each took.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perfgoals_queries .venv/bin/python bench/queries.py

Uses the database DATABASE_URL names (a scratch one: it is migrated, a unit, user and a table
of 9 indicators are created in it) and Django's test client (the whole middleware stack).
"""

import time

import setup_django  # noqa: F401  (this checkout, Django set up)

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from editor import bench_clerk, make_table  # noqa: E402


def show(title, fn):
    fn()  # warm
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = fn()
        ms = (time.perf_counter() - start) * 1000
    print(f"\n== {title}: {response.status_code}, {ms:.1f} ms, {len(ctx.captured_queries)} queries")
    for q in ctx.captured_queries:
        print(f"  {float(q['time']) * 1000:5.1f} ms  {q['sql'][:230]}")


def main():
    framework, unit, client = bench_clerk()
    table = make_table(unit, framework, 9)
    indicator = table.indicators.first()
    url = reverse("indicator_update", args=[table.pk, indicator.pk])
    n = iter(range(10**6))

    def save():
        data = {
            "level2": indicator.level2_id, "name": indicator.name, "description": f"改过的说明{next(n)}",
            "value_kind": "quantitative", "operator": "≥", "number": "12", "unit": "项", "text": "",
            "basis": "工作计划", "prefix": f"ind-{indicator.pk}",
        }  # fmt: skip
        return client.post(url, data, HTTP_HX_REQUEST="true")

    show("row save", save)
    show("editor page", lambda: client.get(reverse("table_edit", args=[table.pk])))
    show("home page", lambda: client.get("/"))


if __name__ == "__main__":
    main()
