"""Store a parsed document: units, project tables, department plans.

One document is one transaction: a document that does not match a known layout, or
names a category no framework has, imports nothing and the error names the line.
Importing the same document again creates nothing new: a file already imported (the
templates name it as their source) is left alone whatever was changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from perfgoals.exchange.seedtext import (
    ParsedDocument, ParsedIndicator, ParsedPlan, ParsedTable, SeedFormatError, parse_document, region_from_code,
)
from perfgoals.frameworks.models import Framework, Level1, Level2
from perfgoals.goals import checks, values
from perfgoals.goals.models import (
    BasisCategory, DepartmentIndicator, DepartmentPlan, FundingLine, Goal, Indicator, PlanItem, ProjectTable,
)
from perfgoals.review.outcome import review_document
from perfgoals.units.models import Region, Unit


@dataclass
class ImportResult:
    path: str
    unit: Unit | None = None
    year: int | None = None
    tables_created: int = 0
    tables_existing: int = 0
    plans_created: int = 0
    plans_existing: int = 0
    errors: int = 0  # quality-review 错误 in what was created
    hints: int = 0
    created_tables: list[ProjectTable] = field(default_factory=list)

    def count_review(self, document) -> None:
        """Add the quality review's errors and hints of a created table or plan."""
        review = review_document(document)
        self.errors += review.errors
        self.hints += review.hints


class ImportFailed(Exception):
    def __init__(self, path: str, error: SeedFormatError | str):
        line = error.line if isinstance(error, SeedFormatError) else 1
        message = error.message if isinstance(error, SeedFormatError) else str(error)
        super().__init__(f"{path} 第 {line} 行：{message}（该文件未导入任何内容）")
        self.path, self.line, self.message = path, line, message


def generated_unit_code(name: str) -> str:
    """A stable code for a unit whose document prints none: U + six digits."""
    digest = int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16)
    return f"U{digest % 1_000_000:06d}"


def import_file(path: str | Path, *, year: int | None = None, unit_code: str = "", unit_name: str = "") -> ImportResult:
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(path, "文件不是 UTF-8 编码的文本。") from None
    try:
        doc = parse_document(text)
    except SeedFormatError as e:
        raise ImportFailed(path, e) from None
    doc.year = year or doc.year
    doc.unit_code = unit_code or doc.unit_code
    doc.unit_name = unit_name or doc.unit_name
    if not doc.year:
        raise ImportFailed(path, "无法从文本确定年度，请用 --year 指定。")
    if not doc.unit_name and not doc.unit_code:
        raise ImportFailed(path, "无法从文本确定预算单位，请用 --unit-name 指定。")
    if (done := _imported_before(path, doc.year)) is not None:
        return done
    try:
        with transaction.atomic():
            return _store(path, doc)
    except SeedFormatError as e:
        raise ImportFailed(path, e) from None


def _imported_before(path: str, year: int) -> ImportResult | None:
    """What this file left in the template library when it was imported before (its name as the
    templates' source, that year), or None. Such a file is left alone, before its categories are
    looked up: an administrator may since have renamed them, corrected or removed a template
    (bin/setup runs the import on every start, and must not stop there)."""
    source = Path(path).name
    tables = ProjectTable.objects.filter(is_template=True, source=source, year=year).select_related("unit")
    plans = DepartmentPlan.objects.filter(is_template=True, source=source, year=year).select_related("unit")
    first = tables.first() or plans.first()
    if first is None:
        return None
    return ImportResult(path, first.unit, year, tables_existing=tables.count(), plans_existing=plans.count())


def _store(path: str, doc: ParsedDocument) -> ImportResult:
    unit = _unit(doc)
    result = ImportResult(path, unit, doc.year)
    source = Path(path).name
    for parsed in doc.tables:
        _store_table(parsed, unit, doc.year, source, result)
    if doc.plan:
        _store_plan(doc.plan, unit, doc.year, source, result)
    return result


def _unit(doc: ParsedDocument) -> Unit:
    code = doc.unit_code or ""
    if not code:
        existing = Unit.objects.filter(name=doc.unit_name).first()
        if existing:
            return existing
        code = generated_unit_code(doc.unit_name)
    region = None
    region_code = next((r for t in doc.tables if (r := region_from_code(t.project_code))), "")
    if region_code:
        region, _ = Region.objects.get_or_create(code=region_code, defaults={"name": f"区划 {region_code}"})
    unit, created = Unit.objects.get_or_create(code=code, defaults={"name": doc.unit_name, "region": region})
    if not created and region and unit.region_id is None:
        unit.region = region
        unit.save(update_fields=["region"])
    return unit


def _frameworks(kind: str | None, layout: str) -> list[Framework]:
    qs = Framework.objects.prefetch_related("levels1__levels2")
    if kind:
        qs = qs.filter(kind=kind)
    return [f for f in qs if f.value_layout == layout] or list(qs)


def choose_framework(candidates: list[Framework], indicators: list[ParsedIndicator], need_level2: bool) -> Framework:
    """The first framework in which every indicator's level 1 (and level 2) is found."""
    for framework in candidates:
        if all(_resolve(framework, i, need_level2) for i in indicators):
            return framework
    bad = next(i for i in indicators if not _resolve(candidates[0], i, need_level2))
    raise SeedFormatError(
        bad.line,
        f"一级指标“{bad.level1}”/二级指标“{bad.level2}”不属于任何已有的指标体系；"
        "请先由管理员在后台添加相应指标体系。",
    )


def _resolve(framework: Framework, indicator: ParsedIndicator, need_level2: bool) -> tuple[Level1, Level2 | None] | None:
    level1 = values.find_level1(framework, indicator.level1)
    level2 = values.find_level2(framework, indicator.level2, level1)
    if level2 and not level1:
        level1 = level2.level1
    if level1 is None or (need_level2 and level2 is None):
        return None
    return level1, level2


def parsed_value(parsed: ParsedIndicator) -> values.Value:
    if parsed.split is not None:
        return values.parse_split(*parsed.split, name=parsed.name)
    return values.parse_value(parsed.value, name=parsed.name)


def _save_indicator(indicator, parsed: ParsedIndicator, parent: str) -> None:
    """Save a table's or a plan's indicator with its value, validated (`parent` is not saved yet to check)."""
    indicator.value = parsed_value(parsed)
    _validate(indicator, parsed.line, exclude=[parent])
    indicator.save()


def _store_table(parsed: ParsedTable, unit: Unit, year: int, source: str, result: ImportResult) -> None:
    key = {"project_code": parsed.project_code} if parsed.project_code else {"project_name": parsed.project_name}
    existing = ProjectTable.objects.filter(unit=unit, year=year, revision=1, is_template=True, **key).first()
    if existing:
        result.tables_existing += 1
        return
    if too_many := checks.rows_over_limit(len(parsed.goals) + len(parsed.indicators)):
        raise SeedFormatError(parsed.line, too_many)
    candidates = _frameworks(Framework.PROJECT, parsed.layout)
    framework = choose_framework(candidates, parsed.indicators, need_level2=True)
    table = ProjectTable(
        unit=unit, year=year, framework=framework, is_template=True, source=source,
        project_code=parsed.project_code, project_name=parsed.project_name,
        budget_total=parsed.budget_total, budget_fiscal=parsed.budget_fiscal, budget_other=parsed.budget_other,
        fund_use=parsed.fund_use, explanation=parsed.explanation, position=parsed.position,
    )
    table.spend_mar, table.spend_jun, table.spend_oct, table.spend_dec = parsed.spending_plan
    _validate(table, parsed.line)
    table.save()
    for order, text in enumerate(parsed.goals, start=1):
        goal = Goal(table=table, text=text, order=order)
        _validate(goal, parsed.line, exclude=["table"])
        goal.save()
    for order, item in enumerate(parsed.indicators, start=1):
        _, level2 = _resolve(framework, item, need_level2=True)
        indicator = Indicator(
            table=table, level2=level2, name=item.name, description=item.description, basis=item.basis,
            basis_category=BasisCategory.from_label(item.basis_category),
            prior_value_1=item.prior_values[0], prior_value_2=item.prior_values[1], order=order,
        )
        _save_indicator(indicator, item, "table")
    result.tables_created += 1
    result.created_tables.append(table)
    result.count_review(table)


def _store_plan(parsed: ParsedPlan, unit: Unit, year: int, source: str, result: ImportResult) -> None:
    if DepartmentPlan.objects.filter(unit=unit, year=year, revision=1, is_template=True).exists():
        result.plans_existing += 1
        return
    plan = create_plan(parsed, unit, year, source, plan_framework(parsed), is_template=True)
    result.plans_created += 1
    result.count_review(plan)


def plan_framework(parsed: ParsedPlan) -> Framework | None:
    """The framework of a plan's indicators (department frameworks first); SeedFormatError when none fits."""
    if not parsed.indicators:
        return None
    candidates = _frameworks(Framework.DEPARTMENT, parsed.indicator_layout)
    candidates += [f for f in _frameworks(None, parsed.indicator_layout) if f not in candidates]
    # One that names every level 1 as written (产出指标 in a project framework) before one that
    # only knows the level 2 (数量指标 under the Hubei department framework's 履职效能).
    for framework in candidates:
        if all(values.find_level1(framework, i.level1) for i in parsed.indicators):
            return framework
    return choose_framework(candidates, parsed.indicators, need_level2=False)


def plan_indicator_levels(framework: Framework | None, item: ParsedIndicator) -> tuple[Level1 | None, Level2 | None]:
    found = _resolve(framework, item, need_level2=False) if framework else None
    return found or (None, None)


def create_plan(parsed: ParsedPlan, unit: Unit, year: int, source: str, framework: Framework | None, *,
                is_template: bool, user=None) -> DepartmentPlan:
    """The department plan with its items, funding lines and indicators, each validated."""
    rows = len(parsed.sub_goals) + len(parsed.safeguards) + len(parsed.funding) + len(parsed.indicators)
    if too_many := checks.rows_over_limit(rows):
        raise SeedFormatError(parsed.line, too_many)
    plan = DepartmentPlan(
        unit=unit, year=year, framework=framework, is_template=is_template, source=source[:200],
        overall_goal=parsed.overall_goal, functions=parsed.functions, annual_tasks=parsed.annual_tasks,
        long_term_goal=parsed.long_term_goal, annual_goal=parsed.annual_goal,
        contact_person=parsed.contact_person, contact_phone=parsed.contact_phone,
    )
    _validate(plan, parsed.line)
    plan._history_user = user
    plan.save()
    for kind, texts in ((PlanItem.SUB_GOAL, parsed.sub_goals), (PlanItem.SAFEGUARD, parsed.safeguards)):
        for order, text in enumerate(texts, start=1):
            item = PlanItem(plan=plan, kind=kind, text=text, order=order)
            _validate(item, parsed.line, exclude=["plan"])
            item.save()
    for order, line in enumerate(parsed.funding, start=1):
        funding = FundingLine(
            plan=plan, kind=line.kind, name=line.name, amount=line.amount,
            prior_amount_1=line.prior_amounts[0], prior_amount_2=line.prior_amounts[1], order=order,
        )
        _validate(funding, parsed.line, exclude=["plan"])
        funding.save()
    for order, item in enumerate(parsed.indicators, start=1):
        level1, level2 = plan_indicator_levels(framework, item)
        indicator = DepartmentIndicator(
            plan=plan, horizon=item.table or DepartmentIndicator.ANNUAL, level1=level1, level2=level2,
            name=item.name, description=item.description, basis=item.basis,
            basis_category=BasisCategory.from_label(item.basis_category),
            prior_value_1=item.prior_values[0], prior_value_2=item.prior_values[1], order=order,
        )
        _save_indicator(indicator, item, "plan")
    return plan


def _validate(obj, line: int, exclude: list[str] | None = None) -> None:
    """Model validation (negative money, percentages outside 0–100, a text over its length limit)
    with the line it came from."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        messages = "；".join(f"{obj._meta.get_field(f).verbose_name}：{'，'.join(m)}" if f != "__all__" else "，".join(m)
                            for f, m in e.message_dict.items())
        raise SeedFormatError(line, messages) from None
