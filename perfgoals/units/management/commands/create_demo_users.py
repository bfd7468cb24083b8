"""manage.py create_demo_users: the first accounts of a fresh install.

Only when the database has no users at all: a clerk (填报人) and a supervisor (审核人)
of a seed unit, and an administrator (管理员), each with a random password. The names
and passwords are printed and written to DATA_DIR/demo-accounts.txt.
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from perfgoals.units.models import Membership, Unit

DEMO_UNIT_CODE = "321001"
DEMO_UNIT_NAME = "昌黎县招商中心本级"
ACCOUNTS = [
    ("clerk", Membership.CLERK, "填报人"),
    ("supervisor", Membership.SUPERVISOR, "审核人"),
    ("admin", Membership.ADMIN, "管理员"),
]


class Command(BaseCommand):
    help = "数据库中还没有任何用户时，创建演示账号（填报人、审核人、管理员），并打印用户名和密码。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", default=DEMO_UNIT_CODE, help=f"演示账号所属预算单位编码，默认 {DEMO_UNIT_CODE}")

    def handle(self, *args, unit: str, **options):
        if User.objects.exists():
            self.stdout.write("已有用户，不再创建演示账号。")
            return

        unit_obj = Unit.objects.filter(code=unit).first()
        if unit_obj is None:
            if unit != DEMO_UNIT_CODE:
                raise CommandError(f"没有编码为“{unit}”的预算单位。")
            # Before the seed documents are loaded the seed unit may not exist yet.
            unit_obj = Unit.objects.create(code=DEMO_UNIT_CODE, name=DEMO_UNIT_NAME)

        lines = [f"演示账号（预算单位 {unit_obj}）："]
        with transaction.atomic():
            for username, role, label in ACCOUNTS:
                password = secrets.token_urlsafe(9)
                admin = role == Membership.ADMIN
                user = User.objects.create_user(
                    username, password=password, is_staff=admin, is_superuser=admin
                )
                Membership.objects.create(user=user, unit=unit_obj, role=role)
                lines.append(f"  {label}  用户名 {username}  密码 {password}")

        path = settings.DATA_DIR / "demo-accounts.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"（已保存到 {path}）")
