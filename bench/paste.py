"""Benchmark: the editor's 粘贴指标 preview of 30 pasted rows, and 导入指标's dry run of a 30-row file.

    DB_NAME=/tmp/bench-paste.sqlite3 .venv/bin/python bench/paste.py

Uses the database named by DB_NAME (a scratch database: it is migrated and a benchmark unit,
user and table are created in it). Posts through Django's test client (the whole middleware
stack, the reading, the category matching, the rows added and reviewed in a savepoint that is
rolled back), median of REPEAT runs; the editor page of the same table is measured in the same
run as the baseline, and each figure is also given as a ratio to it. The issue's target: a
pasted table of 30 rows previews in under 0.3 s.
"""

import statistics
import time
from pathlib import Path

import setup_django  # noqa: E402  (this checkout, Django set up)

ROOT = setup_django.ROOT

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from perfgoals.exchange import pasted  # noqa: E402
from perfgoals.frameworks.models import Framework  # noqa: E402
from perfgoals.goals.models import ProjectTable  # noqa: E402
from perfgoals.units.models import Membership, Unit  # noqa: E402

REPEAT = 15
ROWS = 30


def pasted_text(framework) -> str:
    lines = ["一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据"]
    level2s = framework.level2_list()
    for i in range(ROWS):
        l2 = level2s[i % len(level2s)]
        lines.append(f"{l2.level1.name}\t{l2.name}\t粘贴指标{i}\t第{i}条指标的说明\t≥{i + 1}项\t工作计划")
    return "\n".join(lines)


def measure(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(times) * 1000


def main() -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DATA_DIR = Path("/tmp/perfgoals-bench-paste")
    call_command("migrate", verbosity=0)
    framework = Framework.objects.get(code="hebei-project")
    unit, _ = Unit.objects.get_or_create(code="BENCH02", defaults={"name": "基准测试单位"})
    user = User.objects.filter(username="bench-clerk").first() or User.objects.create_user("bench-clerk")
    Membership.objects.get_or_create(user=user, unit=unit, role=Membership.CLERK)
    ProjectTable.objects.filter(unit=unit, project_code="BENCHPASTE").delete()
    table = ProjectTable.objects.create(unit=unit, year=2026, framework=framework, project_code="BENCHPASTE",
                                        project_name="粘贴基准测试项目")  # fmt: skip
    client = Client()
    client.force_login(user)
    text = pasted_text(framework)
    confirm = {"text": text, "action": "confirm", "previewed": pasted.digest(text, "")}
    client.post(reverse("indicator_paste", args=[table.pk]), confirm)  # the table now has 30 rows
    assert table.indicators.count() == ROWS
    xlsx = client.get(reverse("indicator_export", args=[table.pk, "xlsx"])).content

    page_ms = measure(lambda: client.get(reverse("table_edit", args=[table.pk])))
    paste_url = reverse("indicator_paste", args=[table.pk])
    paste_ms = measure(lambda: client.post(paste_url, {"text": text, "action": "preview"}, HTTP_HX_REQUEST="true"))
    import_url = reverse("indicator_import", args=[table.pk])
    file_ms = measure(lambda: client.post(import_url, {"action": "preview", "file": SimpleUploadedFile("指标.xlsx", xlsx)}))
    print(f"perfgoals paste benchmark (median of {REPEAT}, a table of {ROWS} indicators)")
    print(f"editor page (baseline)              {page_ms:6.1f} ms")
    print(f"粘贴指标 preview, {ROWS} rows          {paste_ms:6.1f} ms  ({paste_ms / page_ms:.2f}× the editor page)")
    print(f"导入指标 dry run, {ROWS}-row .xlsx     {file_ms:6.1f} ms  ({file_ms / page_ms:.2f}× the editor page)")


if __name__ == "__main__":
    main()
