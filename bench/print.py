"""Benchmark: printing with WeasyPrint, against LibreOffice converting an equivalent .docx.

    .venv/bin/python bench/print.py

Uses a scratch database and cache in /tmp/perfgoals-bench (never the real one): loads the
seed documents, adds a synthetic unit with 30 tables (copies of the seed tables), then
measures, each "cold" figure in a fresh process:

- one Hebei table: cold (first render in a new process) and warm (process already running);
- the book of seed 002 (11 tables): cold, warm without cache, and cached;
- a synthetic book of 30 tables: cold, after one table changed, and warm without cache;
- LibreOffice (`soffice --headless --convert-to pdf`) on .docx files made from the same
  HTML (one table, 30 tables), after one warm-up conversion. LibreOffice is installed
  with apt-get when missing (libreoffice-writer-nogui).

The figures are printed, with the ratio to LibreOffice. Not a test: numbers depend on
the machine and on what else runs on it.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.getenv("BENCH_DIR", "/tmp/perfgoals-bench"))
BOOK30 = "BENCH30"
WARM_RUNS = 10


def child_env() -> dict:
    return {
        **os.environ,
        "DB_NAME": str(WORK / "bench.sqlite3"),
        "DATA_DIR": str(WORK / "data"),
        "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
        # A scratch DATA_DIR has no key file; the app refuses to start without a key.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "perfgoals-bench-print-only-" + "x" * 30,
    }


def run_child(step: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", step], env=child_env(), cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"bench step {step} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- steps run in their own process ----------------------------------------------------


def django_setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def clear_cache():
    from django.conf import settings

    shutil.rmtree(settings.PRINT_CACHE_DIR, ignore_errors=True)


def step_setup() -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from perfgoals.goals.models import Goal, Indicator, ProjectTable
    from perfgoals.units.models import Unit

    call_command("migrate", verbosity=0)
    if not ProjectTable.objects.filter(is_template=True).exists():
        seeds = sorted((ROOT / "perfgoals" / "exchange" / "seeds").glob("*.txt"))
        call_command("load_seed_documents", *map(str, seeds), verbosity=0)
    unit, created = Unit.objects.get_or_create(code=BOOK30, defaults={"name": "基准测试县三十个项目局本级"})
    if created:
        sources = list(ProjectTable.objects.filter(is_template=True, framework__code="hebei-project"))
        with transaction.atomic():
            for n in range(30):
                source = sources[n % len(sources)]
                goals, indicators = list(source.goals.all()), list(source.indicators.all())
                source.pk = source.id = None
                source.unit, source.year, source.is_template = unit, 2026, False
                source.project_code, source.position = f"BENCH{n:03d}", n + 1
                source.save()
                for goal in goals:
                    goal.pk = goal.id = None
                    goal.table = source
                    goal.save()
                for indicator in indicators:
                    indicator.pk = indicator.id = None
                    indicator.table = source
                    indicator.save()
    return {}


def first_hebei_table():
    from perfgoals.printing import render

    return render.table_queryset().filter(unit__code="926001", is_template=True).order_by("position").first()


def step_table() -> dict:
    from perfgoals.printing import render

    table = first_hebei_table()
    start = time.perf_counter()
    render.render_table(table)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        render.render_table(render.table_queryset().get(pk=table.pk))
        warm.append(time.perf_counter() - start)
    return {"cold": cold, "warm": statistics.median(warm), "warm_min": min(warm)}


def timed_book(code: str, year: int) -> tuple[float, bytes]:
    from perfgoals.printing import book
    from perfgoals.units.models import Unit

    start = time.perf_counter()
    pdf = book.render_book(Unit.objects.get(code=code), year)
    return time.perf_counter() - start, pdf


def step_book(code: str, year: int) -> dict:
    from perfgoals.goals.models import ProjectTable

    clear_cache()
    cold, pdf = timed_book(code, year)
    cached, _ = timed_book(code, year)
    table = ProjectTable.objects.filter(unit__code=code, year=year).order_by("position")[2]
    table.fund_use = table.fund_use + "（调整）"
    table.save()
    changed, _ = timed_book(code, year)
    clear_cache()
    warm, _ = timed_book(code, year)
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {"cold": cold, "cached": cached, "one_changed": changed, "warm_nocache": warm, "pages": pages,
            "kb": len(pdf) // 1024}


def step_docx_sources() -> dict:
    """HTML of one table and of 30 tables (the same markup WeasyPrint prints), for soffice."""
    from perfgoals.printing import book, render
    from perfgoals.units.models import Unit

    css = (ROOT / "static" / "print" / "print.css").read_text()
    one = render.table_html(first_hebei_table())
    _, tables = book.book_contents(Unit.objects.get(code=BOOK30), 2026)
    bodies = [render.document_html([render.table_content(t, number=n)], t.project_name) for n, t in enumerate(tables, 1)]

    def page(htmls):
        body = '<p style="page-break-before: always"></p>'.join(h.split("<body>", 1)[1].rsplit("</body>", 1)[0] for h in htmls)
        return f'<html><head><meta charset="utf-8"><style>{css}</style></head><body>{body}</body></html>'

    (WORK / "lo").mkdir(parents=True, exist_ok=True)
    (WORK / "lo" / "table1.html").write_text(page([one]))
    (WORK / "lo" / "book30.html").write_text(page(bodies))
    return {}


STEPS = {
    "setup": step_setup,
    "table": step_table,
    "book002": lambda: step_book("926001", 2021),
    "book30": lambda: step_book(BOOK30, 2026),
    "docx_sources": step_docx_sources,
}


# ---- LibreOffice -------------------------------------------------------------------------------


def ensure_soffice() -> str:
    if path := shutil.which("soffice"):
        return path
    if os.geteuid() != 0:
        sys.exit("LibreOffice is missing: apt-get install -y libreoffice-writer-nogui")
    print("installing libreoffice-writer-nogui …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "libreoffice-writer-nogui"], env=env,
                   check=True, capture_output=True)
    return shutil.which("soffice")


def soffice(binary: str, convert_to: str, source: Path, outdir: Path, profile: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", convert_to,
         "--outdir", str(outdir), str(source)],
        check=True, capture_output=True,
    )
    return time.perf_counter() - start


def libreoffice() -> dict:
    binary = ensure_soffice()
    lo = WORK / "lo"
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    for name in ("table1", "book30"):
        soffice(binary, "docx:MS Word 2007 XML", lo / f"{name}.html", lo, profile)
    soffice(binary, "pdf", lo / "table1.docx", lo / "warmup", profile)  # warm-up run
    return {
        "table": soffice(binary, "pdf", lo / "table1.docx", lo, profile),
        "book30": soffice(binary, "pdf", lo / "book30.docx", lo, profile),
    }


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"scratch database and cache in {WORK}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}", flush=True)
    run_child("setup")
    table = run_child("table")
    book002 = run_child("book002")
    book30 = run_child("book30")
    run_child("docx_sources")
    lo = libreoffice()

    rows = [
        ("one Hebei table, cold (new process)", table["cold"], lo["table"]),
        ("one Hebei table, warm (median of 10)", table["warm"], lo["table"]),
        (f"seed 002 book ({book002['pages']} pages, {book002['kb']} KB), cold", book002["cold"], None),
        ("seed 002 book, warm, nothing cached", book002["warm_nocache"], None),
        ("seed 002 book, one table changed", book002["one_changed"], None),
        ("seed 002 book, nothing changed (cached)", book002["cached"], None),
        (f"30-table book ({book30['pages']} pages, {book30['kb']} KB), cold", book30["cold"], lo["book30"]),
        ("30-table book, warm, nothing cached", book30["warm_nocache"], lo["book30"]),
        ("30-table book, one table changed", book30["one_changed"], lo["book30"]),
        ("30-table book, nothing changed (cached)", book30["cached"], lo["book30"]),
    ]
    print(f"\n{'document':<50}{'WeasyPrint':>11}{'LibreOffice':>13}{'ratio':>8}")
    for name, seconds, baseline in rows:
        ratio = f"{baseline / seconds:6.1f}×" if baseline else ""
        lo_text = f"{baseline:10.2f} s" if baseline else ""
        print(f"{name:<50}{seconds:9.2f} s{lo_text:>13}{ratio:>8}")
    print("\nratio = LibreOffice time / WeasyPrint time (higher is faster than LibreOffice)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        django_setup()
        print(json.dumps(STEPS[sys.argv[2]]()))
    else:
        main()
