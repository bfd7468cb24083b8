from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.importer import ImportFailed, import_file


class Command(BaseCommand):
    help = "导入部门预算绩效目标文本（Word 表格的文本导出），存为模板库中的模板。重复导入不会新增内容。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--year", type=int, help="年度（覆盖从文本中识别的年度）")
        parser.add_argument("--unit-code", default="", help="单位编码（文本中没有时使用）")
        parser.add_argument("--unit-name", default="", help="单位名称（文本中没有时使用）")

    def handle(self, *args, files, year, unit_code, unit_name, **options):
        failures = []
        for path in files:
            try:
                result = import_file(path, year=year, unit_code=unit_code, unit_name=unit_name)
            except ImportFailed as e:
                failures.append(str(e))
                self.stderr.write(self.style.ERROR(str(e)))
                continue
            if options["verbosity"] >= 1:
                self.stdout.write(
                    f"{path}：{result.unit.code} {result.unit.name} {result.year}年，"
                    f"新增项目表 {result.tables_created} 张（已有 {result.tables_existing} 张），"
                    f"新增部门整体目标 {result.plans_created} 份（已有 {result.plans_existing} 份）；"
                    f"自动审核：错误 {result.errors} 个，提示 {result.hints} 个。"
                )
        if failures:
            raise CommandError(f"{len(failures)} 个文件未能导入。")
