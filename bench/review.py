"""Benchmark: the quality review over every seed table and plan, on one core.

    DB_NAME=/tmp/bench.sqlite3 .venv/bin/python bench/review.py

Loads the five seed documents into the database named by DB_NAME if it holds no
tables yet (use a scratch database), then reviews all project tables and department
plans: once from the database (one prefetch per document, as the editor does) and
once with everything prefetched in bulk (as review_goals does). Prints seconds.
"""

import time

import setup_django  # noqa: E402  (this checkout, Django set up)

ROOT = setup_django.ROOT

from django.core.management import call_command  # noqa: E402

from perfgoals.goals.models import DepartmentPlan, ProjectTable  # noqa: E402
from perfgoals.review.rules import review_plan, review_table  # noqa: E402
from perfgoals.review.rules.common import PLAN_PREFETCH, TABLE_PREFETCH  # noqa: E402
from perfgoals.review.rules.vocabulary import vocabulary  # noqa: E402

REPEAT = 5


def main() -> None:
    call_command("migrate", verbosity=0)
    if not ProjectTable.objects.filter(is_template=True).exists():
        seeds = sorted((ROOT / "perfgoals" / "exchange" / "seeds").glob("*.txt"))
        call_command("load_seed_documents", *map(str, seeds), verbosity=0)
    vocabulary()  # built once per change of the template library; not what we measure

    def one_by_one() -> int:
        n = 0
        for pk in ProjectTable.objects.values_list("pk", flat=True):
            n += len(review_table(ProjectTable.objects.get(pk=pk)))
        for pk in DepartmentPlan.objects.values_list("pk", flat=True):
            n += len(review_plan(DepartmentPlan.objects.get(pk=pk)))
        return n

    def bulk() -> int:
        n = sum(len(review_table(t)) for t in ProjectTable.objects.prefetch_related(*TABLE_PREFETCH))
        return n + sum(len(review_plan(p)) for p in DepartmentPlan.objects.prefetch_related(*PLAN_PREFETCH))

    tables, plans = ProjectTable.objects.count(), DepartmentPlan.objects.count()
    for label, run in (("one by one", one_by_one), ("bulk prefetch", bulk)):
        best, problems = float("inf"), 0
        for _ in range(REPEAT):
            start = time.perf_counter()
            problems = run()
            best = min(best, time.perf_counter() - start)
        print(f"review {tables} tables + {plans} plans, {label}: {best:.3f} s (best of {REPEAT}), {problems} problems")


if __name__ == "__main__":
    main()
