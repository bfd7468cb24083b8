"""The 101号 framework checks its cost block: MONEY_COST_MISSING is on for mof-2021.

The rule is off by default (review.rules: default_on=False): on the Hebei and Chengde forms
成本指标 is one optional level-2 row. An administrator switches it on for another framework
in the admin (指标体系 → 审核规则开关).
"""

from django.db import migrations

SWITCHES = [("mof-2021", "MONEY_COST_MISSING", True)]


def switch_on(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    RuleSwitch = apps.get_model("review", "RuleSwitch")
    for framework_code, code, enabled in SWITCHES:
        framework = Framework.objects.filter(code=framework_code).first()
        if framework is not None:
            RuleSwitch.objects.update_or_create(framework=framework, code=code, defaults={"enabled": enabled})


def switch_off(apps, schema_editor):
    RuleSwitch = apps.get_model("review", "RuleSwitch")
    for framework_code, code, _ in SWITCHES:
        RuleSwitch.objects.filter(framework__code=framework_code, code=code).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0002_rule_switches"), ("frameworks", "0002_shipped_frameworks")]
    operations = [migrations.RunPython(switch_on, switch_off)]
