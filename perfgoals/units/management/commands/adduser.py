"""manage.py adduser USERNAME --unit CODE --role clerk|supervisor|admin [--password-file FILE]

Creates the user, or gives an existing user another membership. Running it twice
changes nothing.
"""

from getpass import getpass
from pathlib import Path

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from perfgoals.units.models import Membership, Unit

ROLES = dict(Membership.ROLE_CHOICES)


class Command(BaseCommand):
    help = "创建用户，或为已有用户增加某预算单位的角色（填报人 clerk、审核人 supervisor、管理员 admin）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--unit", required=True, help="预算单位编码，如 321001")
        parser.add_argument("--role", required=True, help="clerk（填报人）、supervisor（审核人）或 admin（管理员）")
        parser.add_argument("--password-file", help="读取该文件第一行作为密码；不给则提示输入")

    def handle(self, *args, username: str, unit: str, role: str, password_file: str | None, **options):
        if role not in ROLES:
            raise CommandError(f"未知角色“{role}”：应为 clerk（填报人）、supervisor（审核人）或 admin（管理员）。")
        try:
            unit_obj = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(f"没有编码为“{unit}”的预算单位。") from None

        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = self.read_password(password_file)
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                raise CommandError("密码不符合要求：" + "".join(error.messages)) from None

        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username, password=password)
                self.stdout.write(f"已创建用户 {username}。")
            if role == Membership.ADMIN and not (user.is_staff and user.is_superuser):
                # An administrator works across every unit and maintains frameworks
                # in the admin site, so the admin site opens with every model.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            _, created = Membership.objects.get_or_create(user=user, unit=unit_obj, role=role)

        if created:
            self.stdout.write(f"{username} 现为 {unit_obj} 的{ROLES[role]}。")
        else:
            self.stdout.write(f"{username} 已是 {unit_obj} 的{ROLES[role]}，未做改动。")

    def read_password(self, password_file: str | None) -> str:
        if password_file:
            try:
                lines = Path(password_file).read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"无法读取密码文件“{password_file}”：{error.strerror}。") from None
            password = lines[0].strip() if lines else ""
            if not password:
                raise CommandError(f"密码文件“{password_file}”的第一行是空的。")
            return password
        password = getpass("密码：")
        if password != getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        if not password:
            raise CommandError("密码不能为空。")
        return password
