"""Print a unit's goals without the web server, for administrators printing many units.

    python manage.py print_goals --unit 926001 --year 2021 --out book.pdf
    python manage.py print_goals --unit 926001 --year 2021 --project 13..21 --out table.pdf
    python manage.py print_goals --unit 926001 --year 2021 --part plan --out plan.pdf
    python manage.py print_goals --unit 926001 --year 2021 --out book.xlsx    # the same forms in Excel

An --out ending in .xlsx writes the printed forms as a workbook (printing.xlsx): a table's
sheet, or the year's plan and tables one sheet each.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.printing import book, render, runner, xlsx
from perfgoals.units.models import Unit


class Command(BaseCommand):
    help = "打印单位的绩效目标：一张项目表（--project）、部门整体绩效目标（--part plan）或整本文本（默认）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位编码")
        parser.add_argument("--year", required=True, type=int, help="年度")
        parser.add_argument("--project", help="项目编码：只打印这一张项目绩效目标表")
        parser.add_argument("--part", choices=["plan", "book"], default="book", help="plan 或 book（默认）")
        parser.add_argument("--out", required=True, help="输出的 PDF 文件；以 .xlsx 结尾时输出 Excel 工作簿")

    def handle(self, *args, unit, year, project, part, out, **options):
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
