"""review_goals: every problem in every table and department plan, as text or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.review.outcome import review_document
from perfgoals.review.rules.common import PLAN_PREFETCH, TABLE_PREFETCH
from perfgoals.units.models import Unit


class Command(BaseCommand):
    help = "自动审核：列出所有项目绩效目标表和部门整体绩效目标中的问题。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="只审核该单位编码的表")
        parser.add_argument("--year", type=int, help="只审核该年度的表")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, unit=None, year=None, format="text", **options):
        tables = ProjectTable.objects.select_related("unit").with_structure().prefetch_related(*TABLE_PREFETCH)
        plans = DepartmentPlan.objects.select_related("unit").with_structure().prefetch_related(*PLAN_PREFETCH)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为 {unit} 的单位。")
            tables, plans = tables.filter(unit__code=unit), plans.filter(unit__code=unit)
        if year:
            tables, plans = tables.filter(year=year), plans.filter(year=year)
        reviews = [review_document(doc) for doc in [*plans, *tables]]
        if format == "json":
            self.stdout.write(json.dumps([as_json(r) for r in reviews], ensure_ascii=False, indent=1))
        else:
            for r in reviews:
                self.stdout.write(as_text(r))
            errors, hints = sum(r.errors for r in reviews), sum(r.hints for r in reviews)
            self.stdout.write(f"共审核 {len(reviews)} 份，错误 {errors} 个，提示 {hints} 个。")


def title(doc) -> str:
    if isinstance(doc, DepartmentPlan):
        return f"{doc.unit.code} {doc.unit.name} {doc.year}年 部门整体绩效目标"
    return f"{doc.unit.code} {doc.unit.name} {doc.year}年 项目表「{doc.project_name}」（{doc.project_code or '无编码'}）"


def as_text(review) -> str:
    lines = [f"{title(review.document)}：错误 {review.errors} 个，提示 {review.hints} 个"]
    for item in review.items:
        p = item.problem
        kept = f"（已保留：{item.kept.reason}）" if item.kept else ""
        lines.append(f"  [{p.severity_label}] {p.code} {p.criterion} {review.location(p)}：{p.message}{kept}")
    return "\n".join(lines)


def as_json(review) -> dict:
    doc = review.document
    data = {"kind": review.kind, "id": doc.pk, "unit": doc.unit.code, "year": doc.year,
            "errors": review.errors, "hints": review.hints}  # fmt: skip
    if review.kind == "table":
        data.update(project_code=doc.project_code, project_name=doc.project_name)
    data["problems"] = [
        {"code": i.problem.code, "severity": i.problem.severity, "criterion": i.problem.criterion,
         "target": i.problem.target, "field": i.problem.field, "object_id": i.problem.object_id,
         "location": review.location(i.problem), "message": i.problem.message,
         "kept": i.kept.reason if i.kept else None}  # fmt: skip
        for i in review.items
    ]
    return data
