"""manage.py import_framework FILE: create a framework from a definition export_framework wrote.

An inconsistent definition (no 三级指标 column, a level-2 under no level-1, weights without
a 权重 column, duplicate names, a code already taken) is refused in Chinese; nothing is written.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from perfgoals.frameworks.definition import DefinitionError, from_spec


class Command(BaseCommand):
    help = "从 JSON 定义文件导入指标体系；定义不一致时整份拒绝。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", help="以另一个代码导入")

    def handle(self, file, code=None, **options):
        try:
            spec = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CommandError(f"{file}：无法读取 JSON（{e}）。") from e
        try:
            framework = from_spec(spec, code=code)
        except DefinitionError as e:
            raise CommandError(f"{file}：" + " ".join(e.problems)) from e
        except ValidationError as e:
            raise CommandError(f"{file}：" + " ".join(e.messages)) from e
        self.stdout.write(f"已导入指标体系：{framework.name}（{framework.code}）")
