"""Import a clerk's document — a pasted table, .tsv/.txt, .xlsx, .docx — preview first, then store.

One path for `manage.py import_document` and the import page:

    doc = files.read_upload(name, data)            # or paste.parse_paste(text, html)
    preview = make_preview(doc, source=name, unit=…, year=…, framework=…)
    preview.as_text() / preview.as_dict()          # what will be created, with the review
    store(preview)                                 # one transaction; drafts of the unit

The preview holds everything that will be written: the unit, the year, the framework
chosen, money (万元), goals, every indicator with its category in the framework, its parsed
value, and the quality review's problems. The review runs on the tables as they would be
stored, inside a transaction that is rolled back, so the preview writes nothing.
A category name the framework does not have is listed with the framework's categories,
closest first, for the clerk to pick (`choices`); the department part of a document
becomes the unit's plan (`PlanPreview`).

Longer than 400 lines: the preview (tables, plan, the clerk's category picks), its text
and JSON forms and the store that writes exactly what it shows are one path; apart, each
would have to repeat the others' decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from simple_history.utils import bulk_create_with_history

from perfgoals.exchange import categories
from perfgoals.exchange import importer
from perfgoals.exchange.paste import column_values
from perfgoals.exchange.importer import _validate, generated_unit_code
from perfgoals.exchange.seedtext import ParsedDocument, ParsedIndicator, ParsedPlan, ParsedTable, SeedFormatError
from perfgoals.frameworks.models import Framework, Level1, Level2
from perfgoals.goals import checks, values
from perfgoals.goals.models import BasisCategory, DepartmentPlan, Goal, Indicator, ProjectTable
from perfgoals.review.outcome import review_document
from perfgoals.review.rules import INDICATOR
from perfgoals.review.rules.common import prepare_all
from perfgoals.units.models import Unit

MAX_TABLES = 300  # project tables one import may create: a department's projects, with room


class ImportRefused(Exception):
    """Nothing was written; the message (Chinese) names the file and, where it applies, the row."""


@dataclass
class IndicatorPreview:
    parsed: ParsedIndicator
    value: values.Value
    level2: Level2 | None = None
    category_problem: str = ""
    suggestions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the review's, as 错误/提示：message
    level1: Level1 | None = None  # a department indicator's, which may have no level 2
    picked: bool = False  # the category is the clerk's pick, not matched by name
    options: list[Level2] = field(default_factory=list)  # unmatched: the framework's categories, closest first


def written_name(item: ParsedIndicator) -> str:
    """The category as the table writes it: 一级 / 二级."""
    return f"{item.level1} / {item.level2}"


@dataclass
class Unmatched:
    """A category name the framework does not have, in one table: the clerk picks one of `options`."""

    key: str  # n|一级 / 二级
    table: int
    written: str
    lines: list[int]
    suggestions: list[str]
    options: list[Level2]


@dataclass
class PlanPreview:
    """The department part (部门整体绩效目标) of a document."""

    parsed: ParsedPlan
    framework: Framework | None
    indicators: list[IndicatorPreview]
    problems: list[str] = field(default_factory=list)
    existing: DepartmentPlan | None = None  # the unit already has its plan for the year: not imported


@dataclass
class TablePreview:
    parsed: ParsedTable
    framework: Framework
    indicators: list[IndicatorPreview]
    budget: tuple[Decimal | None, Decimal | None, Decimal | None]
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the review's, about the table as a whole
    existing: ProjectTable | None = None  # already there: not imported again


@dataclass
class Preview:
    source: str
    unit: Unit | None
    unit_code: str
    unit_name: str
    year: int | None
    tables: list[TablePreview] = field(default_factory=list)
    plan: PlanPreview | None = None
    errors: list[str] = field(default_factory=list)  # what prevents the import
    notes: list[str] = field(default_factory=list)  # what the document holds that is not imported

    @property
    def unit_is_new(self) -> bool:
        return self.unit is None

    @property
    def unmatched(self) -> list[Unmatched]:
        """Each table's category names that need the clerk's pick, in order, once each."""
        found: dict[str, Unmatched] = {}
        for n, table in enumerate(self.tables, start=1):
            for i in table.indicators:
                if i.category_problem and i.options:
                    written = written_name(i.parsed)
                    key = f"{n}|{written}"
                    if key in found:
                        found[key].lines.append(i.parsed.line)
                    else:
                        found[key] = Unmatched(key, n, written, [i.parsed.line], i.suggestions, i.options)
        return list(found.values())

    @property
    def new_tables(self) -> list[TablePreview]:
        """The tables the confirmation creates: not those imported before."""
        return [t for t in self.tables if t.existing is None]

    @property
    def new_plan(self) -> bool:
        return self.plan is not None and self.plan.existing is None

    @property
    def skipped_tables(self) -> int:
        return len(self.tables) - len(self.new_tables)

    @property
    def indicator_count(self) -> int:
        """The indicators the confirmation creates."""
        return sum(len(t.indicators) for t in self.new_tables) + (len(self.plan.indicators) if self.new_plan else 0)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "unit": {"code": self.unit.code if self.unit else self.unit_code,
                     "name": self.unit.name if self.unit else self.unit_name, "new": self.unit_is_new},
            "year": self.year,
            "errors": self.errors,
            "notes": self.notes,
            "tables": [
                {
                    "project_name": t.parsed.project_name,
                    "framework": t.framework.code,
                    "already_imported": t.existing is not None,
                    "budget_total": _money(t.budget[0]), "budget_fiscal": _money(t.budget[1]),
                    "budget_other": _money(t.budget[2]),
                    "goals": t.parsed.goals,
                    "notes": t.notes,
                    "problems": t.problems,
                    "indicators": [
                        {
                            "line": i.parsed.line,
                            "level1": i.level2.level1.name if i.level2 else i.parsed.level1,
                            "level2": i.level2.name if i.level2 else i.parsed.level2,
                            "written_as": [i.parsed.level1, i.parsed.level2],
                            "name": i.parsed.name,
                            "value": values.format_value(i.value),
                            "kind": i.value.kind or None,
                            "operator": i.value.operator,
                            "number": values.format_number(i.value.number) if i.value.number is not None else None,
                            "unit": i.value.unit,
                            "text": i.value.text,
                            "basis": i.parsed.basis,
                            "basis_category": i.parsed.basis_category,
                            "category_problem": i.category_problem,
                            "suggestions": i.suggestions,
                            "choices": [f"{o.level1.name}/{o.name}" for o in i.options],
                            "picked": i.picked,
                            "problems": i.problems,
                        }
                        for i in t.indicators
                    ],
                }
                for t in self.tables
            ],
            "plan": self._plan_dict(),
        }

    def _plan_dict(self) -> dict | None:
        plan = self.plan
        if plan is None:
            return None
        parsed = plan.parsed
        return {
            "framework": plan.framework.code if plan.framework else None,
            "already_imported": plan.existing is not None,
            "overall_goal": parsed.overall_goal, "sub_goals": parsed.sub_goals, "safeguards": parsed.safeguards,
            "functions": parsed.functions, "annual_tasks": parsed.annual_tasks,
            "long_term_goal": parsed.long_term_goal, "annual_goal": parsed.annual_goal,
            "funding": [{"kind": f.kind, "name": f.name, "amount": _money(f.amount)} for f in parsed.funding],
            "problems": plan.problems,
            "indicators": [
                {"line": i.parsed.line, "horizon": i.parsed.table or "annual",
                 "level1": i.level1.name if i.level1 else i.parsed.level1,
                 "level2": i.level2.name if i.level2 else i.parsed.level2,
                 "name": i.parsed.name, "value": values.format_value(i.value), "problems": i.problems}
                for i in plan.indicators
            ],
        }

    def _plan_text(self) -> list[str]:
        plan = self.plan
        parsed = plan.parsed
        state = "（本单位该年度已有，跳过）" if plan.existing else ""
        lines = ["", f"部门整体绩效目标{state}"]
        if plan.framework:
            lines.append(f"  指标体系：{plan.framework.code} {plan.framework.name}")
        if parsed.overall_goal:
            lines.append(f"  总体绩效目标：{parsed.overall_goal.splitlines()[0]}")
        lines += [f"  分项绩效目标 {n}. {text.splitlines()[0]}" for n, text in enumerate(parsed.sub_goals, start=1)]
        lines += [f"  工作保障措施 {n}. {text.splitlines()[0]}" for n, text in enumerate(parsed.safeguards, start=1)]
        lines += [f"  资金：{f.name} {values.format_wan(f.amount)}" for f in parsed.funding]
        lines += [f"  审核：{p}" for p in plan.problems]
        for i in plan.indicators:
            level1 = i.level1.name if i.level1 else i.parsed.level1
            horizon = "长期" if i.parsed.table == "long_term" else "年度"
            lines.append(f"  第 {i.parsed.line} 行  {horizon} {level1} / {i.parsed.name}：{values.format_value(i.value) or '（空）'}")
            lines += [f"      审核：{p}" for p in i.problems]
        return lines

    def as_text(self) -> str:
        unit = f"{self.unit.code} {self.unit.name}" if self.unit else f"{self.unit_code or '（自动编码）'} {self.unit_name}（新单位）"
        lines = [f"文件：{self.source}", f"预算单位：{unit}", f"年度：{self.year or '（未确定）'}"]
        lines += [f"说明：{note}" for note in self.notes]
        for n, t in enumerate(self.tables, start=1):
            state = "（已导入过，跳过）" if t.existing else ""
            lines += [
                "",
                f"项目表 {n}：{t.parsed.project_name}{state}",
                f"  指标体系：{t.framework.code} {t.framework.name}",
                f"  预算数 {values.format_wan(t.budget[0])}，其中财政资金 {values.format_wan(t.budget[1])}，"
                f"其他资金 {values.format_wan(t.budget[2])}",
            ]
            lines += [f"  绩效目标 {g}. {text}" for g, text in enumerate(t.parsed.goals, start=1)]
            lines += [f"  说明：{note}" for note in t.notes]
            lines += [f"  审核：{p}" for p in t.problems]
            for i in t.indicators:
                where = f"{i.level2.level1.name} / {i.level2.name}" if i.level2 else f"{i.parsed.level1} / {i.parsed.level2}"
                lines.append(f"  第 {i.parsed.line} 行  {where} / {i.parsed.name}：{values.format_value(i.value) or '（空）'}")
                if i.category_problem:
                    lines.append(f"      无法归类：{i.category_problem}；最接近的是：{'、'.join(i.suggestions)}")
                    if i.options:
                        lines.append("      可选类别（--category “表中写法=一级/二级”）："
                                     + "、".join(f"{o.level1.name}/{o.name}" for o in i.options[:6]))
                elif i.picked:
                    lines.append(f"      类别按所选：{i.parsed.level2} → {i.level2.level1.name} / {i.level2.name}")
                lines += [f"      审核：{p}" for p in i.problems]
        if self.plan:
            lines += self._plan_text()
        if self.errors:
            lines += ["", "不能导入："] + [f"  {e}" for e in self.errors]
        return "\n".join(lines)


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else values.format_money(amount)


def _rounded(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(values.FEN)  # to the 分, as stored


def project_frameworks() -> list[Framework]:
    return list(Framework.objects.filter(kind=Framework.PROJECT).prefetch_related("levels1__levels2"))


def find_unit(code: str, name: str) -> Unit | None:
    if code and (unit := Unit.objects.filter(code=code).first()):
        return unit
    return Unit.objects.filter(name=name).first() if name else None


def make_preview(doc: ParsedDocument, *, source: str, unit: Unit | None = None, year: int | None = None,
                 framework: Framework | None = None, review: bool = True,
                 choices: dict[str, int | str] | None = None) -> Preview:
    """What importing `doc` would create; `errors` says what prevents it.

    `choices` are the clerk's picks for category names the framework does not have: the
    written name (一级 / 二级, or the 二级 alone; `n|…` for the n-th table only) → the
    framework's level-2 category, by id or by name. A pick outside the table's framework
    is refused like an unmatched name."""
    unit = unit or find_unit(doc.unit_code, doc.unit_name)
    picks = {values.normalize_label(k): v for k, v in (choices or {}).items()}
    preview = Preview(source, unit, doc.unit_code, doc.unit_name, year or doc.year, notes=list(doc.notes))
    if not preview.year:
        preview.errors.append(f"{source}：无法从表中确定年度，请指定年度。")
    if unit is None and not doc.unit_name and not doc.unit_code:
        preview.errors.append(f"{source}：无法从表中确定预算单位，请指定单位。")
    if len(doc.tables) > MAX_TABLES:  # before the review of each: the page would wait for minutes
        preview.errors.append(f"{source}：有 {len(doc.tables)} 张项目表，一次最多导入 {MAX_TABLES} 张，请拆分后分别导入。")
        return preview
    candidates = [framework] if framework else project_frameworks()
    matcher = categories.Matcher()  # a flat list repeats the same categories in every table
    for parsed in doc.tables:
        rows = [(i.level1, i.level2, getattr(i, "level1_written", True)) for i in parsed.indicators]
        chosen = categories.choose_framework(candidates, rows, matcher)
        table = TablePreview(parsed, chosen, [], tuple(_rounded(a) for a in
                             (parsed.budget_total, parsed.budget_fiscal, parsed.budget_other)))
        table.notes = list(getattr(parsed, "notes", []))
        for amount, kept in zip((parsed.budget_total, parsed.budget_fiscal, parsed.budget_other), table.budget):
            if amount is not None and amount != kept:
                table.notes.append(f"金额 {values.format_number(amount)}万元 按分记为 {values.format_money(kept)}万元。")
        if weights := [w for w in getattr(parsed, "weights", []) if w]:
            total = sum((values.parse_number(w) or 0 for w in weights), Decimal(0))
            kept = chosen is not None and any(c.key == "weight" for c in chosen.columns.all())
            table.notes.append(f"表中权重合计 {values.format_number(total)}。" if kept else
                               f"权重未导入（指标体系“{chosen.name if chosen else ''}”没有权重列）；表中权重合计 {values.format_number(total)}。")
        if not parsed.project_name:
            preview.errors.append(f"{source} 第 {parsed.line} 行：没有找到项目名称。")
        for item in parsed.indicators:
            m = matcher(chosen, item.level1, item.level2, getattr(item, "level1_written", True))
            written = written_name(item)
            picked = None
            if m.problem:
                wanted = next((w for k in (f"{len(preview.tables) + 1}|{written}", written, item.level2)
                               if (w := picks.get(values.normalize_label(k))) not in (None, "")), None)
                if wanted is not None and (picked := categories.pick(chosen, wanted)) is None:
                    m.problem += f"（所选的类别“{wanted}”不在指标体系“{chosen.name}”中）"
            value = (values.parse_split(*item.split, name=item.name) if item.split is not None
                     else values.parse_value(item.value, name=item.name))
            indicator = IndicatorPreview(item, value, m.level2, m.problem, m.suggestions)
            if picked is not None:
                indicator.level2, indicator.picked, indicator.category_problem = picked, True, ""
            elif m.problem:
                indicator.options = categories.ranked(chosen, item.level1, item.level2)
                preview.errors.append(
                    f"{source} 第 {item.line} 行：{m.problem}；最接近的是：{'、'.join(m.suggestions)}。"
                    f"请在预览中选择类别，改正表中的名称，或选择另一个指标体系。"
                )
            table.indicators.append(indicator)
        preview.tables.append(table)
    if unit is not None and preview.year:
        names = [t.parsed.project_name for t in preview.tables]
        existing = ProjectTable.objects.filter(unit=unit, year=preview.year, project_name__in=names, is_template=False)
        by_name = {}
        for stored in existing.order_by("-pk"):
            by_name[stored.project_name] = stored  # the first made, as .first() gave
        for table in preview.tables:
            table.existing = by_name.get(table.parsed.project_name)
    if doc.plan:
        preview.plan = _plan_preview(doc.plan, preview, source)
    if not preview.tables and not preview.plan:
        preview.errors.append(f"{source}：没有找到项目绩效目标表或部门整体绩效目标。")
    if review and not preview.errors:
        _review(preview)
    return preview


def _plan_preview(parsed: ParsedPlan, preview: Preview, source: str) -> PlanPreview:
    try:
        framework = importer.plan_framework(parsed)
    except SeedFormatError as e:
        preview.errors.append(f"{source} 第 {e.line} 段：{e.message}")
        framework = None
    indicators = []
    for item in parsed.indicators:
        level1, level2 = importer.plan_indicator_levels(framework, item)
        indicators.append(IndicatorPreview(item, importer.parsed_value(item), level2, level1=level1))
    plan = PlanPreview(parsed, framework, indicators)
    if preview.unit is not None and preview.year:
        plan.existing = DepartmentPlan.objects.filter(unit=preview.unit, year=preview.year, is_template=False).first()
    return plan


class _Rollback(Exception):
    pass


def _review(preview: Preview) -> None:
    """The review's problems of each table as it would be stored; nothing stays written."""
    try:
        with transaction.atomic():
            created = _store(preview)
            plan = created.pop() if preview.plan and not preview.plan.existing else None
            prepare_all(created)  # every table's rows in a few queries
            if plan is not None:
                _review_into(plan, preview.plan.indicators, preview.plan.problems)
            for table, stored in zip([t for t in preview.tables if not t.existing], created):
                _review_into(stored, table.indicators, table.problems)
            raise _Rollback
    except _Rollback:
        pass
    except ImportRefused as e:
        preview.errors.append(str(e))


def _review_into(stored, items: list[IndicatorPreview], problems: list[str]) -> None:
    rows = sorted(stored.indicators.all(), key=lambda indicator: (indicator.order, indicator.pk))  # prefetched
    by_pk = dict(zip((indicator.pk for indicator in rows), items))
    for problem in review_document(stored).problems:
        text = f"{problem.severity_label}：{problem.message}"
        if problem.target == INDICATOR and problem.object_id in by_pk:
            by_pk[problem.object_id].problems.append(text)
        else:
            problems.append(text)


def store(preview: Preview, user=None) -> list[ProjectTable | DepartmentPlan]:
    """Create the previewed tables (and the department plan, last) as drafts of the unit, in one
    transaction; ImportRefused if it cannot."""
    if preview.errors:
        raise ImportRefused("；".join(preview.errors) + "（未导入任何内容）")
    with transaction.atomic():
        return _store(preview, user)


def _store(preview: Preview, user=None) -> list[ProjectTable | DepartmentPlan]:
    unit = preview.unit
    if unit is None:
        code = preview.unit_code or generated_unit_code(preview.unit_name)
        unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": preview.unit_name})
    position = ProjectTable.objects.filter(unit=unit, year=preview.year, is_template=False).count()
    created, goals, indicators = [], [], []
    for table in preview.tables:
        if table.existing:
            continue
        position += 1
        try:
            created.append(_store_table(table, unit, preview.year, preview.source, position, user, goals, indicators))
        except SeedFormatError as e:
            raise ImportRefused(f"{preview.source} 第 {e.line} 行：{e.message}（未导入任何内容）") from None
    bulk_create_with_history(goals, Goal, default_user=user)  # every table's rows at once
    bulk_create_with_history(indicators, Indicator, default_user=user)
    if preview.plan and not preview.plan.existing:
        plan = preview.plan
        try:
            created.append(importer.create_plan(plan.parsed, unit, preview.year, preview.source, plan.framework,
                                                is_template=False, user=user))
        except SeedFormatError as e:
            raise ImportRefused(f"{preview.source} 第 {e.line} 段：{e.message}（未导入任何内容）") from None
    return created


# Foreign keys to rows this import has just found or made: validating each costs a query.
_KNOWN_TO_EXIST = ["unit", "framework"]


def _store_table(table: TablePreview, unit: Unit, year: int, source: str, position: int, user,
                 goals: list[Goal], indicators: list[Indicator]) -> ProjectTable:
    """Save the table; its goals and indicators are added to the lists, for _store to create."""
    parsed = table.parsed
    if too_many := checks.rows_over_limit(len(parsed.goals) + len(table.indicators)):
        raise SeedFormatError(parsed.line, too_many)
    stored = ProjectTable(
        unit=unit, year=year, framework=table.framework, source=source[:200], position=position,
        project_code=parsed.project_code, project_name=parsed.project_name[:200],
        budget_total=table.budget[0], budget_fiscal=table.budget[1], budget_other=table.budget[2],
        fund_use=parsed.fund_use, explanation=parsed.explanation,
    )
    stored.spend_mar, stored.spend_jun, stored.spend_oct, stored.spend_dec = parsed.spending_plan
    _validate(stored, parsed.line, exclude=_KNOWN_TO_EXIST)
    stored._history_user = user
    stored.save()
    new_goals = [Goal(table=stored, text=text, order=n) for n, text in enumerate(parsed.goals, start=1)]
    for goal in new_goals:
        _validate(goal, parsed.line, exclude=["table"])
    goals += new_goals
    for order, item in enumerate(table.indicators, start=1):
        indicator = Indicator(
            table=stored, level2=item.level2, name=item.parsed.name[:200], description=item.parsed.description,
            basis=item.parsed.basis, basis_category=BasisCategory.from_label(item.parsed.basis_category), order=order,
        )
        indicator.value = item.value
        for key, value in column_values(item.parsed, table.framework).items():
            key = "direction" if key == "value_direction" else key
            setattr(indicator, key, values.parse_number(value) if key == "weight" else value)
        _validate(indicator, item.parsed.line, exclude=["table", "level2"])
        indicators.append(indicator)
    return stored
