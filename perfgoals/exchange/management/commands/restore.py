"""manage.py restore DIR: checks every checksum of a backup, then loads it into an empty,
migrated database and puts its stored PDFs back (perfgoals/exchange/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.exchange.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份恢复到空数据库（先核对校验和）。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by manage.py backup")

    def handle(self, folder, **options):
        try:
            manifest = restore(Path(folder))
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"已从 {folder} 恢复（备份时间 {manifest['created']}）。")
