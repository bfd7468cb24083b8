"""The four frameworks described in the domain notes, shipped as data.

An administrator adds others in the admin; nothing in the code names these.
"""

from django.db import migrations

CLASSIC_LEVEL2 = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}

FRAMEWORKS = [
    {
        "code": "hebei-project",
        "name": "河北省项目支出绩效指标体系",
        "kind": "project",
        "value_layout": "one_cell",
        "prints_every_level2": True,
        "source": "河北省县级部门预算项目绩效目标表（昌黎、定州、遵化等）",
        "levels": CLASSIC_LEVEL2,
    },
    {
        "code": "chengde-2020",
        "name": "承德市2020年预算项目绩效指标体系",
        "kind": "project",
        "value_layout": "split",
        "prints_every_level2": False,
        "source": "承德高新区2020年预算项目绩效表（效果指标，指标值分符号、值、单位三栏）",
        "levels": {
            "产出指标": CLASSIC_LEVEL2["产出指标"],
            "效果指标": CLASSIC_LEVEL2["效益指标"],
            "满意度指标": CLASSIC_LEVEL2["满意度指标"],
        },
    },
    {
        "code": "mof-2021",
        "name": "财政部2021年项目支出核心绩效指标体系",
        "kind": "project",
        "value_layout": "one_cell",
        "prints_every_level2": False,
        "source": "财预〔2021〕101号 中央部门项目支出核心绩效目标和指标设置及取值指引",
        "levels": {
            "产出指标": ["数量指标", "质量指标", "时效指标"],
            "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
            "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
            "满意度指标": ["服务对象满意度指标"],
        },
    },
    {
        "code": "hubei-department",
        "name": "湖北省部门整体绩效指标体系",
        "kind": "department",
        "value_layout": "one_cell",
        "prints_every_level2": False,
        "source": "湖北省部门整体绩效目标表（鄂州市2024年）",
        "levels": {
            "运行成本": ["公用经费控制", "在职人员控制", "项目支出成本控制"],
            "管理效率": ["战略管理", "预算编制", "预算执行", "绩效管理", "资产管理", "财务管理"],
            "履职效能": ["数量指标", "质量指标"],
            "社会效应": ["经济效益", "社会效益", "生态效益"],
            "可持续发展能力": ["体制机制改革", "人才支撑", "科技支撑"],
            "满意度": ["服务对象满意度", "联系部门满意度"],
        },
    },
]


def is_cost(level1: str, level2: str) -> bool:
    return "成本" in level1 or "成本" in level2


def add_frameworks(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Level1 = apps.get_model("frameworks", "Level1")
    Level2 = apps.get_model("frameworks", "Level2")
    for order, spec in enumerate(FRAMEWORKS):
        fields = {k: v for k, v in spec.items() if k not in ("code", "levels")}
        framework, _ = Framework.objects.update_or_create(
            code=spec["code"], defaults={**fields, "order": order}
        )
        for i, (l1_name, l2_names) in enumerate(spec["levels"].items()):
            l1, _ = Level1.objects.update_or_create(
                framework=framework, name=l1_name, defaults={"order": i}
            )
            for j, l2_name in enumerate(l2_names):
                Level2.objects.update_or_create(
                    level1=l1,
                    name=l2_name,
                    defaults={"order": j, "is_cost": is_cost(l1_name, l2_name)},
                )


def remove_frameworks(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Framework.objects.filter(code__in=[f["code"] for f in FRAMEWORKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]
    operations = [migrations.RunPython(add_frameworks, remove_frameworks)]
