"""`manage.py check`: the print fonts that bin/install cuts must be there and current."""

from django.core import checks

from perfgoals.printing import fonts


@checks.register()
def print_fonts_are_built(app_configs, **kwargs):
    if fonts.is_built():
        return []
    return [checks.Warning(
        "打印字体尚未生成或已过期：PDF 将改用完整的 Noto CJK 字体，每份慢约 0.05 秒。",
        hint="运行 bin/install（或 .venv/bin/python -m perfgoals.printing.fonts）。",
        id="printing.W001",
    )]
