"""manage.py backup DIR: the database (JSON), the exchange format, the stored PDFs, and on
SQLite the raw database, with a manifest of sha256 checksums (perfgoals/exchange/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份：数据库（JSON）、交换格式、已生成的 PDF，SQLite 另存数据库文件；附校验和清单。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a new or empty folder")

    def handle(self, folder, **options):
        try:
            manifest = backup(Path(folder))
        except BackupError as e:
            raise CommandError(str(e)) from None
        size = sum(f["bytes"] for f in manifest["files"])
        self.stdout.write(f"已备份到 {folder}：{len(manifest['files'])} 个文件，共 {size / 1e6:.1f} MB。")
