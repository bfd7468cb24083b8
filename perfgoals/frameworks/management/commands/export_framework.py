"""manage.py export_framework CODE: a framework's whole definition as JSON on stdout."""

import json

from django.core.management.base import BaseCommand, CommandError

from perfgoals.frameworks.definition import to_spec
from perfgoals.frameworks.models import Framework


class Command(BaseCommand):
    help = "导出指标体系的完整定义（类别、指标列、期限、资金、表头、打印版式）为 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("code")

    def handle(self, code, **options):
        framework = Framework.objects.filter(code=code).first()
        if framework is None:
            raise CommandError(f"没有代码为“{code}”的指标体系。")
        self.stdout.write(json.dumps(to_spec(framework), ensure_ascii=False, indent=2))
