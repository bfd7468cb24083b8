"""Read the exchange format back (manage.py import_goals FILE.json): tables and plans from another installation.

The file is what `export_goals` writes (jsonexport.py, README "Exchange format"). Everything
is checked before anything is kept: the format and version, each unit, framework and
category named, every amount and value; a problem raises ExchangeRefused with a Chinese
message naming the table or plan (and the indicator), and the one transaction around the
import writes nothing. A table or plan that is already there (same unit, year, project
code or name, revision and template flag) is skipped, so importing a file twice adds nothing.

An indicator's value is rebuilt from its parts (kind, operator, number, unit, text); where
the printed `value` differs from what the parts print (`±3%以内`, `≥80数量`), it is kept
verbatim as the original was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db import transaction

from perfgoals.exchange.importer import _validate
from perfgoals.exchange.jsonexport import FORMAT_VERSION
from perfgoals.exchange.seedtext import SeedFormatError
from perfgoals.frameworks.models import Framework
from perfgoals.goals import values
from perfgoals.goals.models import (
    TABLE_HEADER_FIELDS, Direction,
    BasisCategory, DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, PlanItem, ProjectTable, Status,
)
from perfgoals.units.models import Unit


class ExchangeRefused(Exception):
    """Nothing was imported; the message (Chinese) says what and where."""


@dataclass
class Result:
    tables_created: int = 0
    tables_existing: int = 0
    plans_created: int = 0
    plans_existing: int = 0


def load(text: str | bytes, source: str = "文件") -> dict:
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f"（第 {e.lineno} 行第 {e.colno} 列）" if isinstance(e, json.JSONDecodeError) else ""
        raise ExchangeRefused(f"{source}不是有效的 JSON{where}，未导入任何内容。") from None
    if not isinstance(data, dict) or data.get("format") != "perfgoals":
        raise ExchangeRefused(f"{source}不是 perfgoals 交换格式（缺少 \"format\": \"perfgoals\"），未导入任何内容。")
    if data.get("version") != FORMAT_VERSION:
        raise ExchangeRefused(f"{source}的交换格式版本为 {data.get('version')!r}，本系统只能读取版本 {FORMAT_VERSION}，未导入任何内容。")
    for key in ("tables", "plans"):
        if not isinstance(data.get(key, []), list):
            raise ExchangeRefused(f"{source}中的“{key}”应为列表，未导入任何内容。")
    return data


def import_data(data: dict) -> Result:
    """Create every table and plan of an exchange document, in one transaction."""
    result = Result()
    frameworks = {f.code: f for f in Framework.objects.prefetch_related("levels1__levels2")}
    with transaction.atomic():
        for n, item in enumerate(data.get("tables", []), start=1):
            where = f"第 {n} 张项目表“{_text(item, 'project_name') if isinstance(item, dict) else ''}”"
            created = _guard(where, lambda: _table(item, frameworks))
            result.tables_created += created
            result.tables_existing += not created
        for n, item in enumerate(data.get("plans", []), start=1):
            where = f"第 {n} 个部门整体绩效目标（{_text(item, 'unit_name') if isinstance(item, dict) else ''}）"
            created = _guard(where, lambda: _plan(item, frameworks))
            result.plans_created += created
            result.plans_existing += not created
    return result


def _guard(where: str, work) -> bool:
    try:
        return work()
    except ExchangeRefused as e:
        raise ExchangeRefused(f"{where}：{e}（未导入任何内容）") from None
    except SeedFormatError as e:  # model validation (negative money, a percentage above 100)
        raise ExchangeRefused(f"{where}：{e.message}（未导入任何内容）") from None
    except (TypeError, AttributeError, KeyError, ValueError):
        raise ExchangeRefused(f"{where}：内容不符合交换格式（见 README 的交换格式说明）（未导入任何内容）") from None


def _text(item: dict, key: str) -> str:
    value = item.get(key) or ""
    if not isinstance(value, str):
        raise ExchangeRefused(f"“{key}”应为文字")
    return value


def _decimal(value, key: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ExchangeRefused(f"“{key}”的值 {value!r} 不是数字") from None


def _money(value, key: str) -> Decimal | None:
    """An amount in 万元 as exported ("12.345678"; older files "12.35"), exactly, to the 分."""
    amount = _decimal(value, key)
    if amount is not None and (not amount.is_finite() or amount != amount.quantize(values.FEN)):
        raise ExchangeRefused(f"“{key}”的金额 {value!r} 精确到分以下（以万元计最多六位小数）")
    return amount


def _source_amounts(item: dict) -> dict[str, str]:
    """各来源金额 as written (each checked as an amount)."""
    amounts = {str(k): str(v) for k, v in (item.get("source_amounts") or {}).items()}
    for value in amounts.values():
        _money(value, "source_amounts")
    return amounts


def _unit(item: dict) -> Unit:
    code, name = _text(item, "unit_code"), _text(item, "unit_name")
    if not code:
        raise ExchangeRefused("缺少单位编码（unit_code）")
    unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name or code})
    return unit


def _framework(item: dict, frameworks: dict, required: bool = True) -> Framework | None:
    code = item.get("framework")
    if not code and not required:
        return None
    if code not in frameworks:
        raise ExchangeRefused(f"指标体系“{code}”在本系统中不存在（已有：{'、'.join(frameworks)}），请管理员先添加该指标体系")
    return frameworks[code]


def _document(item: dict) -> dict:
    status = item.get("status") or Status.DRAFT
    if status not in Status.values:
        raise ExchangeRefused(f"状态“{status}”无效（应为 {'、'.join(Status.values)}）")
    year = item.get("year")
    if not isinstance(year, int):
        raise ExchangeRefused(f"年度 {year!r} 无效")
    return {"year": year, "is_template": bool(item.get("is_template")), "status": status,
            "revision": int(item.get("revision") or 1), "source": "交换格式导入"}


def _value(item: dict, name: str) -> values.Value:
    printed = _text(item, "value")
    kind = item.get("kind") or ""
    if kind == values.QUANTITATIVE:
        number = _decimal(item.get("number"), "number")
        if number is None:
            raise ExchangeRefused(f"指标“{name}”是定量指标，但没有数值（number）")
        value = values.quantitative(_text(item, "operator"), number, _text(item, "unit"), name=name, raw=printed)
    elif kind == values.QUALITATIVE:
        value = values.Value(values.QUALITATIVE, _text(item, "operator"), None, "", _text(item, "text"))
    elif kind:
        raise ExchangeRefused(f"指标“{name}”的 kind “{kind}”无效（应为 quantitative 或 qualitative）")
    else:
        value = values.Value()
    return value if values.format_value(value) == printed else replace(value, raw=printed)


def _categories(framework: Framework | None, item: dict, name: str, need_level2: bool):
    label1, label2 = item.get("level1") or "", item.get("level2") or ""
    if framework is None:
        if label1 or label2:
            raise ExchangeRefused(f"指标“{name}”有一级/二级指标，但没有指标体系（framework）")
        return None, None
    level1 = values.find_level1(framework, label1)
    level2 = values.find_level2(framework, label2, level1) if label2 else None
    if (label1 and level1 is None) or (label2 and level2 is None) or (need_level2 and level2 is None):
        raise ExchangeRefused(f"指标“{name}”的分类“{label1} / {label2}”在指标体系“{framework.name}”中不存在")
    return level1, level2


def _indicator_fields(item: dict, line: int) -> dict:
    name = _text(item, "name")
    if not name:
        raise ExchangeRefused(f"第 {line} 项指标没有名称（name）")
    prior = item.get("prior_values") or ["", ""]
    return {
        "name": name, "description": _text(item, "description"), "basis": _text(item, "basis"),
        "basis_category": BasisCategory.from_label(_text(item, "basis_category")),
        "prior_value_1": prior[0] or "", "prior_value_2": prior[1] or "", "order": line,
        "scoring": _text(item, "scoring"), "remark": _text(item, "remark"),
        "direction": _text(item, "direction") if _text(item, "direction") in Direction.values else "",
        "weight": _decimal(item.get("weight"), "weight"),
    }


def _table(item: dict, frameworks: dict) -> bool:
    unit, framework, document = _unit(item), _framework(item, frameworks), _document(item)
    code, name = _text(item, "project_code"), _text(item, "project_name")
    key = {"project_code": code} if code else {"project_name": name}
    if ProjectTable.objects.filter(unit=unit, year=document["year"], revision=document["revision"],
                                   is_template=document["is_template"], **key).exists():
        return False
    plan = [_decimal(p, "spending_plan") for p in item.get("spending_plan") or [None] * 4]
    if len(plan) != 4:
        raise ExchangeRefused("资金支出计划（spending_plan）应有 4 项")
    table = ProjectTable(
        unit=unit, framework=framework, **document, project_code=code, project_name=name,
        budget_total=_money(item.get("budget_total"), "budget_total"),
        budget_fiscal=_money(item.get("budget_fiscal"), "budget_fiscal"),
        budget_other=_money(item.get("budget_other"), "budget_other"),
        fund_use=_text(item, "fund_use"), explanation=_text(item, "explanation"), position=int(item.get("position") or 0),
        long_term_goal=_text(item, "long_term_goal"),
        source_amounts=_source_amounts(item),
        **{key: str((item.get("header") or {}).get(key) or "") for key in TABLE_HEADER_FIELDS},
    )
    table.spend_mar, table.spend_jun, table.spend_oct, table.spend_dec = plan
    _validate(table, 0)
    table.save()
    for order, text in enumerate(item.get("goals") or [], start=1):
        Goal.objects.create(table=table, text=str(text), order=order)
    for line, row in enumerate(item.get("indicators") or [], start=1):
        fields = _indicator_fields(row, line)
        _, level2 = _categories(framework, row, fields["name"], need_level2=True)
        horizon = _text(row, "horizon") if _text(row, "horizon") in (Indicator.LONG_TERM, Indicator.ANNUAL) else Indicator.ANNUAL
        indicator = Indicator(table=table, level2=level2, horizon=horizon, **fields)
        indicator.value = _value(row, fields["name"])
        _validate(indicator, line, exclude=["table"])
        indicator.save()
    return True


def _plan(item: dict, frameworks: dict) -> bool:
    unit, framework, document = _unit(item), _framework(item, frameworks, required=False), _document(item)
    if DepartmentPlan.objects.filter(unit=unit, year=document["year"], revision=document["revision"],
                                     is_template=document["is_template"]).exists():
        return False
    plan = DepartmentPlan(
        unit=unit, framework=framework, **document,
        **{key: _text(item, key) for key in ("overall_goal", "functions", "annual_tasks", "long_term_goal",
                                             "annual_goal", "contact_person", "contact_phone")},
    )
    _validate(plan, 0)
    plan.save()
    for kind, key in ((PlanItem.SUB_GOAL, "sub_goals"), (PlanItem.SAFEGUARD, "safeguards")):
        for order, text in enumerate(item.get(key) or [], start=1):
            PlanItem.objects.create(plan=plan, kind=kind, text=str(text), order=order)
    for order, line in enumerate(item.get("funding") or [], start=1):
        if line.get("kind") not in (FundingLine.INCOME, FundingLine.EXPENSE):
            raise ExchangeRefused(f"资金情况第 {order} 行的 kind “{line.get('kind')}”无效（应为 income 或 expense）")
        prior = line.get("prior_amounts") or [None, None]
        FundingLine.objects.create(
            plan=plan, kind=line["kind"], name=_text(line, "name"), order=order,
            amount=_money(line.get("amount"), "amount"),
            prior_amount_1=_money(prior[0], "prior_amounts"), prior_amount_2=_money(prior[1], "prior_amounts"),
        )
    for line, row in enumerate(item.get("indicators") or [], start=1):
        fields = _indicator_fields(row, line)
        level1, level2 = _categories(framework, row, fields["name"], need_level2=False)
        horizon = row.get("table") or DepartmentIndicator.ANNUAL
        if horizon not in (DepartmentIndicator.LONG_TERM, DepartmentIndicator.ANNUAL):
            raise ExchangeRefused(f"指标“{fields['name']}”的 table “{horizon}”无效（应为 long_term 或 annual）")
        indicator = DepartmentIndicator(plan=plan, horizon=horizon, level1=level1 or (level2.level1 if level2 else None),
                                        level2=level2, **fields)
        indicator.value = _value(row, fields["name"])
        _validate(indicator, line, exclude=["plan"])
        indicator.save()
    return True
