"""Three more shipped frameworks, from real published tables (../shared/reference/realworld/):

- wuhan-2020: 中期 and 年度 indicators side by side in one grid, the level-1 repeated on every
  row (武汉市青山区 2020; 东莞市 2019 prints the same grid);
- xiangtan-2023: 指标值及单位 and a 绩效标准 column (计划标准 …), every level-2 row printed,
  footer 填表人 / 联系电话 / 填报日期 / 单位负责人签字 (湘潭市 2023);
- jingyan-2023: a flat list with 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性, amounts in 元
  (井研县马踏镇 2023, the 预算管理一体化 system's export); the weights add up to 100 (WEIGHTS_SUM).
"""

from django.db import migrations

CLASSIC = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}

LAYOUTS = {
    "wuhan-2020": dict(name="项目支出绩效目标表（中期与年度并列）", template="generic", orientation="landscape",
                       title_pattern="项目支出绩效目标表（{year}年度）", unit_line="单位：{amount_unit}",
                       merge_categories=False),
    "xiangtan-2023": dict(name="项目支出绩效目标申报表（绩效标准栏）", template="generic",
                          title_pattern="{year}年项目支出绩效目标申报表", unit_line="单位：{amount_unit}",
                          footer_lines="填表人：\n联系电话：\n填报日期：\n单位负责人签字："),
    "jingyan-2023": dict(name="部门预算项目绩效目标申报表（权重、指标方向）", template="generic", orientation="landscape",
                         title_pattern="{project_name}绩效目标申报表（{year}年度）", unit_line="金额单位：{amount_unit}",
                         merge_categories=False),
}

FRAMEWORKS = [
    dict(code="wuhan-2020", name="湖北武汉项目支出绩效指标体系（中期与年度并列）", layout="wuhan-2020",
         source="武汉市青山区教育局2020年项目支出绩效目标表；东莞市2019年财政项目支出绩效目标批复表同此",
         horizons="side_by_side", long_term_label="中期", money_sources="财政拨款\n其他资金",
         header_fields="department,implementer,attribute,period", prints_every_level2=False,
         columns=[("level1", "", 10), ("level2", "", 12), ("name", "", 20), ("value", "", 12)]),
    dict(code="xiangtan-2023", name="湖南湘潭项目支出绩效指标体系（绩效标准栏）", layout="xiangtan-2023",
         source="湘潭市环境卫生管理处2023年项目支出绩效目标申报表",
         horizons="annual", long_term_label="实施期", money_sources="本级资金\n上级资金",
         header_fields="department,period", prints_every_level2=True,
         columns=[("level1", "", 12), ("level2", "", 16), ("name", "", 32), ("value", "指标值及单位", 22),
                  ("basis_category", "绩效标准", 18)]),
    dict(code="jingyan-2023", name="四川预算管理一体化项目绩效指标体系（权重、指标方向）", layout="jingyan-2023",
         source="井研县马踏镇人民政府2023年部门预算项目绩效目标申报表（一体化系统导出）",
         horizons="annual", long_term_label="", money_sources="财政资金\n其他资金", amount_unit="元",
         header_fields="", prints_every_level2=False,
         columns=[("level1", "", 11), ("level2", "", 14), ("name", "", 25), ("operator", "指标性质", 9),
                  ("number", "指标值", 10), ("unit", "度量单位", 9), ("weight", "权重", 8),
                  ("direction", "指标方向性", 14)]),
]


def add(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    PrintLayout = apps.get_model("frameworks", "PrintLayout")
    Column = apps.get_model("frameworks", "Column")
    Level1 = apps.get_model("frameworks", "Level1")
    Level2 = apps.get_model("frameworks", "Level2")
    layouts = {code: PrintLayout.objects.update_or_create(code=code, defaults=spec)[0] for code, spec in LAYOUTS.items()}
    start = (Framework.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for n, spec in enumerate(FRAMEWORKS):
        spec = dict(spec)
        columns, code = spec.pop("columns"), spec.pop("code")
        spec["layout"] = layouts[spec["layout"]]
        framework, created = Framework.objects.get_or_create(code=code, defaults={**spec, "order": start + n})
        if not created:
            continue
        for order, (key, heading, width) in enumerate(columns):
            Column.objects.create(framework=framework, key=key, heading=heading, width=width, order=order)
        for i, (l1_name, l2_names) in enumerate(CLASSIC.items()):
            l1 = Level1.objects.create(framework=framework, name=l1_name, order=i)
            for j, l2_name in enumerate(l2_names):
                Level2.objects.create(level1=l1, name=l2_name, order=j, is_cost="成本" in l2_name,
                                      requirement="required" if spec["prints_every_level2"] else "optional")


def remove(apps, schema_editor):
    apps.get_model("frameworks", "Framework").objects.filter(code__in=[f["code"] for f in FRAMEWORKS]).delete()
    apps.get_model("frameworks", "PrintLayout").objects.filter(code__in=LAYOUTS).delete()


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0004_describe_shipped_frameworks")]
    operations = [migrations.RunPython(add, remove)]
