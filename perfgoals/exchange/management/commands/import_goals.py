from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.jsonimport import ExchangeRefused, import_data, load


class Command(BaseCommand):
    help = (
        "导入 export_goals 写出的 JSON 交换格式：在本系统中重建其中的项目绩效目标表和部门整体绩效目标。"
        "一个文件一个事务：任何一处有误都不写入；已有的表（同单位、年度、项目编码或名称、版本）跳过。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        label = f"文件“{path.name}”"
        try:
            result = import_data(load(raw, label))
        except ExchangeRefused as e:
            raise CommandError(f"{label}：{e}" if not str(e).startswith(label) else str(e)) from None
        self.stdout.write(
            f"{path.name}：新增项目表 {result.tables_created} 张（已有 {result.tables_existing} 张），"
            f"部门整体绩效目标 {result.plans_created} 个（已有 {result.plans_existing} 个）。"
        )
