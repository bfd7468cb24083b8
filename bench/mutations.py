"""Mutation check of the access, workflow and paper-state rules, by hand.

    .venv/bin/python bench/mutations.py              every mutation
    .venv/bin/python bench/mutations.py staff book   only those whose name has "staff" or "book"

Each mutation loosens one rule by replacing one exact string in one source file (a
supervisor sees every unit, a submit from 已通过 goes through, a returned table prints
without its watermark, ...), runs the tests that should notice (`pytest -x -q -m "not
browser"` on a chosen subset), puts the file back, and prints one line: `killed` (a test
failed) or `SURVIVED` (no test noticed: write the missing test).

- A mutation whose string is not found exactly once stops the run with an error, so a
  refactoring cannot quietly leave it testing nothing: update the string instead.
- The file is restored in a `finally`, byte for byte and with its old modification time,
  on success, failure, an exception, Ctrl-C or a SIGTERM.
- The chosen tests run once unmutated first; the run stops if they fail there.
- Mutations marked `postgres` are about row locks, which only PostgreSQL's tests see:
  they run with DB=postgres when a server answers on 127.0.0.1:5432, else are reported
  `not run` (and the exit status is 2).

Exit status: 0 when every mutation was killed, 1 when any survived, 2 when any could
not run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable, "-m", "pytest"]

ACCESS = ["tests/test_access_matrix.py"]
WORKFLOW = ["tests/test_workflow.py"]
CONCURRENCY = ["tests/test_concurrency.py"]


@dataclass
class Mutation:
    name: str
    path: str
    old: str
    new: str
    tests: list[str]
    postgres: bool = False


MUTATIONS = [
    Mutation(
        "supervisors see every unit", "perfgoals/units/access.py",
        "    if is_admin(user):\n        return None\n    ids: set[int] = set()",
        "    if is_admin(user) or Membership.objects.filter(user=user, role=Membership.SUPERVISOR).exists():\n"
        "        return None\n    ids: set[int] = set()",
        ACCESS,
    ),
    Mutation(
        "a parent department's clerk sees its sub-units", "perfgoals/units/access.py",
        "        if m.role == Membership.SUPERVISOR:\n            ids |= m.unit.descendant_ids()",
        "        if m.role in (Membership.SUPERVISOR, Membership.CLERK):\n            ids |= m.unit.descendant_ids()",
        ACCESS,
    ),
    Mutation(
        "staff are treated as administrators", "perfgoals/units/access.py",
        "return user.is_superuser or Membership.objects",
        "return user.is_superuser or user.is_staff or Membership.objects",
        ACCESS,
    ),
    Mutation(
        "a supervisor edits", "perfgoals/goals/access.py",
        "return doc.is_editable and Membership.CLERK in roles_for(user, doc.unit)",
        "return doc.is_editable and bool(roles_for(user, doc.unit))",
        ACCESS,
    ),
    Mutation(
        "a submitted or approved document is edited", "perfgoals/goals/access.py",
        "return doc.is_editable and Membership.CLERK in roles_for(user, doc.unit)",
        "return Membership.CLERK in roles_for(user, doc.unit)",
        WORKFLOW,
    ),
    Mutation(
        "clerks edit the template library", "perfgoals/goals/access.py",
        "        if doc.is_template:\n            return is_admin(user)",
        "        if doc.is_template:\n            return is_admin(user) or Membership.CLERK in roles_for(user, doc.unit)",
        ACCESS,
    ),
    Mutation(
        "a clerk approves and returns", "perfgoals/workflow/workflow.py",
        '    if not access.can(user, "review", doc):',
        "    if not roles_for(user, doc.unit):",
        WORKFLOW,
    ),
    Mutation(
        "submit allowed from 已通过", "perfgoals/workflow/workflow.py",
        '        if doc.status not in (Status.DRAFT, Status.RETURNED):\n            raise WorkflowError(state_message(doc, "提交"))',
        "        if doc.status not in (Status.DRAFT, Status.RETURNED, Status.APPROVED):\n"
        '            raise WorkflowError(state_message(doc, "提交"))',
        WORKFLOW,
    ),
    Mutation(
        "approve allowed from a draft", "perfgoals/workflow/workflow.py",
        '        if doc.status != Status.SUBMITTED:\n            raise WorkflowError(state_message(doc, "审核通过"))',
        "        if doc.status not in (Status.SUBMITTED, Status.DRAFT):\n"
        '            raise WorkflowError(state_message(doc, "审核通过"))',
        WORKFLOW,
    ),
    Mutation(
        "return allowed from 已通过", "perfgoals/workflow/workflow.py",
        '        if doc.status != Status.SUBMITTED:\n            raise WorkflowError(state_message(doc, "退回"))',
        "        if doc.status not in (Status.SUBMITTED, Status.APPROVED):\n"
        '            raise WorkflowError(state_message(doc, "退回"))',
        WORKFLOW,
    ),
    Mutation(
        "the submitter approves their own submission", "perfgoals/workflow/workflow.py",
        '    if doc.submitted_by_id == user.pk:\n        return f"该',
        '    if False:\n        return f"该',
        WORKFLOW,
    ),
    Mutation(
        "who edited a revision approves it", "perfgoals/workflow/workflow.py",
        "    if edited_by(doc, user):",
        "    if False:",
        WORKFLOW,
    ),
    Mutation(
        "a transition acts on the state its caller saw", "perfgoals/workflow/workflow.py",
        '    return type(doc).objects.select_for_update().select_related("unit").get(pk=doc.pk)',
        "    return doc",
        WORKFLOW,
    ),
    Mutation(
        "an edit does not lock its document", "perfgoals/goals/access.py",
        '        list(model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))',
        "        pass",
        CONCURRENCY,
        postgres=True,
    ),
    Mutation(
        "CSRF is not checked", "perfgoals/settings.py",
        '    "django.middleware.csrf.CsrfViewMiddleware",\n',
        "",
        ["tests/test_csrf.py"],
    ),
    Mutation(
        "a 已退回 table prints without its watermark", "perfgoals/printing/render.py",
        "        return UNREVIEWED_MARK\n    return DRAFT_MARK\n",
        '        return UNREVIEWED_MARK\n    return "" if document.status == Status.RETURNED else DRAFT_MARK\n',
        WORKFLOW,
    ),
    Mutation(
        "the book's cover and contents are never watermarked", "perfgoals/printing/book.py",
        '"watermark": book.watermark,',
        '"watermark": "",',
        WORKFLOW,
    ),
]


def postgres_answers() -> bool:
    try:
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0
    except FileNotFoundError:
        return False


def environment(postgres: bool) -> dict[str, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # never run a stale .pyc of a mutated file
    if postgres:
        env.update(DB="postgres", DB_HOST="127.0.0.1", DB_USER="postgres", DB_TEST_NAME=f"test_mutations_{os.getpid()}")
    else:
        env["DB"] = "sqlite"
    return env


def run_tests(tests: list[str], postgres: bool) -> bool:
    """Whether the tests pass."""
    command = [*PYTEST, "-x", "-q", "-m", "not browser", "-p", "no:randomly", *tests]
    result = subprocess.run(command, cwd=ROOT, env=environment(postgres), capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):  # 2: interrupted or an import error, 5: no tests: not a kill
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise RuntimeError(f"pytest could not run {tests} (exit {result.returncode})")
    return result.returncode == 0


def check_targets(mutations: list[Mutation]) -> None:
    """Every string is in its file exactly once, before anything is changed."""
    for m in mutations:
        count = (ROOT / m.path).read_text(encoding="utf-8").count(m.old)
        if count != 1:
            raise SystemExit(f"mutation {m.name!r}: expected the string once in {m.path}, found it {count} times:\n{m.old}")


def apply_and_test(m: Mutation) -> bool:
    """Whether a test killed the mutation. The file is back as it was afterwards, whatever happens."""
    path = ROOT / m.path
    original = path.read_bytes()
    stat = path.stat()
    try:
        path.write_bytes(original.decode("utf-8").replace(m.old, m.new, 1).encode("utf-8"))
        return not run_tests(m.tests, m.postgres)
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def columns(text: str) -> int:
    """How wide `text` prints in a terminal: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int) -> str:
    return text + " " * (width - columns(text))


def stop(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through apply_and_test's finally


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started in the background, where SIGINT is ignored
    chosen = [m for m in MUTATIONS if not argv or any(word in m.name for word in argv)]
    if not chosen:
        raise SystemExit(f"no mutation matches {argv}")
    check_targets(chosen)
    postgres = postgres_answers()
    runnable = [m for m in chosen if postgres or not m.postgres]

    baseline = {(tuple(m.tests), m.postgres) for m in runnable}
    for tests, on_postgres in sorted(baseline):
        if not run_tests(list(tests), on_postgres):
            raise SystemExit(f"the tests fail before any mutation: {' '.join(tests)}; fix them first")

    survived = not_run = 0
    width = max(columns(m.name) for m in chosen)
    for m in chosen:
        if m not in runnable:
            print(f"{padded(m.name, width)}  not run (needs PostgreSQL on 127.0.0.1:5432)", flush=True)
            not_run += 1
            continue
        started = time.monotonic()
        killed = apply_and_test(m)
        survived += not killed
        where = " on PostgreSQL" if m.postgres else ""
        print(f"{padded(m.name, width)}  {'killed' if killed else 'SURVIVED'}  "
              f"({' '.join(m.tests)}{where}, {time.monotonic() - started:.0f} s)", flush=True)  # fmt: skip
    print(f"{len(chosen) - survived - not_run} killed, {survived} survived, {not_run} not run")
    return 1 if survived else 2 if not_run else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
