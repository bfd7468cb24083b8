"""The four shipped frameworks described as data: their columns, print layouts, horizons,
money blocks and header fields, exactly as they printed before (the Hebei, Chengde and Hubei
templates are kept; tests/reference/*.png did not change).

mof-2021 becomes the 财预〔2021〕101号 table: 成本指标 first (经济成本 / 社会成本 / 生态环境成本,
the last two may be 不涉及), each indicator with 指标性质, 指标值, 度量单位, 指标解释,
评（扣）分标准 and 取值依据, printed by the generic layout.
"""

from django.db import migrations

LAYOUTS = {
    "hebei": dict(name="河北项目绩效目标表", template="hebei", title_pattern="{project_name}绩效目标表",
                  unit_line="单位：{amount_unit}"),
    "chengde": dict(name="承德预算项目绩效表（指标值三栏）", template="split", title_pattern="{project_name}绩效目标表",
                    unit_line="单位：{amount_unit}"),
    "hubei-department": dict(name="湖北部门整体绩效目标表", template="hubei-department", orientation="landscape",
                             title_pattern="{unit}{year}年部门整体绩效目标", unit_line="单位：{amount_unit}",
                             footer_lines=""),
    "mof-2021": dict(name="财预〔2021〕101号项目支出绩效目标表", template="generic",
                     title_pattern="{project_name}绩效目标表", unit_line="金额单位：{amount_unit}"),
}

FRAMEWORKS = {
    "hebei-project": dict(layout="hebei", columns=[
        ("level1", "", 11), ("level2", "", 13), ("name", "", 17), ("description", "", 24),
        ("value", "", 15), ("basis", "", 20)]),
    "chengde-2020": dict(layout="chengde", columns=[
        ("level1", "", 10), ("level2", "", 12), ("name", "", 15), ("description", "", 20),
        ("operator", "符号", 7), ("number", "值", 7), ("unit", "单位（文字描述）", 12), ("basis", "", 17)]),
    "hubei-department": dict(layout="hubei-department", horizons="two_grids", long_term_label="长期",
                             money_sources="财政拨款\n财政专户管理资金\n单位资金", header_fields="", columns=[
        ("level1", "", 9), ("level2", "", 10), ("name", "", 16), ("prior_value_1", "前年指标值", 9),
        ("prior_value_2", "上年指标值", 9), ("value", "预期当年实现值", 13), ("basis", "指标值确定依据", 22),
        ("basis_category", "指标分类", 12)]),
    "mof-2021": dict(layout="mof-2021", header_fields="project_code,period,department,implementer", columns=[
        ("level1", "", 9), ("level2", "", 11), ("name", "", 15), ("operator", "指标性质", 7),
        ("number", "指标值", 7), ("unit", "度量单位", 7), ("description", "指标解释", 16),
        ("scoring", "评（扣）分标准", 18), ("basis_category", "取值依据", 10)]),
}

MOF_ORDER = ["成本指标", "产出指标", "效益指标", "满意度指标"]
MOF_REQUIRED = {"经济成本指标": "required", "社会成本指标": "may_be_na", "生态环境成本指标": "may_be_na",
                "数量指标": "required", "质量指标": "required", "时效指标": "required",
                "服务对象满意度指标": "required"}


def describe(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    PrintLayout = apps.get_model("frameworks", "PrintLayout")
    Column = apps.get_model("frameworks", "Column")
    Level1 = apps.get_model("frameworks", "Level1")
    Level2 = apps.get_model("frameworks", "Level2")
    layouts = {code: PrintLayout.objects.update_or_create(code=code, defaults=spec)[0] for code, spec in LAYOUTS.items()}
    for code, spec in FRAMEWORKS.items():
        framework = Framework.objects.filter(code=code).first()
        if framework is None:  # deleted by an administrator: nothing to describe
            continue
        spec = dict(spec)
        columns = spec.pop("columns")
        framework.layout = layouts[spec.pop("layout")]
        for field, value in spec.items():
            setattr(framework, field, value)
        framework.save()
        Column.objects.filter(framework=framework).delete()
        for order, (key, heading, width) in enumerate(columns):
            Column.objects.create(framework=framework, key=key, heading=heading, width=width, order=order)
    mof = Framework.objects.filter(code="mof-2021").first()
    if mof is not None:
        for order, name in enumerate(MOF_ORDER):
            Level1.objects.filter(framework=mof, name=name).update(order=order)
        for name, requirement in MOF_REQUIRED.items():
            Level2.objects.filter(level1__framework=mof, name=name).update(requirement=requirement)
    if hebei := Framework.objects.filter(code="hebei-project").first():
        Level2.objects.filter(level1__framework=hebei).update(requirement="required")  # prints_every_level2


def undo(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Level1 = apps.get_model("frameworks", "Level1")
    Framework.objects.filter(code__in=FRAMEWORKS).update(layout=None)
    apps.get_model("frameworks", "Column").objects.filter(framework__code__in=FRAMEWORKS).delete()
    apps.get_model("frameworks", "PrintLayout").objects.filter(code__in=LAYOUTS).delete()
    old = ["产出指标", "成本指标", "效益指标", "满意度指标"]
    for order, name in enumerate(old):
        Level1.objects.filter(framework__code="mof-2021", name=name).update(order=order)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0003_framework_definition")]
    operations = [migrations.RunPython(describe, undo)]
