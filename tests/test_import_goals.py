"""import_goals: the JSON exchange format read back, so a unit's year moves between installations."""

import json

import pytest
from django.core.management import CommandError, call_command

from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, PlanItem, ProjectTable
from perfgoals.units.models import Unit

pytestmark = pytest.mark.django_db


def export(capsys, *args) -> dict:
    call_command("export_goals", "--format", "json", *args)
    return json.loads(capsys.readouterr().out)


def counts() -> tuple:
    return tuple(model.objects.count() for model in (
        Unit, ProjectTable, Goal, Indicator, DepartmentPlan, PlanItem, FundingLine, DepartmentIndicator))


def empty_installation() -> None:
    """A second installation: migrated (the frameworks are there), no units, tables or plans."""
    for model in (DepartmentIndicator, FundingLine, PlanItem, DepartmentPlan, Indicator, Goal, ProjectTable):
        model.history.all().delete()
        model.objects.all().delete()
    Unit.objects.all().delete()


@pytest.mark.parametrize("unit, year", [("321001", 2021), ("U067906", 2020), ("U693004", 2024), ("926001", 2021)])
def test_a_units_year_exported_and_imported_into_an_empty_installation_exports_the_same(capsys, tmp_path, unit, year):
    before = export(capsys, "--unit", unit, "--year", str(year))
    assert before["tables"] or before["plans"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    empty_installation()
    assert ProjectTable.objects.count() == 0

    call_command("import_goals", str(path))
    out = capsys.readouterr().out
    assert f"新增项目表 {len(before['tables'])} 张" in out

    assert export(capsys, "--unit", unit, "--year", str(year)) == before


def test_every_seed_document_survives_the_round_trip(capsys, tmp_path):
    before = export(capsys)
    path = tmp_path / "all.json"
    path.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    empty_installation()
    call_command("import_goals", str(path))
    capsys.readouterr()
    assert export(capsys) == before


def test_importing_the_same_file_twice_adds_nothing(capsys, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(capsys, "--unit", "321001")), encoding="utf-8")
    before = counts()
    call_command("import_goals", str(path))
    assert "新增项目表 0 张（已有 2 张），部门整体绩效目标 0 个（已有 1 个）" in capsys.readouterr().out
    assert counts() == before


def _refused(tmp_path, content: str | bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_goals", str(path))
    assert counts() == before


def test_a_file_that_is_not_json_is_refused_and_nothing_written(tmp_path):
    _refused(tmp_path, "{ 这不是 JSON", r"文件“bad.json”不是有效的 JSON（第 1 行第 3 列），未导入任何内容")
    _refused(tmp_path, b"\xff\xfe\x00garbage", "不是有效的 JSON")
    _refused(tmp_path, '{"tables": []}', "不是 perfgoals 交换格式")
    _refused(tmp_path, '{"format": "perfgoals", "version": 9}', "版本为 9，本系统只能读取版本 1")


def test_an_unknown_framework_is_named_and_nothing_is_written_not_even_the_tables_before_it(capsys, tmp_path):
    data = export(capsys, "--unit", "U067906")
    for table in data["tables"]:
        table["unit_code"], table["project_code"] = "990077", table["project_code"] + "-X"
    data["tables"][-1]["framework"] = "shanghai-2030"
    _refused(tmp_path, json.dumps(data), r"第 11 张项目表“.*”：指标体系“shanghai-2030”在本系统中不存在")
    assert not Unit.objects.filter(code="990077").exists()


def test_a_category_the_framework_lacks_and_a_bad_amount_are_named(capsys, tmp_path):
    data = export(capsys, "--unit", "321001", "--year", "2021")
    data["tables"][0]["unit_code"] = data["plans"][0]["unit_code"] = "990078"
    data["tables"][0]["indicators"][2]["level2"] = "速度指标"
    _refused(tmp_path, json.dumps(data), "：指标“招商引资奖励资金落实及时率”的分类“产出指标 / 速度指标”在指标体系“河北省项目支出绩效指标体系”中不存在（未导入任何内容）")
    data["tables"][0]["indicators"][2]["level2"] = "时效指标"
    data["tables"][0]["budget_total"] = "五十万"
    _refused(tmp_path, json.dumps(data), "“budget_total”的值 '五十万' 不是数字")
    data["tables"][0]["budget_total"] = "-5"
    _refused(tmp_path, json.dumps(data), "第 1 张项目表“.*”：预算数")


def test_an_amount_in_yuan_to_the_fen_round_trips_exactly(capsys, tmp_path, unit):
    from decimal import Decimal

    from perfgoals.frameworks.models import Framework

    table = ProjectTable.objects.create(unit=unit, year=2023, framework=Framework.objects.get(code="jingyan-2023"),
                                        project_name="村组干部报酬", budget_total=Decimal("12.345678"),
                                        budget_fiscal=Decimal("12.345678"), budget_other=Decimal("0"))
    plan = DepartmentPlan.objects.create(unit=unit, year=2023)
    FundingLine.objects.create(plan=plan, kind=FundingLine.INCOME, name="财政拨款", amount=Decimal("0.000001"), order=1)
    before = export(capsys, "--unit", unit.code)
    assert before["tables"][0]["budget_total"] == "12.345678"  # 123,456.78 元, not 12.35
    assert before["plans"][0]["funding"][0]["amount"] == "0.000001"  # one 分
    path = tmp_path / "export.json"
    path.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    empty_installation()
    call_command("import_goals", str(path))
    capsys.readouterr()
    assert export(capsys, "--unit", unit.code) == before
    assert ProjectTable.objects.get(project_name=table.project_name).budget_total == Decimal("12.345678")
    assert FundingLine.objects.get().amount == Decimal("0.000001")


def test_an_export_of_two_decimals_still_imports_and_one_finer_than_the_fen_is_refused(capsys, tmp_path):
    from decimal import Decimal

    data = export(capsys, "--unit", "321001", "--year", "2021")
    data["tables"][0]["unit_code"] = data["plans"][0]["unit_code"] = "990079"
    data["tables"][0]["budget_total"] = "12.3456789"
    _refused(tmp_path, json.dumps(data), "“budget_total”的金额 '12.3456789' 精确到分以下（以万元计最多六位小数）")
    data["tables"][0].update(budget_total="12.35", budget_fiscal="12.35", budget_other="0.00")  # as older files write it
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_goals", str(path))
    assert ProjectTable.objects.get(unit__code="990079", project_code=data["tables"][0]["project_code"]).budget_total == Decimal("12.35")
