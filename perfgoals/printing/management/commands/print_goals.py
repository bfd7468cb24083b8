"""Print a unit's goals without the web server, or the books of many units (批量打印).

    python manage.py print_goals --unit 926001 --year 2021 --out book.pdf
    python manage.py print_goals --unit 926001 --year 2021 --project 13..21 --out table.pdf
    python manage.py print_goals --unit 926001 --year 2021 --part plan --out plan.pdf
    python manage.py print_goals --unit 926001 --year 2021 --out book.xlsx    # the same forms in Excel

An --out ending in .xlsx writes the printed forms as a workbook (printing.xlsx): a table's
sheet, or the year's plan and tables one sheet each.
    python manage.py print_goals --batch all --year 2021
    python manage.py print_goals --batch 321001,926001 --year 2021 --out books/

--batch records a batch print, as the administrator's 批量打印 page does: with a broker
(CELERY_BROKER_URL) the workers print it and this command follows its progress until
every unit is done (Ctrl-C stops following, not the batch); without one, it prints the
books here. With --out DIR the books are copied there from the storage. The batch's page
shows the same progress and links the books.
"""

import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from perfgoals.printing import batch, book, render, runner, xlsx
from perfgoals.printing.models import PrintBatchItem
from perfgoals.units.models import Unit


class Command(BaseCommand):
    help = "打印单位的绩效目标：一张项目表（--project）、部门整体绩效目标（--part plan）、整本文本（默认），或批量打印多个单位（--batch）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("--year", required=True, type=int, help="年度")
        parser.add_argument("--project", help="项目编码：只打印这一张项目绩效目标表")
        parser.add_argument("--part", choices=["plan", "book"], default="book", help="plan 或 book（默认）")
        parser.add_argument("--out", help="输出的 PDF 文件；以 .xlsx 结尾时输出 Excel 工作簿（--batch：复制各单位文本到此目录）")
        parser.add_argument("--batch", metavar="all|编码,编码…", help="批量打印：all（本年度填报了绩效目标的全部单位）或逗号分隔的单位编码")

    def handle(self, *args, unit, year, project, part, out, batch, **options):
        if batch:
            return self.batch(batch, year, out)
        if not unit or not out:
            raise CommandError("请给出 --unit 和 --out（或用 --batch 批量打印）。")
        try:
            unit = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(f"没有编码为 {unit} 的单位。") from None
        started = time.perf_counter()
        try:
            data = self.render(unit, year, project, part, excel=out.lower().endswith(".xlsx"))
        except runner.PrintTimeout as e:
            raise CommandError(e.message) from None
        Path(out).write_bytes(data)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"已生成 {out}（{len(data) // 1024} KB，{elapsed:.2f} 秒）")

    def render(self, unit, year, project, part, excel: bool) -> bytes:
        plan, tables = book.book_contents(unit, year)
        if project:
            matches = [t for t in tables if t.project_code == project]
            if not matches:
                raise CommandError(f"{unit.name}{year}年没有项目编码为 {project} 的项目绩效目标表。")
            return xlsx.table_workbook(matches[0]) if excel else render.document_pdf(matches[0])
        if excel and part == "plan":
            raise CommandError("部门整体绩效目标单独导出 Excel 尚不支持：请导出整本（--part book），其中第一张工作表即部门整体绩效目标。")
        if part == "plan":
            if plan is None:
                raise CommandError(f"{unit.name}{year}年没有部门整体绩效目标。")
            return render.document_pdf(plan)
        if plan is None and not tables:
            raise CommandError(f"{unit.name}{year}年没有绩效目标。")
        return xlsx.book_workbook(plan, tables) if excel else book.render_book(unit, year)

    def batch(self, which: str, year: int, out: str | None) -> None:
        if which == "all":
            units = list(batch.units_with_goals(year))
            if not units:
                raise CommandError(f"{year}年没有单位填报绩效目标。")
        else:
            codes = [code.strip() for code in which.split(",") if code.strip()]
            found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
            if missing := [code for code in codes if code not in found]:
                raise CommandError(f"没有编码为 {'、'.join(missing)} 的单位。")
            units = [found[code] for code in codes]
        started = time.perf_counter()
        printing = batch.start(year, units, user=None)
        where = reverse("print_batch", args=[printing.pk])
        self.stdout.write(f"第 {printing.pk} 批：{len(units)} 个单位（进度：{where}）")
        shown = None
        while True:
            progress = batch.progress(printing)
            if progress.done != shown:
                shown = progress.done
                self.stdout.write(f"{progress.done}/{progress.total} 已完成")
            if progress.finished:
                break
            time.sleep(1)  # the workers are printing it; without a broker it was printed in start()
        failed = f"，{progress.failed} 个失败（见日志）" if progress.failed else ""
        self.stdout.write(f"第 {printing.pk} 批完成：{progress.printed} 本已生成{failed}，{time.perf_counter() - started:.1f} 秒。")
        if out:
            self.copy_out(printing, Path(out))
        if progress.failed:
            raise CommandError(f"{progress.failed} 个单位的文本生成失败。")

    def copy_out(self, printing, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for item in printing.items.filter(status=PrintBatchItem.DONE).select_related("unit"):
            with default_storage.open(item.file, "rb") as stored:
                (out / f"{printing.year}-{item.unit.code}.pdf").write_bytes(stored.read())
        self.stdout.write(f"已复制到 {out}/")
