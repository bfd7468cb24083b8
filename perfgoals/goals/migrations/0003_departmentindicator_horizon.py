"""DepartmentIndicator.table (长期/年度) is its horizon (目标期限): renamed, data kept."""

from django.db import migrations, models


def horizon() -> models.CharField:
    return models.CharField(
        choices=[("long_term", "长期绩效指标"), ("annual", "年度绩效指标")],
        default="annual",
        max_length=20,
        verbose_name="目标期限",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0002_funding_line_order"),
    ]

    operations = [
        migrations.RenameField(model_name="departmentindicator", old_name="table", new_name="horizon"),
        migrations.RenameField(model_name="historicaldepartmentindicator", old_name="table", new_name="horizon"),
        migrations.AlterField(model_name="departmentindicator", name="horizon", field=horizon()),
        migrations.AlterField(model_name="historicaldepartmentindicator", name="horizon", field=horizon()),
        migrations.AlterModelOptions(
            name="departmentindicator",
            options={
                "ordering": ["horizon", "order", "id"],
                "verbose_name": "部门整体绩效指标",
                "verbose_name_plural": "部门整体绩效指标",
            },
        ),
    ]
