"""Heavy work as Celery tasks (perfgoals/printing/tasks.py): what is printed when a table is
submitted or approved, the batch print, the files they write through Django's storage API.

Without a broker (every test here but the last ones) the tasks run in the process that
sends them, as on one office PC. The last tests start a real `celery -A perfgoals worker`
against the machine's Redis (127.0.0.1:6379) and send the tasks through it; the worker is
another process, which can share the test's database only when that is a server: they
run on bin/test's PostgreSQL pass and are skipped, saying why, on SQLite (whose test
database lives in this process's memory) or when Redis does not answer.
"""

import importlib.util
import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from perfgoals.celery import app as celery_app
from perfgoals.printing.models import ApprovedPdf, PrintBatch, PrintBatchItem
from perfgoals.units.models import Unit
from perfgoals.workflow import workflow
from tests.conftest import PASSWORD
from tests.startup import read_settings
from tests.test_exchange_import import PASTE

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def files(settings, tmp_path) -> dict[str, Path]:
    """The print cache and the default storage in directories of this test's own."""
    where = {"cache": tmp_path / "print-cache", "files": tmp_path / "files"}
    settings.PRINT_CACHE_DIR = where["cache"]
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": where["files"]}}}
    return where


def cached(where: Path) -> set[str]:
    return {p.name for p in where.glob("*")} if where.exists() else set()


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


# ---- settings ---------------------------------------------------------------------------------


def settings_in_a_new_process(**env) -> list[str]:
    code = ("import django; django.setup(); from perfgoals.celery import app; "
            "print(app.conf.task_always_eager, app.conf.broker_url or '-', app.conf.task_default_queue)")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    result = subprocess.run([sys.executable, "-c", code], env={**environment, **env}, cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_without_a_broker_tasks_run_in_the_process_that_sends_them_and_with_one_on_the_broker():
    assert settings_in_a_new_process() == ["True", "-", "perfgoals"]
    assert settings_in_a_new_process(CELERY_BROKER_URL="redis://10.0.0.5:6379/0", CELERY_QUEUE="perf-a") == [
        "False", "redis://10.0.0.5:6379/0", "perf-a"]


@pytest.mark.skipif(importlib.util.find_spec("storages") is not None and importlib.util.find_spec("boto3") is not None,
                    reason="django-storages[s3] is installed here")
def test_an_s3_bucket_without_django_storages_stops_start_up_with_a_message():
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET is set but django-storages is not installed"):
        read_settings({**os.environ, "S3_BUCKET": "perfgoals"})  # as a server started so reads them (tests/startup.py)


# ---- rendered when submitted and approved -------------------------------------------------------


def test_an_approved_table_is_printed_when_approved_and_its_book_then_only_assembles_cached_pieces(
    make_table, unit, clerk, supervisor, client, files, django_capture_on_commit_callbacks
):
    table = make_table()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(table, clerk)
    after_submit = cached(files["cache"])
    assert any(name.endswith(".piece") for name in after_submit)  # the book's piece, with its 未审核 mark
    assert not ApprovedPdf.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(table, supervisor)
    assert ApprovedPdf.objects.filter(table=table, revision=1).exists()  # the 下载PDF of the approved table
    ready = cached(files["cache"])
    assert ready - after_submit  # the approved piece, cover and contents, page numbers

    client.login(username="supervisor", password=PASSWORD)
    response = client.get(reverse("print_book", args=[unit.code, 2026]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert cached(files["cache"]) == ready  # nothing laid out: the download only assembled what was there
    assert "安全生产培训经费" in text_of(response.content)


def test_a_draft_is_not_printed_as_it_is_saved(make_table, client, clerk, files, django_capture_on_commit_callbacks):
    table = make_table()
    client.login(username="clerk", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("table_header", args=[table.pk]), {
            "project_name": "改过的项目名称", "project_code": table.project_code, "budget_total": "5"})
    assert response.status_code == 302
    assert cached(files["cache"]) == set()


# ---- batch print, without a broker -----------------------------------------------------------------


@pytest.fixture
def two_units(make_table, unit, other_unit):
    make_table()
    make_table(unit=other_unit, project_name="招商引资宣传经费", project_code="13099926P000000000002")
    return [unit, other_unit]


def test_an_administrator_prints_the_books_of_every_unit_and_reads_them(
    client, admin_user, two_units, files, django_capture_on_commit_callbacks
):
    client.login(username="admin", password=PASSWORD)
    page = client.get(reverse("print_batches")).content.decode()
    assert "批量打印部门预算绩效目标文本" in page and "2026年" in page
    assert "990001 测试县测试局本级" in page and "990002 测试县另一局本级" in page
    assert f'href="{reverse("print_batches")}">批量打印</a>' in page  # in the navigation
    assert "本系统未配置任务队列" in page  # printed within the request: the page says so

    with django_capture_on_commit_callbacks(execute=True):  # the tasks are sent once the batch is committed
        response = client.post(reverse("print_batches"), {"year": "2026", "everyone": "on"})
    batch = PrintBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("print_batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "2/2 已完成，全部完成" in page and "hx-trigger" not in page  # no more polling
    assert page.count("已生成") == 2

    for unit, project in zip(two_units, ["安全生产培训经费", "招商引资宣传经费"]):
        link = reverse("print_batch_file", args=[batch.pk, unit.code])
        assert f'href="{link}?download=1"' in page
        response = client.get(link + "?download=1")
        pdf = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert f"{unit.name}2026年部门预算绩效目标文本" in text_of(pdf) and project in text_of(pdf)
    assert sorted(p.name for p in (files["files"] / "print-batches" / str(batch.pk)).iterdir()) == [
        "2026-990001.pdf", "2026-990002.pdf"]  # in the default storage, where every app server finds them


def test_a_chosen_unit_without_goals_that_year_is_said_so(
    client, admin_user, two_units, files, make_table, django_capture_on_commit_callbacks
):
    empty = Unit.objects.create(code="990009", name="测试县往年单位")
    make_table(unit=empty, year=2025, project_code="13099925P000000000003")  # last year's only
    client.login(username="admin", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("print_batches"), {"year": "2026", "units": [two_units[0].pk, empty.pk]})
    response = client.get(reverse("print_batch", args=[PrintBatch.objects.get().pk]))
    page = response.content.decode()
    assert "2/2 已完成" in page and "本年度没有绩效目标" in page
    assert PrintBatchItem.objects.get(unit=empty).status == PrintBatchItem.EMPTY


def test_a_batch_without_units_is_refused_in_chinese(client, admin_user, two_units):
    client.login(username="admin", password=PASSWORD)
    response = client.post(reverse("print_batches"), {"year": "2026"})
    assert response.status_code == 200 and "请选择要打印的单位，或勾选“全部单位”。" in response.content.decode()
    response = client.post(reverse("print_batches"), {"year": "1999", "everyone": "on"})
    assert "选择一个有效的选项" in response.content.decode()  # Django's own message, in Chinese
    assert not PrintBatch.objects.exists()


def test_the_progress_page_asks_again_every_two_seconds_until_every_unit_is_done(client, admin_user, two_units):
    batch = PrintBatch.objects.create(year=2026, created_by=admin_user)
    items = [PrintBatchItem.objects.create(batch=batch, unit=unit) for unit in two_units]
    client.login(username="admin", password=PASSWORD)
    url = reverse("print_batch", args=[batch.pk])

    part = client.get(url, **HTMX).content.decode()
    assert part.strip().startswith('<section id="batch-progress"') and "<html" not in part  # the part htmx swaps in
    assert f'hx-get="{url}" hx-trigger="every 2s"' in part and "0/2 已完成，正在打印" in part
    PrintBatchItem.objects.filter(pk=items[0].pk).update(status=PrintBatchItem.DONE, file="x.pdf", pages=3, size=2048)
    part = client.get(url, **HTMX).content.decode()
    assert "1/2 已完成" in part and "hx-trigger" in part
    PrintBatchItem.objects.filter(pk=items[1].pk).update(status=PrintBatchItem.FAILED)
    part = client.get(url, **HTMX).content.decode()
    assert "2/2 已完成，1 个单位生成失败" in part and "hx-trigger" not in part and "生成失败" in part


def test_only_an_administrator_prints_in_batches(client, clerk, supervisor, admin_user, two_units):
    batch = PrintBatch.objects.create(year=2026, created_by=admin_user)
    PrintBatchItem.objects.create(batch=batch, unit=two_units[0], status=PrintBatchItem.DONE, file="x.pdf")
    urls = [reverse("print_batches"), reverse("print_batch", args=[batch.pk]),
            reverse("print_batch_file", args=[batch.pk, two_units[0].code])]
    for username in ("clerk", "supervisor"):
        client.login(username=username, password=PASSWORD)
        assert [client.get(url).status_code for url in urls] == [403, 403, 403]
        assert client.post(urls[0], {"year": "2026", "everyone": "on"}).status_code == 403
        assert "批量打印" not in client.get(reverse("home")).content.decode()
    assert PrintBatch.objects.count() == 1


def test_print_goals_batch_prints_the_units_and_copies_the_books_out(transactional_db, seeded_state, two_units, files,
                                                                     tmp_path):
    out = io.StringIO()  # committed as it goes (a transactional test): the command waits for the batch
    call_command("print_goals", batch="all", year=2026, out=str(tmp_path / "books"), stdout=out)
    assert "2/2 已完成" in out.getvalue() and "2 本已生成" in out.getvalue()
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["2026-990001.pdf", "2026-990002.pdf"]


# ---- uploads through the storage API ------------------------------------------------------------


def test_an_upload_waits_for_its_confirmation_in_the_default_storage(client, clerk, unit, files):
    client.login(username="clerk", password=PASSWORD)
    response = client.post(reverse("import_document"), {"unit": unit.pk, "text": PASTE, "action": "preview"})
    token = response.context["token"]
    assert (files["files"] / "imports" / token).read_bytes() == PASTE.strip().encode()
    client.post(reverse("import_document"), {"action": "confirm", "token": token})
    assert not (files["files"] / "imports" / token).exists()


# ---- health ---------------------------------------------------------------------------------------


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(7) == b"+PONG\r\n"
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason="Redis does not answer on 127.0.0.1:6379 (the CI machine runs it)")


@contextmanager
def broker(settings, url: str, queue: str = "perfgoals"):
    """This process sends its tasks to `url` (the app reads its settings once; tests change both)."""
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    settings.CELERY_BROKER_URL = url
    celery_app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    _new_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _new_connections()


def _new_connections() -> None:
    """Forget the producers connected to the broker before (as Celery does after a fork)."""
    kombu.pools.reset()  # kombu's connection and producer pools, one per broker URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@needs_redis
def test_healthz_reports_the_broker_when_one_is_configured(client, db, settings):
    with broker(settings, "redis://127.0.0.1:6379/0"):
        body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok" and body["checks"]["broker"]["ok"]


def test_healthz_fails_when_the_broker_does_not_answer(client, db, settings, caplog):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with broker(settings, f"redis://127.0.0.1:{port}/0"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert [name for name, check in response.json()["checks"].items() if not check["ok"]] == ["broker"]
    assert "healthz: broker failed" in caplog.text


# ---- a real worker, through Redis --------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db, seeded_state, settings, files, tmp_path):
    """`celery -A perfgoals worker` in a process of its own, on this test's database (committed
    data: a transactional test) and storage, taking tasks from a queue of this test's own."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it shares the test database only on PostgreSQL "
                    "(bin/test's second pass); SQLite's test database is in this process's memory")
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (the CI machine runs it)")
    queue = f"perfgoals-test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB_TEST_NAME")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "perfgoals.test_settings", "DB": "postgres", "DB_NAME": db["NAME"],
        "DB_HOST": db["HOST"] or "", "DB_PORT": str(db["PORT"] or 5432), "DB_USER": db["USER"] or "",
        "DB_PASSWORD": db["PASSWORD"] or "", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "CELERY_QUEUE": queue,
        "DATA_DIR": str(tmp_path / "worker-data"), "PRINT_CACHE_DIR": str(files["cache"]), "FILES_DIR": str(files["files"]),
    })  # fmt: skip
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "celery"), "-A", "perfgoals", "worker", "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        with broker(settings, env["CELERY_BROKER_URL"], queue):
            yield {"log": log, "process": worker}
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: its pool process goes with it
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)  # the session started above: the worker and its children
            worker.wait()
        _delete_queue(queue)


def _delete_queue(queue: str) -> None:
    import redis

    with redis.Redis(*REDIS) as client:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_for(condition, worker, seconds: float = 240):
    """Ask as the progress page does (htmx, every 2 s here every 0.2 s) until `condition` holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (answer := condition()) is not None:
            return answer
        assert worker["process"].poll() is None, "the worker died:\n" + worker["log"].read_text()[-3000:]
        time.sleep(0.2)
    pytest.fail(f"not done after {seconds} s; the worker's log:\n" + worker["log"].read_text()[-3000:])


def test_a_batch_print_sent_through_redis_is_printed_by_a_worker(client, admin_user, two_units, celery_worker):
    client.force_login(admin_user)
    response = client.post(reverse("print_batches"), {"year": "2026", "everyone": "on"})
    batch = PrintBatch.objects.get()
    url = reverse("print_batch", args=[batch.pk])
    assert response.url == url

    def finished():
        part = client.get(url, **HTMX).content.decode()
        return part if "2/2 已完成" in part else None

    part = wait_for(finished, celery_worker)
    assert "全部完成" in part and "hx-trigger" not in part
    assert "print_batch_item" in celery_worker["log"].read_text()  # the worker did them, not this process
    response = client.get(reverse("print_batch_file", args=[batch.pk, two_units[1].code]))
    assert "招商引资宣传经费" in text_of(b"".join(response.streaming_content))


def test_an_approval_sent_through_redis_is_printed_by_a_worker(client, make_table, clerk, supervisor, celery_worker):
    table = make_table()
    workflow.submit(table, clerk)
    workflow.approve(table, supervisor)  # committed: the task goes to the broker now
    stored = wait_for(lambda: ApprovedPdf.objects.filter(table=table).first(), celery_worker)
    assert stored.revision == 1 and "第1版" in text_of(bytes(stored.pdf))
    assert "prepare_document" in celery_worker["log"].read_text()
    client.force_login(supervisor)
    response = client.get(reverse("print_table", args=[table.pk]))
    assert response.content == bytes(stored.pdf)  # served as the worker printed it
