import json

from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.jsonexport import export
from perfgoals.goals.models import DepartmentPlan, ProjectTable


class Command(BaseCommand):
    help = "以 JSON 交换格式导出项目绩效目标表和部门整体绩效目标（格式见 README）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", default="json", choices=["json"])
        parser.add_argument("--unit", help="只导出该单位编码")
        parser.add_argument("--year", type=int, help="只导出该年度")

    def handle(self, *args, unit=None, year=None, **options):
        tables, plans = ProjectTable.objects.all(), DepartmentPlan.objects.all()
        if unit:
            if not tables.filter(unit__code=unit).exists() and not plans.filter(unit__code=unit).exists():
                raise CommandError(f"没有单位编码为 {unit} 的数据。")
            tables, plans = tables.filter(unit__code=unit), plans.filter(unit__code=unit)
        if year:
            tables, plans = tables.filter(year=year), plans.filter(year=year)
        data = export(tables.order_by("unit__code", "year", "position", "id"), plans.order_by("unit__code", "year"))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
