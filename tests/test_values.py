"""The indicator value: one parser, one printed form, nothing silently altered."""

from decimal import Decimal

import pytest

from perfgoals.exchange.seedtext import parse_document
from perfgoals.goals.values import (
    QUALITATIVE,
    QUANTITATIVE,
    UNIT_IS_NAME,
    UNIT_NOT_UNIT,
    format_value,
    parse_split,
    parse_value,
    split_cells,
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
