"""A framework's whole definition as JSON: export, check, import (and copy as a new version).

    spec = to_spec(framework)          # a dict, json.dumps-able
    problems = spec_errors(spec)       # Chinese messages; empty when consistent
    framework = from_spec(spec)        # writes it in one transaction (DefinitionError if inconsistent)

The same checks guard the admin (frameworks/admin.py): a column set without 三级指标, a
level-2 under no level-1, 分值 (weights) on a framework without a 权重 column, duplicate
names, an unknown column or header field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from perfgoals.frameworks.models import COLUMNS, HEADER_FIELDS, Column, Framework, Level1, Level2, PrintLayout

FORMAT, VERSION = "perfgoals-framework", 1

FRAMEWORK_FIELDS = ["code", "name", "kind", "value_layout", "prints_every_level2", "source", "horizons",
                    "long_term_label", "amount_unit"]
LAYOUT_FIELDS = ["code", "name", "template", "title_pattern", "unit_line", "orientation", "merge_categories"]


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def to_spec(framework: Framework) -> dict:
    layout = framework.layout
    return {
        "format": FORMAT,
        "version": VERSION,
        "framework": {
            **{f: getattr(framework, f) for f in FRAMEWORK_FIELDS},
            "money_sources": framework.sources(),
            "header_fields": framework.header_keys(),
        },
        "layout": None if layout is None else {
            **{f: getattr(layout, f) for f in LAYOUT_FIELDS}, "footer_lines": layout.footers(),
        },
        "columns": [{"key": c.key, "heading": c.heading, "width": c.width} for c in framework.columns.all()],
        "levels1": [{"name": l1.name, "weight": l1.weight} for l1 in framework.levels1.all()],
        "levels2": [
            {"level1": l1.name, "name": l2.name, "is_cost": l2.is_cost, "requirement": l2.requirement}
            for l1 in framework.levels1.all() for l2 in l1.levels2.all()
        ],
        # review.models.RuleSwitch, reached by its relation (the review app sits above this one)
        "rule_switches": [{"code": r.code, "enabled": r.enabled, "severity": r.severity}
                          for r in framework.rule_switches.order_by("code")],
    }


def duplicates(names: list[str]) -> list[str]:
    seen, repeated = set(), []
    for name in names:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated


def column_errors(keys: list[str], has_weights: bool) -> list[str]:
    """What is wrong with a column set (the admin's column inline checks this too)."""
    problems = []
    if keys and "name" not in keys:
        problems.append("指标列中没有“三级指标”（name），每个指标体系都要有三级指标列。")
    if unknown := [k for k in keys if k not in COLUMNS]:
        problems.append(f"未知的指标列：{'、'.join(unknown)}；可用的列：{'、'.join(COLUMNS)}。")
    if repeated := duplicates(keys):
        problems.append(f"指标列重复：{'、'.join(repeated)}。")
    if has_weights and "weight" not in keys:
        problems.append("设置了一级指标分值（权重），但指标列中没有“权重”列；请添加权重列或删去分值。")
    return problems


def spec_errors(spec) -> list[str]:
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        return [f"不是指标体系定义文件（应有 \"format\": \"{FORMAT}\"）。"]
    if spec.get("version") != VERSION:
        return [f"不支持的定义版本 {spec.get('version')!r}，应为 {VERSION}。"]
    problems = []
    fw = spec.get("framework") or {}
    if not fw.get("code") or not fw.get("name"):
        problems.append("指标体系缺少代码（code）或名称（name）。")
    levels1 = spec.get("levels1") or []
    l1_names = [str(l1.get("name", "")).strip() for l1 in levels1]
    if "" in l1_names:
        problems.append("有一级指标没有名称。")
    if repeated := duplicates(l1_names):
        problems.append(f"一级指标重复：{'、'.join(repeated)}。")
    pairs = []
    for l2 in spec.get("levels2") or []:
        parent, name = str(l2.get("level1", "")).strip(), str(l2.get("name", "")).strip()
        if not name:
            problems.append(f"一级指标“{parent}”下有二级指标没有名称。")
        if parent not in l1_names:
            problems.append(f"二级指标“{name}”不属于任何一级指标（“{parent}”不在一级指标中）。")
        pairs.append(f"{parent}/{name}")
        if l2.get("requirement", Level2.OPTIONAL) not in dict(Level2.REQUIREMENT_CHOICES):
            problems.append(f"二级指标“{name}”的填写要求“{l2.get('requirement')}”无效，应为 required、optional 或 may_be_na。")
    if repeated := duplicates(pairs):
        problems.append(f"二级指标重复：{'、'.join(repeated)}。")
    keys = [str(c.get("key", "")) for c in spec.get("columns") or []]
    problems += column_errors(keys, any(l1.get("weight") not in (None, "") for l1 in levels1))
    if unknown := [k for k in fw.get("header_fields") or [] if k not in HEADER_FIELDS]:
        problems.append(f"未知的表头项目：{'、'.join(unknown)}；可用：{'、'.join(HEADER_FIELDS)}。")
    layout = spec.get("layout")
    if layout is not None and not layout.get("code"):
        problems.append("打印版式缺少代码（code）。")
    return problems


@transaction.atomic
def from_spec(spec, *, code: str | None = None, name: str | None = None, previous: Framework | None = None) -> Framework:
    """Create the framework `spec` describes (under another `code`/`name` when given); nothing is
    written when it is inconsistent or its code is taken."""
    if problems := spec_errors(spec):
        raise DefinitionError(problems)
    fw = dict(spec["framework"])
    fw["code"], fw["name"] = code or fw["code"], name or fw["name"]
    if Framework.objects.filter(code=fw["code"]).exists():
        raise DefinitionError([f"代码为“{fw['code']}”的指标体系已存在；请换一个代码。"])
    layout = None
    if spec.get("layout"):
        data = dict(spec["layout"])
        footer = "\n".join(data.pop("footer_lines", []) or [])
        layout = PrintLayout.objects.filter(code=data["code"]).first()
        if layout is None:
            layout = PrintLayout(footer_lines=footer, **{f: data[f] for f in LAYOUT_FIELDS if f in data})
            layout.full_clean()
            layout.save()
    framework = Framework(
        **{f: fw[f] for f in FRAMEWORK_FIELDS if f in fw},
        money_sources="\n".join(fw.get("money_sources") or []),
        header_fields=",".join(fw.get("header_fields") or []),
        layout=layout,
        previous=previous,
        version=(previous.version + 1) if previous else 1,
        order=(Framework.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1,
    )
    framework.full_clean()
    framework.save()
    for i, column in enumerate(spec.get("columns") or []):
        Column.objects.create(framework=framework, key=column["key"], heading=column.get("heading", ""),
                              width=column.get("width", 10), order=i)
    levels1 = {}
    for i, l1 in enumerate(spec.get("levels1") or []):
        levels1[l1["name"]] = Level1.objects.create(framework=framework, name=l1["name"], weight=l1.get("weight"), order=i)
    for i, l2 in enumerate(spec.get("levels2") or []):
        Level2.objects.create(level1=levels1[l2["level1"]], name=l2["name"], order=i,
                              is_cost=bool(l2.get("is_cost")), requirement=l2.get("requirement", Level2.OPTIONAL))
    for item in spec.get("rule_switches") or []:
        switch = framework.rule_switches.model(framework=framework, code=item.get("code", ""),
                                               enabled=bool(item.get("enabled", True)), severity=item.get("severity") or "")
        try:
            switch.full_clean()
        except ValidationError as e:
            raise DefinitionError([f"审核规则开关“{item.get('code')}”无效：{'；'.join(e.messages)}"]) from None
        switch.save()
    return framework


def new_version(framework: Framework) -> Framework:
    """复制为新版本: the same definition under the next free code `<code>-v<N>`, pointing back to it."""
    version = framework.version + 1
    code = f"{framework.code.rsplit('-v', 1)[0]}-v{version}"
    while Framework.objects.filter(code=code).exists():
        version += 1
        code = f"{framework.code.rsplit('-v', 1)[0]}-v{version}"
    spec = to_spec(framework)
    if spec["layout"]:  # its own copy of the layout too: the old one stays as the approved tables print
        layout_code, n = f"{spec['layout']['code'].rsplit('-v', 1)[0]}-v{version}", version
        while PrintLayout.objects.filter(code=layout_code).exists():
            n += 1
            layout_code = f"{spec['layout']['code'].rsplit('-v', 1)[0]}-v{n}"
        spec["layout"].update(code=layout_code, name=f"{spec['layout']['name']}（第{version}版）")
    copy = from_spec(spec, code=code, name=f"{framework.name}（第{version}版）", previous=framework)
    copy.version = version
    copy.save(update_fields=["version"])
    return copy
