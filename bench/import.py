"""Benchmark: importing a clerk's files, through the code `manage.py import_document` runs.

    DB_NAME=/tmp/bench-import.sqlite3 .venv/bin/python bench/import.py

Uses the database named by DB_NAME (use a scratch database: it is migrated, a benchmark
unit is created, and the imported tables are deleted again after each run). Generates, in
a temporary folder:

- an .xlsx of 1,000 indicator rows, a flat list as the budget systems export it
  (单位名称 | 项目名称 | 预算数 | 年度目标 | 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向),
  100 projects of 10 indicators;
- a .docx of 30 project tables in the printed Hebei layout, built with python-docx (title,
  unit line, the form with merged cells, the 一级/二级/三级 grid with merged categories);
- a pasted table of 30 indicator rows (text/plain, tabs, merged cells empty).

Each file goes through `call_command("import_document", FILE, "--unit", CODE)` (read,
preview, store, in one transaction; the review runs only for --dry-run or --format json,
which show it), and once more with `--dry-run` (read, preview with the review, nothing
kept); the paste through parse_paste and make_preview with the review, as the import page
previews it. Prints the median of REPEAT runs, each
step's share for the .xlsx, and the load average.
"""

import io
import os
import statistics
import tempfile
import time
from pathlib import Path

import setup_django  # noqa: E402  (this checkout, Django set up)

ROOT = setup_django.ROOT

from django.core.management import call_command  # noqa: E402

from perfgoals.exchange.documents import make_preview, store  # noqa: E402
from perfgoals.exchange.files import read_file  # noqa: E402
from perfgoals.exchange.paste import parse_paste  # noqa: E402
from perfgoals.goals.models import ProjectTable  # noqa: E402
from perfgoals.units.models import Unit  # noqa: E402

REPEAT = 5
CODE = "990901"
CATEGORIES = [
    ("产出指标", "数量指标", "完成项目数量", "≥", "20", "个"),
    ("产出指标", "质量指标", "验收合格率", "≥", "98", "%"),
    ("产出指标", "时效指标", "按期完成率", "=", "100", "%"),
    ("产出指标", "成本指标", "项目成本控制", "≤", "50", "万元"),
    ("效益指标", "经济效益指标", "带动产值增长", "≥", "5", "%"),
    ("效益指标", "社会效益指标", "受益群众人数", "≥", "3000", "人"),
    ("效益指标", "生态效益指标", "环境改善情况", "定性", "明显改善", ""),
    ("效益指标", "可持续影响指标", "长效机制建立", "定性", "逐步完善", ""),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%"),
    ("满意度指标", "服务对象满意度指标", "企业满意度", "≥", "85", "%"),
]


def flat_xlsx(projects: int = 100) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2026年项目支出绩效目标"])
    sheet.append(["金额单位：元"])
    sheet.append(["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质",
                  "指标值", "度量单位", "权重", "指标方向"])
    for p in range(projects):
        for k, (l1, l2, name, op, value, unit) in enumerate(CATEGORIES):
            head = [f"{CODE}-测试县基准局本级", f"基准项目{p + 1:03d}", 500000 + p, f"1.完成基准项目{p + 1}的建设任务"] if k == 0 else [""] * 4
            sheet.append([*head, l1, l2, f"{name}{k}", op, value, unit, 10, "正向"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hebei_docx(tables: int = 30) -> bytes:
    import docx

    document = docx.Document()
    for n in range(tables):
        if n:
            document.add_page_break()
        document.add_paragraph(f"{n + 1}.基准项目{n + 1:02d}绩效目标表")
        document.add_paragraph(f"[{CODE}]测试县基准局本级    2026年度    单位：万元")
        form = document.add_table(rows=5, cols=7)
        form.style = "Table Grid"
        rows = [["项目编码", f"13099926P{n:012d}", "", "项目名称", f"基准项目{n + 1:02d}", "", ""],
                ["预算规模及资金用途", "预算数", "50", "其中：财政资金", "50", "其他资金", "0"],
                ["", "用于基准项目的建设与运行维护。", "", "", "", "", ""],
                ["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底", "", ""],
                ["", "25", "50", "75", "100", "", ""]]
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                if text:
                    form.cell(r, c).text = text
        form.cell(0, 1).merge(form.cell(0, 2))
        form.cell(0, 4).merge(form.cell(0, 6))
        form.cell(1, 0).merge(form.cell(2, 0))
        form.cell(2, 1).merge(form.cell(2, 6))
        form.cell(3, 0).merge(form.cell(4, 0))
        goals = document.add_table(rows=1, cols=2)
        goals.cell(0, 0).text, goals.cell(0, 1).text = "绩效目标", f"1.完成基准项目{n + 1}的建设任务。"
        grid = document.add_table(rows=1 + len(CATEGORIES), cols=6)
        for c, text in enumerate(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]):
            grid.cell(0, c).text = text
        previous = (None, None)
        starts1, starts2 = {}, {}
        for r, (l1, l2, name, op, value, unit) in enumerate(CATEGORIES, start=1):
            if l1 != previous[0]:
                grid.cell(r, 0).text = l1
                starts1[l1] = r
            if (l1, l2) != previous:
                grid.cell(r, 1).text = l2
                starts2[(l1, l2)] = r
            grid.cell(r, 2).text = f"{name}{r}"
            grid.cell(r, 3).text = f"{name}的描述"
            grid.cell(r, 4).text = value if op == "定性" else f"{'' if op == '=' else op}{value}{unit}"
            grid.cell(r, 5).text = "工作计划"
            previous = (l1, l2)
        ends = {}
        for r, (l1, l2, *_) in enumerate(CATEGORIES, start=1):
            ends[l1], ends[(l1, l2)] = r, r
        for key, start in [*starts1.items(), *starts2.items()]:
            column = 0 if isinstance(key, str) else 1
            if ends[key] > start:
                grid.cell(start, column).merge(grid.cell(ends[key], column))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pasted_rows(rows: int = 30) -> str:
    lines = ["项目名称\t基准粘贴项目", "2026年度", "一级指标\t二级指标\t三级指标\t指标值"]
    for r in range(rows):
        l1, l2, name, op, value, unit = CATEGORIES[r % len(CATEGORIES)]
        shown = value if op == "定性" else f"{'' if op == '=' else op}{value}{unit}"
        lines.append(f"{l1 if r % len(CATEGORIES) == 0 else ''}\t{l2}\t{name}{r}\t{shown}")
    return "\n".join(lines)


def clear(unit: Unit) -> None:
    ProjectTable.objects.filter(unit=unit).delete()


def timed(run, unit: Unit) -> list[float]:
    times = []
    for _ in range(REPEAT):
        clear(unit)
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    clear(unit)
    return times


def main() -> None:
    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(code=CODE, defaults={"name": "测试县基准局本级"})
    folder = Path(tempfile.mkdtemp(prefix="perfgoals-bench-import-"))
    files = {"1,000 indicator rows (.xlsx, 100 projects)": ("flat.xlsx", flat_xlsx(), 2.0),
             "30 tables (.docx, Hebei layout)": ("tables.docx", hebei_docx(), 3.0)}
    for label, (name, data, target) in files.items():
        path = folder / name
        path.write_bytes(data)
        times = timed(lambda: call_command("import_document", str(path), "--unit", CODE, stdout=io.StringIO()), unit)
        tables = len(read_file(name, data).tables)
        print(f"import_document {label}: {tables} tables, median {statistics.median(times):.2f} s "
              f"(best {min(times):.2f} s, target < {target:g} s)")
        times = timed(lambda: call_command("import_document", str(path), "--unit", CODE, "--dry-run",
                                           stdout=io.StringIO()), unit)
        print(f"  --dry-run (preview with the review): median {statistics.median(times):.2f} s (best {min(times):.2f} s)")
    name, data, _ = files["1,000 indicator rows (.xlsx, 100 projects)"]
    steps = {"read": 0.0, "preview": 0.0, "store": 0.0}
    for _ in range(REPEAT):
        clear(unit)
        start = time.perf_counter()
        doc = read_file(name, data)
        steps["read"] += time.perf_counter() - start
        start = time.perf_counter()
        preview = make_preview(doc, source=name, unit=unit, review=False)
        steps["preview"] += time.perf_counter() - start
        start = time.perf_counter()
        store(preview)
        steps["store"] += time.perf_counter() - start
    clear(unit)
    print("  .xlsx steps (mean): " + ", ".join(f"{k} {v / REPEAT:.2f} s" for k, v in steps.items()))
    text = pasted_rows()
    times = timed(lambda: make_preview(parse_paste(text), source="paste", unit=unit), unit)
    print(f"paste of 30 rows, preview with the review: median {statistics.median(times) * 1000:.0f} ms "
          f"(best {min(times) * 1000:.0f} ms, target < 300 ms)")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
