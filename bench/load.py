"""Load benchmark: a city's budget units on deadline day, on this machine (issue 14, item 9).

    .venv/bin/python bench/load.py                               # 200 clerks, 20 supervisors, 180 s
    .venv/bin/python bench/load.py --clerks 20 --seconds 30      # a short run

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. It
creates the database perfgoals_bench (dropped at the end), a scratch DATA_DIR, and uses Redis
database 13 (refused if not empty; emptied at the end); migrates, loads the seeds, and makes
N units each with a clerk and a 2026 draft table (9 indicators), 20 supervisors sharing the
units, an administrator, and, for the first units, a 2025 table submitted and approved
through the workflow, whose PDF and book the Celery worker renders before the load starts.

Then it starts gunicorn (deploy/gunicorn.conf.py: 4 gthread workers × 4 threads) and one
`celery -A perfgoals worker`, all on 127.0.0.1, the worker with a tenth of the web's claim on
the CPU as deploy/perfgoals-worker.service gives it (`--fair-worker`: an equal claim), and
measures:

1. the baseline: one client, nothing else running, the same requests one at a time;
2. the load: every clerk opens their editor and saves an indicator row as the editor does
   (the row's form with its version and the CSRF token, over htmx), sometimes reloading
   the editor or the home page, 5–15 s apart; every supervisor lists the desk and downloads
   approved tables' PDFs and their units' books (2025: all tables rendered), 5–15 s apart;
   the administrator starts a batch print of 100 units' 2026 books (half the units when
   fewer than 200) with the worker at `--concurrency 1`, follows it on the progress page,
   and, once it is done, a second batch of other units after restarting the worker at
   `--concurrency 2`. The load runs --seconds after the clients have started, longer (up to
   twice) while a batch is printing.
3. afterwards: every save the server confirmed must be in the database (lost edits).

Clients are signed in by sessions made in the database (200 password checks at once would
measure PBKDF2, not the app) and do not fetch static files (a browser keeps them cached).
Every process it starts is stopped at the end, also on Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadclient import Clerk, Client, Recorder, Supervisor, percentile  # noqa: E402
from tests.sample import HEBEI_ROWS  # noqa: E402

DB_NAME = "perfgoals_bench"
SERVER_URL = "postgres://postgres@127.0.0.1:5432/"
REDIS_DB = 13
YEAR, APPROVED_YEAR = 2026, 2025
BASELINE_REPEAT = 10


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clerks", type=int, default=200)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=180, help="steady state, after the clients have started")
    parser.add_argument("--ramp", type=int, default=20, help="seconds over which the clients start")
    parser.add_argument("--batch-units", type=int, default=100)
    parser.add_argument("--approved", type=int, default=40, help="units with an approved 2025 table")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fair-worker", action="store_true",
                        help="leave the Celery worker an equal claim on the CPU (the default weighs it down as deploy/ does)")
    parser.add_argument("--samples", help="also write every timed request to this CSV file (kind, second, ms, status)")
    args = parser.parse_args()
    args.batch_units = max(1, min(args.batch_units, args.clerks // 2))
    args.approved = max(min(args.supervisors, args.clerks), min(args.approved, args.clerks))
    return args


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (every core, every process), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """What the benchmark starts, each in its own process group, stopped by its id."""

    def __init__(self, env: dict, data_dir: Path):
        self.env, self.data_dir, self.running = env, data_dir, {}
        self.owns_redis = False  # Redis database 13 was empty when the benchmark began
        self.seen: dict[int, tuple[str, float]] = {}  # pid → (group, CPU seconds when last read)

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.data_dir / f"{name}.log", "ab")
        self.running[name] = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, name: str) -> None:
        self.cpu_seconds()  # what the group used until now stays counted after it is gone
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the processes of each group (gunicorn and its workers, …),
        counting a process that has ended (a stopped Celery worker, a pool child replaced)
        with what it had used when last read (this is called every 5 s during the load)."""
        groups = {process.pid: name for name, process in self.running.items()}
        tick = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid = int(stat.parent.name)
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError):
                continue
            if int(fields[2]) in groups:  # pgrp
                self.seen[pid] = (groups[int(fields[2])], (int(fields[11]) + int(fields[12])) / tick)  # utime + stime
        used: dict[str, float] = {}
        for name, seconds in self.seen.values():
            used[name] = used.get(name, 0.0) + seconds
        return used

    @staticmethod
    def postgres_seconds() -> float:
        """CPU time used so far by PostgreSQL's processes (the server and its backends)."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                name, rest = stat.read_text().split("(", 1)[1].rsplit(")", 1)
            except (OSError, ValueError):
                continue
            if name.startswith("postgres"):
                fields = rest.split()
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def wait_for(what: str, ready, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench/load.py: {what} not ready after {seconds:.0f} s")
        time.sleep(0.3)


def server_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(SERVER_URL + "postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def start_worker(processes: Processes, concurrency: int, fair: bool = False) -> None:
    name = f"worker{concurrency}"
    processes.start(name, [str(ROOT / ".venv/bin/celery"), "-A", "perfgoals", "worker", "--loglevel", "INFO",
                           "--concurrency", str(concurrency), "--hostname", f"bench{concurrency}@%h"])  # fmt: skip
    if not fair:
        yield_to_the_web(processes.running[name].pid)
    wait_for("the Celery worker", lambda: " ready." in processes.log(name))


def yield_to_the_web(pid: int) -> None:
    """Give the worker a tenth of the web's claim on the CPU, as deploy/perfgoals-worker.service
    does with CPUWeight=10. The worker runs in a session of its own (so that it is stopped as a
    group), and Linux shares the CPU fairly between sessions (autogroups) before it looks at a
    process's nice value: `nice -n 10` alone changed nothing against gunicorn's session. The
    session's own nice value (/proc/PID/autogroup) weighs it down, as a service's CPUWeight does."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text("10")
    except OSError as error:  # a kernel without autogroups: the plain nice value then counts
        print(f"the worker's session could not be niced ({error}); nicing the process", file=sys.stderr)
        os.setpriority(os.PRIO_PGRP, pid, 10)


def queue_empty(redis, queue: str) -> bool:
    return redis.llen(queue) == 0 and redis.hlen("unacked") == 0


# --- the database -------------------------------------------------------------------------


def make_people(args) -> dict:
    """Units, clerks with a draft table each, supervisors, an administrator, approved 2025 tables."""
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from perfgoals.frameworks.models import Framework
    from perfgoals.goals.models import Goal, Indicator, ProjectTable
    from perfgoals.goals.values import parse_value
    from perfgoals.units.models import Membership, Unit
    from perfgoals.workflow import workflow

    hebei = Framework.objects.get(code="hebei-project")
    level2s = hebei.level2_list()
    rows = HEBEI_ROWS  # a clean, complete table (tests/sample.py)
    password = make_password(secrets.token_urlsafe(16))  # one hash for all: nobody signs in with it

    def table(unit, year, n):
        t = ProjectTable.objects.create(
            unit=unit, year=year, framework=hebei, project_code=f"13099926P{n:012d}", project_name=f"安全生产培训经费{n}",
            budget_total=Decimal("5.00"), budget_fiscal=Decimal("5.00"), budget_other=Decimal("0.00"),
            fund_use="用于组织全县安全生产专题培训。", spend_mar=Decimal("25"), spend_jun=Decimal("50"),
            spend_oct=Decimal("75"), spend_dec=Decimal("100"))  # fmt: skip
        Goal.objects.create(table=t, text="组织全县安全生产专题培训，提高企业安全管理水平。", order=1)
        indicators = []
        for order, level2 in enumerate(level2s):
            name, description, value = rows[level2.name]
            i = Indicator(table=t, level2=level2, name=name, description=description, basis="遵安办【2018】36号", order=order)
            i.value = parse_value(value, name=name)
            indicators.append(i)
        Indicator.objects.bulk_create(indicators)
        return t

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    with transaction.atomic():
        units = Unit.objects.bulk_create([Unit(code=f"9{n:05d}", name=f"压力测试单位{n:03d}") for n in range(args.clerks)])
        clerks = User.objects.bulk_create([User(username=f"clerk{n:03d}", password=password) for n in range(args.clerks)])
        sups = User.objects.bulk_create([User(username=f"sup{n:02d}", password=password) for n in range(args.supervisors)])
        admin = User.objects.create(username="bench-admin", password=password, is_superuser=True, is_staff=True)
        Membership.objects.bulk_create(
            [Membership(user=c, unit=u, role=Membership.CLERK) for c, u in zip(clerks, units)]
            + [Membership(user=sups[n % len(sups)], unit=u, role=Membership.SUPERVISOR) for n, u in enumerate(units)]
        )
        drafts = [table(u, YEAR, n) for n, u in enumerate(units)]
    approved = []
    for n, unit in enumerate(units[: args.approved]):
        t = table(unit, APPROVED_YEAR, 10_000 + n)
        workflow.submit(t, clerks[n])
        approved.append(workflow.approve(t, sups[n % len(sups)]))
    return {
        "clerks": [(c.username, d.pk, session(c)) for c, d in zip(clerks, drafts)],
        "supervisors": [(session(s), [(t.pk, t.unit.code, t.year) for t in approved if t.approved_by_id == s.pk])
                        for s in sups],  # fmt: skip
        "admin": session(admin),
        "units": [u.pk for u in units],
        "approved": approved,
    }


# --- measuring ----------------------------------------------------------------------------


def baseline(port: int, people: dict, recorder: Recorder, rounds: int = BASELINE_REPEAT) -> None:
    """One client at a time, nothing else running: the same requests as under load."""
    name, table_pk, key = people["clerks"][-1]
    clerk = Clerk(name + "-baseline", table_pk, Client(port, recorder, key))
    supervisor = Supervisor(Client(port, recorder, people["supervisors"][0][0]), people["supervisors"][0][1])
    for _ in range(rounds):
        clerk.open_editor()
        clerk.save_a_row()
        clerk.client.request("home page", "GET", "/")
        supervisor.desk()
        supervisor.table_pdf()
        supervisor.book_pdf()


def batch_print(port: int, people: dict, recorder: Recorder, unit_pks: list[int], stop: threading.Event) -> dict:
    """The administrator starts a batch print on 批量打印 and follows its progress page."""
    from django.db import connection

    from perfgoals.printing.models import PrintBatch, PrintBatchItem

    admin = Client(port, recorder, people["admin"])
    forms = admin.page("batch page", "/print/batches/")[1]
    token = next(v for form in forms.forms.values() for k, v in form["fields"] if k == "csrfmiddlewaretoken")
    data = [("csrfmiddlewaretoken", token), ("year", YEAR), *(("units", pk) for pk in unit_pks)]
    start = time.monotonic()
    status, _, response = admin.request("batch start", "POST", "/print/batches/", data=data, expect=(302,))
    if status != 302:
        return {"error": f"batch start answered {status}"}
    batch = PrintBatch.objects.latest("pk")
    polled = 0
    try:
        while not stop.is_set():
            left = PrintBatchItem.objects.filter(batch=batch, status=PrintBatchItem.WAITING).count()
            if left == 0:
                break
            if time.monotonic() - start >= 2 * polled:  # the page asks every 2 s
                admin.request("batch progress", "GET", f"/print/batches/{batch.pk}/", htmx=True)
                polled += 1
            time.sleep(0.25)
        items = PrintBatchItem.objects.filter(batch=batch)
        return {
            "seconds": time.monotonic() - start, "start": start, "end": time.monotonic(),
            "done": items.filter(status=PrintBatchItem.DONE).count(), "failed": items.filter(status=PrintBatchItem.FAILED).count(),
            "waiting": items.filter(status=PrintBatchItem.WAITING).count(), "total": items.count(),
            "request_id": response.getheader("X-Request-ID") if response else None,
        }  # fmt: skip
    finally:
        connection.close()


def administrator(args, port, people, recorder, processes, stop, steady, results) -> None:
    from django.db import connection

    try:
        stop.wait(max(0, steady - time.monotonic()) + 5)
        units = people["units"]
        n = args.batch_units
        results["batch1"] = batch_print(port, people, recorder, units[:n], stop)
        if stop.is_set():
            return
        processes.stop("worker1")
        start_worker(processes, 2, args.fair_worker)
        results["batch2"] = batch_print(port, people, recorder, units[n : 2 * n] or units[:n], stop)
    finally:
        connection.close()


def ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:.0f} ms"


def table_rows(samples, window, base_samples) -> list[str]:
    kinds = sorted({s.kind for s in samples} | {s.kind for s in base_samples})
    lines = ["| request | n | req/s | p50 | p95 | p99 | max | errors | baseline p50 | baseline p95 | p95 ÷ baseline |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for kind in kinds:
        times = sorted(s.seconds for s in samples if s.kind == kind)
        errors = sum(1 for s in samples if s.kind == kind and not s.ok)
        base = sorted(s.seconds for s in base_samples if s.kind == kind)
        p95, b95 = percentile(times, 95), percentile(base, 95)
        ratio = f"{p95 / b95:.1f}×" if times and base else "–"
        lines.append(f"| {kind} | {len(times)} | {len(times) / window:.2f} | {ms(percentile(times, 50))} | {ms(p95)} | "
                     f"{ms(percentile(times, 99))} | {ms(times[-1] if times else float('nan'))} | {errors} | "
                     f"{ms(percentile(base, 50))} | {ms(b95)} | {ratio} |")  # fmt: skip
    return lines


def lost_edits(clerks: list[Clerk]) -> tuple[int, int]:
    from perfgoals.goals.models import Indicator

    confirmed = {pk: text for clerk in clerks for pk, text in clerk.confirmed.items()}
    stored = dict(Indicator.objects.filter(pk__in=confirmed).values_list("pk", "description"))
    return sum(1 for pk, text in confirmed.items() if stored.get(pk) != text), len(confirmed)


def run(args, env, data_dir, processes) -> None:
    import django

    print("command: .venv/bin/python bench/load.py " + " ".join(sys.argv[1:]))
    print(f"load average before: {loadavg()}  ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores)", flush=True)  # fmt: skip
    server_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    os.environ.update(env)
    django.setup()
    import logging

    logging.getLogger("perfgoals").setLevel(logging.WARNING)  # not a line per table approved here
    from django.core.management import call_command
    from django.db import connection
    from redis import Redis

    from perfgoals.printing.models import ApprovedPdf

    redis = Redis.from_url(env["CELERY_BROKER_URL"])
    if redis.dbsize():
        raise RuntimeError(f"Redis database {REDIS_DB} is not empty: another benchmark running? Not touching it.")
    processes.owns_redis = True
    clock = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_seed_documents", *sorted(map(str, (ROOT / "perfgoals/exchange/seeds").glob("*.txt"))), verbosity=0)
    start_worker(processes, 1, args.fair_worker)
    people = make_people(args)
    wait_for("the approved tables' PDFs and books",
             lambda: ApprovedPdf.objects.count() >= args.approved and queue_empty(redis, env["CELERY_QUEUE"]), 900)  # fmt: skip
    connection.close()
    print(f"set-up: {args.clerks} units, clerks and draft tables, {args.supervisors} supervisors, {args.approved} "
          f"approved {APPROVED_YEAR} tables rendered by the worker: {time.monotonic() - clock:.0f} s", flush=True)  # fmt: skip

    port = free_port()
    env_web = {**env, "PORT": str(port), "WORKERS": str(args.web_workers), "THREADS": str(args.threads)}
    processes.env = env_web
    processes.start("gunicorn", [str(ROOT / ".venv/bin/gunicorn"), "perfgoals.wsgi:application",
                                 "--config", "deploy/gunicorn.conf.py"])  # fmt: skip
    processes.env = env

    def healthy():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
        except OSError:
            return False

    wait_for("gunicorn", healthy)

    baseline(port, people, Recorder(), rounds=2 * args.web_workers)  # warm-up: each worker's first requests, not recorded
    base = Recorder()
    baseline(port, people, base)
    print(f"baseline done (one client, {BASELINE_REPEAT} of each); load average {loadavg()}", flush=True)

    recorder, stop, results = Recorder(), threading.Event(), {}
    clerks = [Clerk(name, pk, Client(port, recorder, key)) for name, pk, key in people["clerks"]]
    supervisors = [Supervisor(Client(port, recorder, key), tables) for key, tables in people["supervisors"] if tables]
    pause = lambda: random.uniform(5, 15)  # noqa: E731
    load_start = time.monotonic()
    steady = load_start + args.ramp
    threads = []
    people_threads = [*clerks, *supervisors]
    random.shuffle(people_threads)
    for n, person in enumerate(people_threads):
        delay = args.ramp * n / len(people_threads)
        t = threading.Thread(target=lambda p=person, d=delay: stop.wait(d) or p.run(stop, pause), daemon=True)
        t.start()
        threads.append(t)
    admin = threading.Thread(target=administrator, args=(args, port, people, recorder, processes, stop, steady, results),
                             daemon=True)  # fmt: skip
    admin.start()
    time.sleep(max(0.0, steady - time.monotonic()))  # the CPU figures cover the steady state, as the requests do
    cpu_start, own_start = processes.cpu_seconds(), time.process_time()
    pg_start, busy_start = processes.postgres_seconds(), machine_busy_seconds()
    loads = []
    end = steady + args.seconds
    while time.monotonic() < end or (admin.is_alive() and time.monotonic() < steady + 2 * args.seconds):
        time.sleep(5)
        loads.append(os.getloadavg()[0])
        processes.cpu_seconds()
    measured_end = time.monotonic()
    cpu_end, own_end = processes.cpu_seconds(), time.process_time()
    pg_end, busy_end = processes.postgres_seconds(), machine_busy_seconds()
    stop.set()
    for t in [*threads, admin]:
        t.join(200)

    window = measured_end - steady
    samples = [s for s in recorder.samples if steady <= s.start < measured_end]
    if args.samples:
        with open(args.samples, "w") as out:
            out.write("kind,second,ms,status\n")
            out.writelines(f"{s.kind},{s.start - steady:.3f},{s.seconds * 1000:.1f},{s.status}\n" for s in samples)
    print()
    print(f"load: {len(clerks)} clerks, {len(supervisors)} supervisors, 1 administrator; pause 5–15 s; "
          f"gunicorn {args.web_workers} gthread workers × {args.threads} threads; PostgreSQL; Celery on Redis, "
          f"{'the worker with an equal claim on the CPU' if args.fair_worker else 'the worker weighed down (CPUWeight=10 in deploy/)'}")  # fmt: skip
    print(f"steady state: {window:.0f} s after a {args.ramp} s ramp; {len(samples)} requests, "
          f"{len(samples) / window:.1f} requests/s, {sum(not s.ok for s in samples)} errors")  # fmt: skip
    print(f"load average during (1-min, every 5 s): min {min(loads):.2f}, max {max(loads):.2f}; now {loadavg()}")
    used = {name: cpu_end.get(name, 0) - cpu_start.get(name, 0) for name in cpu_end}
    print(f"CPU used in the steady state, in cores: the clients (this process) {(own_end - own_start) / window:.2f}, "
          + ", ".join(f"{name} {seconds / window:.2f}" for name, seconds in used.items())
          + f", PostgreSQL {(pg_end - pg_start) / window:.2f} (worker1, worker2: the Celery worker at concurrency 1, then 2)")
    busy, ours = (busy_end - busy_start) / window, (own_end - own_start + sum(used.values()) + pg_end - pg_start) / window
    print(f"the whole machine was busy {busy:.2f} of {os.cpu_count()} cores: {busy - ours:.2f} of them for processes "
          "outside this benchmark (other work on the machine)")  # fmt: skip
    print()
    print("\n".join(table_rows(samples, window, base.samples)))
    for name, label in (("batch1", "1 worker process"), ("batch2", "2 worker processes")):
        b = results.get(name)
        if not b:
            print(f"batch print with {label}: not run (load ended first)")
            continue
        if "error" in b:
            print(f"batch print with {label}: {b['error']}")
            continue
        during = [s for s in recorder.samples if b["start"] <= s.start < b["end"]]
        edits = sorted(s.seconds for s in during if s.kind == "save row")
        pages = sorted(s.seconds for s in during if s.kind in ("editor page", "home page", "desk"))
        print(f"batch print of {b['total']} units' books with {label}: {b['seconds']:.1f} s "
              f"({b['done']} printed, {b['failed']} failed, {b['waiting']} unfinished); meanwhile save row p95 "
              f"{ms(percentile(edits, 95))} (n={len(edits)}), page loads p95 {ms(percentile(pages, 95))} (n={len(pages)})")  # fmt: skip
        if b.get("request_id"):
            lines = sum(processes.log(w).count(b["request_id"]) for w in ("worker1", "worker2"))
            print(f"  worker log lines carrying the batch request's id {b['request_id']}: {lines}")
    lost, rows = lost_edits(clerks)
    sent, refused = sum(c.saves for c in clerks), sum(c.refused for c in clerks)
    print(f"lost edits: {lost} (the last confirmed save of each of {rows} rows compared with the database; "
          f"{sent} saves sent, {sent - refused} confirmed)")  # fmt: skip
    print(f"load average after: {loadavg()}")


def interrupted(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    args = arguments()
    data_dir = Path(tempfile.mkdtemp(prefix="perfgoals-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": SERVER_URL + DB_NAME, "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "CELERY_QUEUE": "perfgoals-bench", "DATA_DIR": str(data_dir), "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "false", "PRINT_WORKERS": "0",
        "DB_CONN_MAX_AGE": "60", "LOG_LEVEL": "INFO", "DJANGO_SETTINGS_MODULE": "perfgoals.settings",
    }  # fmt: skip
    env.pop("DB", None)
    processes = Processes(env, data_dir)
    code = 0
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)  # also when started in the background, where SIGINT is ignored
    try:
        run(args, env, data_dir, processes)
    except KeyboardInterrupt:
        print("bench/load.py: interrupted; cleaning up", file=sys.stderr)
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not stop the cleaning up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        processes.stop_all()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 — Django may not be set up yet
            pass
        server_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if processes.owns_redis:
            from redis import Redis

            Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
