"""The indicator value: one parser, one printed form, nothing silently altered."""

from decimal import Decimal

import pytest

from perfgoals.exchange.seedtext import parse_document
from perfgoals.goals.values import (
    QUALITATIVE,
    QUANTITATIVE,
    UNIT_IS_NAME,
    UNIT_NOT_UNIT,
    Value,
    category_key,
    find_level1,
    find_level2,
    format_money,
    format_number,
    format_percent,
    format_value,
    format_wan,
    normalize_label,
    parse_chinese_integer,
    parse_money,
    parse_number,
    parse_percent,
    parse_split,
    parse_value,
    split_cells,
    to_wan,
    unreadable,
)
from tests.conftest import SEED_FILES


@pytest.mark.parametrize(
    "text, operator, number, unit, printed",
    [
        ("≥20项", "≥", "20", "项", "≥20项"),
        ("≥80亿元", "≥", "80", "亿元", "≥80亿元"),
        ("100%", "", "100", "%", "100%"),
        ("≤100%", "≤", "100", "%", "≤100%"),
        ("80元", "", "80", "元", "80元"),
        ("<5%", "<", "5", "%", "<5%"),
        ("≥150人次", "≥", "150", "人次", "≥150人次"),
        ("5万元", "", "5", "万元", "5万元"),
        ("25万", "", "25", "万", "25万"),
        ("1年", "", "1", "年", "1年"),
        ("≤0%", "≤", "0", "%", "≤0%"),
        ("0", "", "0", "", "0"),
        (">=90", "≥", "90", "", "≥90"),
        ("≥ 98 ％", "≥", "98", "%", "≥98%"),
    ],
)
def test_it_parses_quantitative_values(text, operator, number, unit, printed):
    value = parse_value(text)
    assert value.kind == QUANTITATIVE
    assert (value.operator, value.number, value.unit) == (operator, Decimal(number), unit)
    assert not value.problem and not value.raw
    assert format_value(value) == printed


@pytest.mark.parametrize("text, operator, printed", [
    ("大于等于90%", "≥", "≥90%"),
    ("不低于90%", "≥", "≥90%"),
    ("不少于5个", "≥", "≥5个"),
    (">=90%", "≥", "≥90%"),
    ("＞＝90%", "≥", "≥90%"),
    ("小于等于5万元", "≤", "≤5万元"),
    ("不超过5万元", "≤", "≤5万元"),
    ("<=5万元", "≤", "≤5万元"),
    ("大于5个", ">", ">5个"),
    ("小于5%", "<", "<5%"),
    ("等于100%", "=", "100%"),
    ("大于或等于1000人次", "≥", "≥1000人次"),
    ("小于或等于3个工作日", "≤", "≤3个工作日"),
    ("高于95%", ">", ">95%"),
    ("低于5%", "<", "<5%"),
    ("超过90%", ">", ">90%"),
])  # fmt: skip
def test_comparisons_written_out_parse_as_their_symbol(text, operator, printed):
    value = parse_value(text)
    assert (value.kind, value.operator, value.problem) == (QUANTITATIVE, operator, "")
    assert format_value(value) == printed


@pytest.mark.parametrize("text", ["高于全省平均水平", "低于国家标准", "超过上年同期"])
def test_a_comparison_word_before_words_is_the_clerks_wording_and_prints_as_written(text):
    assert format_value(parse_value(text)) == text


def test_a_written_out_symbol_in_the_split_layout_parses_too():
    value = parse_split("大于等于", "90", "%")
    assert (value.operator, value.number, value.unit) == ("≥", Decimal(90), "%")


def test_the_equals_sign_is_not_printed_in_a_value():
    assert format_value(parse_value("=100%")) == "100%"
    assert format_value(Value(QUANTITATIVE, "=", Decimal("100.00"), "%")) == "100%"
    assert parse_value("=100%").display() == "100%"
    assert split_cells(parse_value("=100%")) == ("=", "100", "%")  # the split layout has a symbol column


@pytest.mark.parametrize("text, number", [
    ("85.27", "85.27"), (" 1,000 ", "1000"), ("1，000", "1000"), ("-5", "-5"), ("", None), ("二十", None), ("5%", None),
])  # fmt: skip
def test_parse_number_reads_a_typed_number(text, number):
    assert parse_number(text) == (None if number is None else Decimal(number))


@pytest.mark.parametrize("number, written, money, percent, wan", [
    (Decimal("85.27"), "85.27", "85.27", "85.27%", "85.27万元"),
    (Decimal("5.00"), "5", "5.00", "5.00%", "5万元"),
    (Decimal("80.0000"), "80", "80.00", "80.00%", "80万元"),
    (Decimal("11000.00"), "11000", "11000.00", "11000.00%", "11000万元"),
    (Decimal("1E+2"), "100", "100.00", "100.00%", "100万元"),
    (Decimal("0.00"), "0", "0.00", "0.00%", "0万元"),
    (Decimal("0.5"), "0.5", "0.50", "0.50%", "0.5万元"),
    (40, "40", "40.00", "40.00%", "40万元"),
    (None, "", "", "", "（空）"),
])  # fmt: skip
def test_each_number_has_one_printed_form_per_use(number, written, money, percent, wan):
    assert format_number(number) == written  # as a clerk writes it: editor, history, prose
    assert format_money(number) == money  # in the printed table and the JSON export
    assert format_percent(number) == percent
    assert format_wan(number) == wan  # named in a review message


def test_a_percentage_under_a_column_that_says_percent_has_no_sign():
    assert format_percent(Decimal("25"), sign="") == "25.00"


@pytest.mark.parametrize("number, unit, wan", [
    ("800000", "元", "80"), ("5", "万元", "5"), ("5", "万", "5"), ("2", "亿元", "20000"), ("300", "千元", "30"),
    ("5", "个", None), ("5", "", None),
])  # fmt: skip
def test_to_wan_converts_money_units_only(number, unit, wan):
    assert to_wan(Decimal(number), unit) == (None if wan is None else Decimal(wan))
    assert to_wan(None, "元") is None


def test_labels_are_compared_without_spaces_and_the_suffix_zhibiao():
    assert normalize_label(" 运行\n成本　") == "运行成本"
    assert category_key("经济效益 指标") == category_key("经济效益") == "经济效益"
    assert category_key("指标") == "指标"


def test_find_level1_and_level2_read_labels_as_typed(hebei):
    assert find_level1(hebei, "效益 指标").name == "效益指标"
    assert find_level1(hebei, "满意度").name == "满意度指标"
    assert find_level2(hebei, "经济\n效益").name == "经济效益指标"
    level1 = find_level1(hebei, "产出指标")
    assert find_level2(hebei, "数量指标", level1).level1 == level1
    assert find_level2(hebei, "经济效益指标", level1) is None  # not under 产出指标
    assert find_level1(hebei, "") is None and find_level2(hebei, "未知指标") is None


@pytest.mark.parametrize("text", ["作用明显", "及时支付", "有效提升", "完全相符", "健全", "达成预期指标"])
def test_it_keeps_qualitative_phrases_as_written(text):
    value = parse_value(text)
    assert value.kind == QUALITATIVE and value.text == text
    assert format_value(value) == text


def test_a_comparison_with_a_reference_stays_a_phrase():
    value = parse_value("≥前三年平均数")
    assert value.kind == QUALITATIVE
    assert (value.operator, value.text) == ("≥", "前三年平均数")
    assert format_value(value) == "≥前三年平均数"


@pytest.mark.parametrize(
    "text, name, problem",
    [
        ("≥80数量", "数量", UNIT_IS_NAME),
        ("≥90企业满意度", "企业满意度", UNIT_IS_NAME),
        ("≥80对社会有积极影响", "对社会有积极影响", UNIT_IS_NAME),
        ("≥80提高经济效益", "带动社会资金投资比", UNIT_NOT_UNIT),
        ("≥60带动社会资金投资比", "社会影响力增长率", UNIT_NOT_UNIT),
    ],
)
def test_it_keeps_a_name_used_as_unit_verbatim_and_flags_it(text, name, problem):
    value = parse_value(text, name=name)
    assert value.problem == problem
    assert value.raw == text
    assert format_value(value) == text  # printed exactly as written, never altered


def test_the_split_layout_reads_symbol_value_and_unit():
    value = parse_split(">=", "80.00", "%", name="扶持企业满意度")
    assert (value.kind, value.operator, value.number, value.unit) == (QUANTITATIVE, "≥", Decimal("80.00"), "%")
    assert format_value(value) == "≥80%"
    assert split_cells(value) == ("≥", "80", "%")


def test_the_split_layout_reads_text_descriptions():
    value = parse_split("文字描述", "", "及时支付")
    assert value.kind == QUALITATIVE and value.text == "及时支付"
    assert split_cells(value) == ("文字描述", "", "及时支付")


def test_a_phrase_in_the_unit_column_is_flagged():
    value = parse_split(">=", "90.00", "服务对象满意度90%以上", name="服务对象满意度")
    assert value.problem == UNIT_IS_NAME
    assert value.raw == ">= 90.00 服务对象满意度90%以上"


def seed_values():
    for path in SEED_FILES:
        doc = parse_document(path.read_text(encoding="utf-8"))
        indicators = [i for t in doc.tables for i in t.indicators]
        indicators += doc.plan.indicators if doc.plan else []
        for i in indicators:
            yield path.name, i


def test_every_value_in_the_seeds_parses_to_a_structure_that_prints_back():
    seen = 0
    for name, item in seed_values():
        if item.split is not None:
            value = parse_split(*item.split, name=item.name)
            original = "".join(item.split)
        else:
            value = parse_value(item.value, name=item.name)
            original = item.value
        seen += 1
        if not original.strip():
            assert value.is_empty
            continue
        assert value.kind in (QUANTITATIVE, QUALITATIVE), (name, item.line, original)
        if value.problem:
            assert value.raw, (name, item.line)  # kept verbatim
        elif item.split is None:
            normalized = original.replace("％", "%").replace(">=", "≥").strip()
            assert format_value(value) in (normalized, normalized.removeprefix("=")), (name, item.line)
    assert seen == 293  # 207 project indicators, 4 in 001's plan table, 82 in 004 (counted by hand)


def test_every_unit_found_in_the_clean_seed_values_is_a_unit():
    units = {
        parse_value(i.value, name=i.name).unit
        for _, i in seed_values()
        if i.split is None and parse_value(i.value, name=i.name).kind == QUANTITATIVE
        and not parse_value(i.value, name=i.name).problem
    }
    assert units >= {"项", "亿元", "%", "个", "元", "人次", "次", "家", "人", "年", "万", "万元"}


@pytest.mark.parametrize("text, operator, number, unit, printed", [
    ("1000人次以上", "≥", "1000", "人次", "≥1000人次"),
    ("2次以上", "≥", "2", "次", "≥2次"),
    ("90%及以上", "≥", "90", "%", "≥90%"),
    ("≥90%以上", "≥", "90", "%", "≥90%"),
    ("5%以下", "≤", "5", "%", "≤5%"),
    ("3%以内", "≤", "3", "%", "≤3%"),
    ("≧90%", "≥", "90", "%", "≥90%"),
    ("＞90%", ">", "90", "%", ">90%"),
    ("＜5%", "<", "5", "%", "<5%"),
    ("＝100%", "=", "100", "%", "100%"),
    ("＜＝6962人", "≤", "6962", "人", "≤6962人"),
    (">=101人/次", "≥", "101", "人/次", "≥101人/次"),
    ("=100百分比", "=", "100", "%", "100%"),
    ("不少于30小时", "≥", "30", "小时", "≥30小时"),
    ("不超过5万元", "≤", "5", "万元", "≤5万元"),
])  # fmt: skip
def test_comparisons_pasted_from_other_provinces_parse_as_their_symbol(text, operator, number, unit, printed):
    value = parse_value(text)
    assert (value.kind, value.operator, value.number, value.unit) == (QUANTITATIVE, operator, Decimal(number), unit)
    assert not value.problem
    assert format_value(value) == printed


def test_a_tolerance_reads_as_at_most_and_prints_as_written():
    value = parse_value("±3%以内")
    assert (value.kind, value.operator, value.number, value.unit, value.problem) == (QUANTITATIVE, "≤", 3, "%", "")
    assert format_value(value) == "±3%以内"


def test_a_contradictory_suffix_is_kept_verbatim_and_flagged():
    value = parse_value("≤5%以上")
    assert value.problem == UNIT_NOT_UNIT and format_value(value) == "≤5%以上"


# ---- natural values: what a clerk types in the one 指标值 field (issue 11) ----------------

@pytest.mark.parametrize("text, kind, operator, number, unit, printed", [
    ("≥95%", QUANTITATIVE, "≥", "95", "%", "≥95%"),
    ("95%", QUANTITATIVE, "", "95", "%", "95%"),
    (">=95%", QUANTITATIVE, "≥", "95", "%", "≥95%"),
    ("≧95%", QUANTITATIVE, "≥", "95", "%", "≥95%"),
    ("＞3", QUANTITATIVE, ">", "3", "", ">3"),
    ("不少于20个", QUANTITATIVE, "≥", "20", "个", "≥20个"),
    ("20个以上", QUANTITATIVE, "≥", "20", "个", "≥20个"),
    ("≤3天", QUANTITATIVE, "≤", "3", "天", "≤3天"),
    ("±3%以内", QUANTITATIVE, "≤", "3", "%", "±3%以内"),
    ("100%", QUANTITATIVE, "", "100", "%", "100%"),
    ("较好", QUALITATIVE, "", None, "", "较好"),
    ("=300天", QUANTITATIVE, "=", "300", "天", "300天"),
    ("=100百分比", QUANTITATIVE, "=", "100", "%", "100%"),
    ("至少20个", QUANTITATIVE, "≥", "20", "个", "≥20个"),
    ("不小于90%", QUANTITATIVE, "≥", "90", "%", "≥90%"),
    ("不大于5天", QUANTITATIVE, "≤", "5", "天", "≤5天"),
    ("最多3次", QUANTITATIVE, "≤", "3", "次", "≤3次"),
])  # fmt: skip
def test_each_natural_value_parses_into_kind_operator_number_and_unit(text, kind, operator, number, unit, printed):
    value = parse_value(text)
    assert (value.kind, value.operator, value.unit) == (kind, operator, unit)
    assert value.number == (Decimal(number) if number else None)
    assert not value.problem and not unreadable(text)
    assert format_value(value) == printed


@pytest.mark.parametrize("text, message", [
    ("≥", "“≥”只有比较符，请在后面写数值和单位"),
    (">=", "“>=”只有比较符"),
    ("12345678901234567%", "数值位数过多"),
    ("1.23456%", "数值位数过多"),
])  # fmt: skip
def test_a_value_that_cannot_be_read_says_why_naming_it(text, message):
    assert message in unreadable(text)


@pytest.mark.parametrize("text, wan, note", [
    ("50", "50", ""),
    ("50万", "50", ""),
    ("50万元", "50", ""),
    ("1,000.5", "1000.5", ""),
    (" 85.27 ", "85.27", ""),
    ("１０万元", "10", ""),
    ("500000元", "50.00", "已按 500000元 = 50.00万元 换算"),
    ("123456元", "12.3456", "已按 123456元 = 12.3456万元 换算"),
    ("123456.78元", "12.345678", "已按 123456.78元 = 12.345678万元 换算"),
    ("12.345678", "12.345678", ""),
    ("8000千元", "800.0", "已按 8000千元 = 800.00万元 换算"),
    ("1.5亿", "15000", "已按 1.5亿 = 15000.00万元 换算"),
    ("五十万", "50", "已按 五十万 = 50.00万元 换算"),
    ("五十万元", "50", "已按 五十万元 = 50.00万元 换算"),
    ("一百二十万元", "120", "已按 一百二十万元 = 120.00万元 换算"),
    ("三千元", "0.3", "已按 三千元 = 0.30万元 换算"),
    ("五十", "50", "已按 五十 = 50.00万元 换算"),
    ("", None, ""),
])  # fmt: skip
def test_money_is_read_as_people_write_it_in_wan_yuan(text, wan, note):
    amount, said = parse_money(text)
    assert amount == (Decimal(wan) if wan is not None else None)
    assert said == note


@pytest.mark.parametrize("text, message", [
    ("很多", "“很多”不是金额。请填写以万元为单位的数字"),
    ("-5", "金额不能为负数（填写的是“-5”）"),
    ("1.2345678", "金额以万元计，最多保留六位小数（精确到分），填写的是“1.2345678”"),
    ("123456.789元", "金额最多精确到分（元以下两位小数），填写的是“123456.789元”"),
    ("五二万", "没有读懂“五二万”中的中文数字，请改用阿拉伯数字"),
    ("二十五点五万", "没有读懂“二十五点五万”中的中文数字"),
    ("10000000000000", "位数过多"),
])  # fmt: skip
def test_money_that_cannot_be_read_says_so_naming_what_was_typed(text, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text)


@pytest.mark.parametrize("text, wan, note", [
    ("123456.78", "12.345678", ""),
    ("123,456.78", "12.345678", ""),
    ("500000元", "50", ""),
    ("50万", "50", "已按 50万 = 500,000.00元 换算"),
    ("50万元", "50", "已按 50万元 = 500,000.00元 换算"),
    ("五十万", "50", "已按 五十万 = 500,000.00元 换算"),
    ("三千", "0.3", "已按 三千 = 3,000.00元 换算"),
    ("0.01", "0.000001", ""),
])  # fmt: skip
def test_in_a_box_in_yuan_a_bare_number_is_yuan_and_50wan_still_50_wan(text, wan, note):
    assert parse_money(text, "元") == (Decimal(wan), note)


@pytest.mark.parametrize("text, message", [
    ("123456.789", "金额最多精确到分（元以下两位小数），填写的是“123456.789”"),
    ("0.001", "金额最多精确到分（元以下两位小数），填写的是“0.001”"),
    ("12.3456789万", "金额以万元计，最多保留六位小数（精确到分），填写的是“12.3456789万”"),
    ("很多", "“很多”不是金额。请填写以元为单位的数字"),
])  # fmt: skip
def test_in_a_box_in_yuan_an_amount_finer_than_the_fen_is_refused_naming_it(text, message):
    with pytest.raises(ValueError, match=message):
        parse_money(text, "元")


@pytest.mark.parametrize("amount, wan, yuan, sentence", [
    (Decimal("12.345678"), "12.345678", "123,456.78", "123,456.78元"),
    (Decimal("12.3400"), "12.34", "123,400.00", "123,400.00元"),
    (Decimal("12.340000"), "12.34", "123,400.00", "123,400.00元"),
    (Decimal("50.000000"), "50.00", "500,000.00", "500,000.00元"),
    (Decimal("330.984"), "330.984", "3,309,840.00", "3,309,840.00元"),
    (Decimal("0.000001"), "0.000001", "0.01", "0.01元"),
    (Decimal("999999999999.999999"), "999999999999.999999", "9,999,999,999,999,999.99", "9,999,999,999,999,999.99元"),
])  # fmt: skip
def test_an_amount_prints_exactly_to_the_fen_in_wan_and_in_yuan(amount, wan, yuan, sentence):
    assert format_money(amount) == wan  # 万元: two decimals, never a hidden non-zero digit
    assert format_money(amount, "元") == yuan
    assert format_wan(amount, "元") == sentence


@pytest.mark.parametrize("text, number", [
    ("十", 10), ("十五", 15), ("二十五", 25), ("一百零五", 105), ("三百五", 350), ("两千", 2000),
    ("五万五", 55000), ("一万五千", 15000), ("一亿零五百万", 105000000), ("五二", None), ("万", None),
])  # fmt: skip
def test_chinese_numerals_read_as_said(text, number):
    assert parse_chinese_integer(text) == number


@pytest.mark.parametrize("text, share", [("10", "10"), ("10%", "10"), ("10 ％", "10"), ("12.5%", "12.5"), ("0", "0"), ("100%", "100"), ("", None)])
def test_a_percentage_is_read_with_or_without_its_sign(text, share):
    assert parse_percent(text) == (Decimal(share) if share is not None else None)


@pytest.mark.parametrize("text, message", [
    ("abc", "“abc”不是百分比"), ("101%", "百分比应在 0 到 100 之间（填写的是“101%”）"),
    ("-1", "百分比应在 0 到 100 之间"), ("10.125", "最多保留两位小数"),
])  # fmt: skip
def test_a_percentage_that_cannot_be_read_says_so(text, message):
    with pytest.raises(ValueError, match=message):
        parse_percent(text)


# ---- money kept to the 分: the migration ------------------------------------------------------

MIGRATION_SCRIPT = """
import django
django.setup()
from decimal import Decimal
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", verbosity=0)  # every app, the shipped frameworks included (none left on a built copy)
call_command("migrate", "goals", "0006_framework_columns_and_header_fields", verbosity=0)  # money as it was
old = MigrationExecutor(connection).loader.project_state(("goals", "0006_framework_columns_and_header_fields")).apps
unit = old.get_model("units", "Unit").objects.create(code="990100", name="迁移测试单位")
framework = old.get_model("frameworks", "Framework").objects.get(code="jingyan-2023")
table = old.get_model("goals", "ProjectTable").objects.create(
    unit=unit, framework=framework, year=2023, project_name="村组干部报酬", budget_total=Decimal("330.98"),
    budget_fiscal=Decimal("999999999999.99"), budget_other=Decimal("0.01"))
plan = old.get_model("goals", "DepartmentPlan").objects.create(unit=unit, year=2023)
old.get_model("goals", "FundingLine").objects.create(plan=plan, kind="income", name="财政拨款", amount=Decimal("98577.39"))
call_command("migrate", "goals", verbosity=0)
from perfgoals.goals.models import FundingLine, ProjectTable
table = ProjectTable.objects.get(pk=table.pk)
table.budget_other = Decimal("0.000001")  # one 分 fits now
table.save()
table.refresh_from_db()
line = FundingLine.objects.get()
print(table.budget_total, table.budget_fiscal, table.budget_other, line.amount)
"""


@pytest.mark.django_db  # so the PostgreSQL pass runs it there too
def test_the_migration_to_the_fen_keeps_every_amount_as_it_was(tmp_path):
    """Run in a process of its own on a new database of the run's kind (SQLite, or PostgreSQL).
    On the SQLite pass under xdist the new database is a copy of the one the run's builder
    migrated, before its seeds (tests/seeded_db.py): the same migrations, run once a run."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    from tests import seeded_db

    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DB", None)
    scratch = f"perfgoals_migration_{os.getpid()}"
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.settings_dict
        url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {scratch}")
        env["DATABASE_URL"] = f"{url}/{scratch}"
    else:
        database = tmp_path / "migration.sqlite3"
        if (migrated := seeded_db.built_migrated()) is not None:  # every app migrated by this run's builder
            shutil.copyfile(migrated, database)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    try:
        result = subprocess.run([sys.executable, "-c", MIGRATION_SCRIPT], env=env, cwd=Path(__file__).parent.parent,
                                capture_output=True, text=True, timeout=300)
    finally:
        if connection.vendor == "postgresql":
            with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
    assert result.returncode == 0, result.stderr[-2000:]
    total, fiscal, other, line = map(Decimal, result.stdout.split())
    assert (total, fiscal, line) == (Decimal("330.98"), Decimal("999999999999.99"), Decimal("98577.39"))
    assert other == Decimal("0.000001")


@pytest.mark.parametrize("text", ["2026年12月底前", "12月31日前", "6月30日之前", "2021年1月-12月", "2023.07-2024.01",
                                  "2026年1-12月", "2026年12月底前完成", "2026.12", "2026年内", "1-12月"])  # fmt: skip
def test_a_deadline_or_period_is_a_phrase_kept_as_written_not_a_wrong_unit(text):
    # 时效指标 values as clerks write them: were read as 2026 + the unit "年12月底前", an error
    # that kept the table from being submitted.
    value = parse_value(text, name="完成时间")
    assert (value.kind, value.problem, format_value(value)) == (QUALITATIVE, "", text)


@pytest.mark.parametrize("text, printed", [("15天内", "≤15天"), ("3个工作日内", "≤3个工作日"), ("3个月之内", "≤3个月")])
def test_a_limit_written_with_nei_after_the_number_is_at_most(text, printed):
    value = parse_value(text)
    assert (value.kind, value.problem, format_value(value)) == (QUANTITATIVE, "", printed)



@pytest.mark.django_db
def test_a_deadline_saved_before_it_was_understood_is_no_longer_an_error(make_table):
    from perfgoals.goals.models import Indicator
    from perfgoals.review.outcome import review_document

    table = make_table()
    indicator = table.indicators.get(level2__name="时效指标")
    # As the reading of the day before stored it: 2026 and the unit 年12月底前, kept verbatim.
    Indicator.objects.filter(pk=indicator.pk).update(value_kind=QUANTITATIVE, operator="", number=2026,
                                                     unit="年12月底前", text="", value_raw="2026年12月底前")
    indicator.refresh_from_db()

    assert indicator.value_display == "2026年12月底前"
    assert not [p for p in review_document(table).problems if p.code == "VALUE_UNIT_NOT_UNIT"]
