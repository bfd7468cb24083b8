"""Importing the seed documents into the template library."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from perfgoals.goals.models import DepartmentIndicator, DepartmentPlan, FundingLine, Indicator, ProjectTable
from perfgoals.units.models import Unit
from tests.conftest import SEED_FILES

pytestmark = pytest.mark.django_db


def seed(prefix: str):
    return next(p for p in SEED_FILES if p.name.startswith(prefix))


def test_all_29_tables_and_5_plans_are_in_the_template_library():
    assert ProjectTable.objects.filter(is_template=True).count() == 29
    assert DepartmentPlan.objects.filter(is_template=True).count() == 5
    per_unit = {u.code: u.projecttable_set.count() for u in Unit.objects.all()}
    assert per_unit["321001"] == 2 and per_unit["926001"] == 11 and per_unit["322001"] == 5


def test_running_it_twice_creates_nothing_new():
    counts = (ProjectTable.objects.count(), Indicator.objects.count(), DepartmentPlan.objects.count(), Unit.objects.count())
    call_command("load_seed_documents", *map(str, SEED_FILES), verbosity=0)
    assert counts == (ProjectTable.objects.count(), Indicator.objects.count(), DepartmentPlan.objects.count(), Unit.objects.count())


def test_hebei_tables_keep_codes_amounts_spending_plan_goals_and_indicators_in_order():
    table = ProjectTable.objects.get(project_code="13032221Q04ELG36NCMHS")
    assert table.unit.code == "321001" and table.unit.name == "昌黎县招商中心本级"
    assert table.year == 2021 and table.framework.code == "hebei-project"
    assert (table.budget_total, table.budget_fiscal, table.budget_other) == (Decimal("50"), Decimal("50"), Decimal("0"))
    assert table.spending_plan == [Decimal("10"), Decimal("50"), Decimal("80"), Decimal("100")]
    assert [g.text[:6] for g in table.goals.all()] == ["通过为国内外", "通过参加招商"]
    names = [i.name for i in table.indicators.all()]
    assert names[0] == "签约项目个数" and names[-1] == "服务对象满意度" and len(names) == 9
    first = table.indicators.first()
    assert (first.level1.name, first.level2.name, first.value_display) == ("产出指标", "数量指标", "≥5个")
    assert table.position == 2 and table.fund_use.startswith("预算数50万元")


def test_blank_spending_months_stay_blank():
    table = ProjectTable.objects.get(project_code="130322211O1GXXPEQUN7L")
    assert table.spending_plan == [None, None, None, Decimal("100")]


def test_the_year_comes_from_the_two_year_digits_of_a_hebei_code():
    assert ProjectTable.objects.get(project_code="13028122P002321100046").year == 2022
    assert ProjectTable.objects.get(project_code="130682210O53F1D4P4MYG").year == 2021


def test_chengde_tables_come_with_their_explanation_and_split_values():
    table = ProjectTable.objects.get(project_code="105-0901-YBN-DPPC")
    assert table.year == 2020 and table.framework.code == "chengde-2020"
    assert table.explanation.startswith("承德高新区经发局") and "资金安排情况" in table.explanation
    assert [g.text for g in table.goals.all()] == ["支持区内企业发展", "资金兑现符合政策规定"]
    satisfaction = table.indicators.get(name="扶持企业满意度")
    assert satisfaction.level1.name == "满意度指标" and satisfaction.value_cells == ("≥", "80", "%")


def test_the_missing_project_name_label_and_excel_row_numbers_do_not_break_it():
    table = ProjectTable.objects.get(project_code="105-0603-YBN-L5NF")
    assert table.project_name == "招商引资工作"
    assert table.indicators.count() == 5
    assert not ProjectTable.objects.filter(project_name__regex=r"^\d+\.00$").exists()


def test_a_row_split_by_a_nested_word_table_is_mended():
    table = ProjectTable.objects.get(project_code="13028122P00232110003J")
    first = table.indicators.first()
    assert (first.name, first.value_display) == ("支持中小企业数量", "≥20家")
    assert first.description == "项目扶持本地企业参加各种展会数量"


def test_a_unit_cell_continued_on_the_next_line_is_kept():
    table = ProjectTable.objects.get(project_code="105-0701-YBN-CL44")
    assert table.indicators.get(name="服务对象满意度").value_display == "≥80%"


def test_an_unparseable_value_is_kept_verbatim():
    table = ProjectTable.objects.get(project_code="130682210O53F1D4P4MYG")
    indicator = table.indicators.get(name="数量")
    assert indicator.value_display == "≥80数量"
    assert indicator.value.problem == "VALUE_UNIT_IS_NAME"


def test_department_plans_keep_their_parts():
    plan = DepartmentPlan.objects.get(unit__code="321001")
    assert plan.year == 2021 and plan.overall_goal.startswith("按照党的十九大精神")
    assert plan.sub_goals.count() == 4 and plan.safeguards.count() == 9
    chengde = DepartmentPlan.objects.get(year=2020)
    assert chengde.indicators.count() == 4 and chengde.framework.code == "chengde-2020"


def test_the_hubei_plan_has_funding_duties_and_two_indicator_tables():
    plan = DepartmentPlan.objects.get(unit__name="鄂州市招商和投资促进中心")
    assert plan.year == 2024 and plan.framework.code == "hubei-department"
    assert (plan.contact_person, plan.contact_phone) == ("方凯萍", "027-56909587")
    assert plan.functions.startswith("1、拟订全市招商引资工作发展战略") and plan.annual_tasks == "签约亿元以上项目不少于330个"
    assert plan.indicators.filter(horizon=DepartmentIndicator.LONG_TERM).count() == 41
    annual = plan.indicators.filter(horizon=DepartmentIndicator.ANNUAL)
    assert annual.count() == 41
    first = annual.first()
    assert (first.level1.name, first.level2.name, first.name) == ("运行成本", "公用经费控制", "公用经费控制率")
    assert (first.prior_value_1, first.prior_value_2, first.value_display) == ("81%", "100%", "≤100%")
    assert first.get_basis_category_display() == "计划标准"
    personnel = plan.funding_lines.get(name="人员类项目支出")
    assert (personnel.amount, personnel.share) == (Decimal("182.84"), Decimal("36"))
    assert plan.funding_total(FundingLine.EXPENSE) == Decimal("509.41")


def test_year_can_be_overridden(tmp_path):
    call_command("load_seed_documents", str(seed("000")), "--year", "2026", verbosity=0)
    assert ProjectTable.objects.filter(unit__code="321001", year=2026).count() == 2


def write(tmp_path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_text_in_no_known_layout_names_file_and_line_and_imports_nothing(tmp_path):
    path = write(tmp_path, "这是一封信。\n\n不是绩效目标文本。\n")
    before = ProjectTable.objects.count()
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(path), verbosity=0)
    assert ProjectTable.objects.count() == before


def test_an_unknown_category_imports_nothing_from_that_file(tmp_path, capsys):
    text = seed("000").read_text(encoding="utf-8").replace("\t可持续影响指标\n", "\t未知指标\n", 1)
    path = write(tmp_path, text)
    before = (ProjectTable.objects.count(), DepartmentPlan.objects.count())
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(path), "--year", "2030", verbosity=0)
    err = capsys.readouterr().err
    assert "doc.txt" in err and "第 140 行" in err and "未知指标" in err
    assert before == (ProjectTable.objects.count(), DepartmentPlan.objects.count())


def test_negative_money_is_refused_with_the_line(tmp_path, capsys):
    text = seed("000").read_text(encoding="utf-8").replace("\t预算数\n\t85.27\n", "\t预算数\n\t-85.27\n", 1)
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(write(tmp_path, text)), "--year", "2030", verbosity=0)
    assert "金额不能为负数" in capsys.readouterr().err
    assert not ProjectTable.objects.filter(year=2030).exists()


def test_a_spending_percentage_over_100_is_refused(tmp_path, capsys):
    text = seed("000").read_text(encoding="utf-8").replace("\t80.00%\n", "\t180.00%\n", 1)
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(write(tmp_path, text)), "--year", "2030", verbosity=0)
    assert "百分比应在 0 到 100 之间" in capsys.readouterr().err


def test_model_validation_refuses_out_of_range_values(make_table):
    table = make_table()
    table.budget_other = Decimal("-1")
    table.spend_jun = Decimal("101")
    with pytest.raises(ValidationError) as e:
        table.full_clean()
    assert e.value.message_dict["budget_other"] == ["金额不能为负数。"]
    assert e.value.message_dict["spend_jun"] == ["百分比应在 0 到 100 之间。"]


def test_running_it_again_after_an_administrator_renamed_categories_leaves_the_imported_seeds_alone():
    """bin/setup runs load_seed_documents on every start: an administrator's renamed
    categories and corrected templates must not make it refuse a seed that is already there
    (and stop the server)."""
    from perfgoals.frameworks.models import Level1, Level2

    for model in (Level1, Level2):
        for category in model.objects.all():
            category.name = f"{category.name}（调整）"
            category.save()
    for table in ProjectTable.objects.filter(source=seed("000").name):  # and corrected the templates
        table.project_code, table.project_name = "", f"{table.project_name}（范例）"
        table.save()
    counts = (ProjectTable.objects.count(), Indicator.objects.count(), DepartmentPlan.objects.count())

    call_command("load_seed_documents", *map(str, SEED_FILES), verbosity=0)

    assert counts == (ProjectTable.objects.count(), Indicator.objects.count(), DepartmentPlan.objects.count())


@pytest.mark.parametrize("original, field", [
    ("预算数85.27万元，用于对招商引资项目的奖励。", "资金用途：最多 2000 字"),
    ("1.按照《秦皇岛市招商引资奖励办法（试行）》", "绩效目标：最多 1000 字"),
])  # fmt: skip
def test_a_text_over_its_length_limit_is_refused_and_nothing_is_imported(tmp_path, capsys, original, field):
    text = seed("000").read_text(encoding="utf-8").replace(original, "长" * 3000 + original, 1)
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(write(tmp_path, text)), "--year", "2030", verbosity=0)
    err = capsys.readouterr().err
    assert field in err and "请删减后再保存" in err and "doc.txt" in err
    assert not ProjectTable.objects.filter(year=2030).exists()


def test_a_document_with_more_rows_than_a_table_may_hold_is_refused_and_nothing_is_imported(tmp_path, capsys, settings,
                                                                                           unit):
    from tests.test_exchange_import import PASTE

    settings.MAX_ROWS_PER_TABLE = 2
    before = (ProjectTable.objects.count(), DepartmentPlan.objects.count(), Indicator.objects.count())
    with pytest.raises(CommandError):
        call_command("load_seed_documents", str(write(tmp_path, seed("000").read_text(encoding="utf-8"))),
                     "--year", "2030", verbosity=0)  # fmt: skip
    assert "最多 2 行（绩效目标、指标等合计），这里有 10 行" in capsys.readouterr().err
    paste = tmp_path / "paste.tsv"
    paste.write_text(PASTE, encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何内容") as refused:
        call_command("import_document", str(paste), "--unit", unit.code)
    assert "最多 2 行（绩效目标、指标等合计），这里有 3 行" in str(refused.value)
    assert before == (ProjectTable.objects.count(), DepartmentPlan.objects.count(), Indicator.objects.count())
