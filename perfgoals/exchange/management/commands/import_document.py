import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.documents import ImportRefused, make_preview, store
from perfgoals.exchange.files import FileRefused, read_file
from perfgoals.frameworks.models import Framework
from perfgoals.goals.models import ProjectTable
from perfgoals.units.models import Unit


class Command(BaseCommand):
    help = (
        "导入项目绩效目标表（.tsv/.txt 粘贴文本、.html、.xlsx、.docx），存为单位的草稿。"
        "--dry-run 只显示将要导入的内容和自动审核的问题，不写入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--unit", default="", help="单位编码（默认用表中的单位；不存在时新建）")
        parser.add_argument("--year", type=int, help="年度（覆盖从表中识别的年度）")
        parser.add_argument("--framework", default="", help="指标体系代码（默认自动选择最吻合的）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--category", action="append", default=[], metavar="写法=一级/二级",
                            help="为指标体系中没有的类别名称指定类别，如 “社会、经济、生态效益指标=效益指标/社会效益指标”（可重复）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, unit, year, framework, dry_run, format, category, **options):
        choices = {}
        for given in category:
            written, sep, wanted = given.rpartition("=")
            if not sep or not written.strip() or not wanted.strip():
                raise CommandError(f"--category “{given}” 应写成 “表中写法=一级/二级”。")
            choices[written.strip()] = wanted.strip()
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        target = None
        if unit:
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                raise CommandError(f"没有编码为 {unit} 的单位。")
        chosen = None
        if framework:
            chosen = Framework.objects.filter(code=framework).prefetch_related("levels1__levels2").first()
            if chosen is None:
                codes = "、".join(Framework.objects.values_list("code", flat=True))
                raise CommandError(f"没有代码为 {framework} 的指标体系；已有：{codes}。")
        try:
            doc = read_file(path.name, data)
        except FileRefused as e:
            raise CommandError(f"{e}（未导入任何内容）") from None
        # The review is what the preview shows; an import that shows none (no --dry-run, text) skips it.
        review = dry_run or format == "json"
        preview = make_preview(doc, source=path.name, unit=target, year=year, framework=chosen, choices=choices,
                               review=review)
        if format == "json":
            self.stdout.write(json.dumps({"dry_run": dry_run, **preview.as_dict()}, ensure_ascii=False, indent=2))
        elif dry_run or preview.errors:
            self.stdout.write(preview.as_text())
        if preview.errors:
            raise CommandError(f"{path.name}：有 {len(preview.errors)} 个问题，未导入任何内容。")
        if dry_run:
            return
        try:
            created = store(preview)
        except ImportRefused as e:
            raise CommandError(str(e)) from None
        skipped = sum(t.existing is not None for t in preview.tables)
        tables = [d for d in created if isinstance(d, ProjectTable)]
        if format == "text":
            table_unit = created[0].unit if created else preview.unit
            self.stdout.write(
                f"{path.name}：{table_unit.code} {table_unit.name} {preview.year}年，新增项目表 {len(created)} 张"
                f"（已有 {skipped} 张），三级指标 {sum(len(t.indicators) for t in preview.tables if t.existing is None)} 项"
                + ("，部门整体绩效目标 1 份" if len(tables) < len(created) else "") + "，均为草稿。"
            )
