"""导出Excel: the official layout as a workbook, imported back identical; formula-like text stays text."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from perfgoals.exchange.documents import make_preview, store
from perfgoals.exchange.files import read_file
from perfgoals.goals import grid
from perfgoals.goals.models import ProjectTable
from perfgoals.printing import xlsx
from perfgoals.printing.render import paragraphs, table_queryset

pytestmark = pytest.mark.django_db


def seed_tables() -> list[ProjectTable]:
    return list(table_queryset().filter(is_template=True).order_by("unit__code", "position", "id"))


def printed_indicators(table: ProjectTable) -> list:
    """The indicators in the order the form prints them (framework order)."""
    blocks = grid.printed_rows(grid.table_groups(table))
    return [row.indicator for block in blocks for row in block if not isinstance(row.indicator, grid.BlankIndicator)]


def as_printed(table: ProjectTable) -> dict:
    """Everything the printed form shows of a table."""
    return {
        "unit": table.unit.code, "year": table.year, "framework": table.framework.code,
        "project_code": table.project_code, "project_name": table.project_name,
        "budget": [table.budget_total, table.budget_fiscal, table.budget_other],
        "fund_use": table.fund_use, "spending_plan": table.spending_plan,
        "goals": [g.text for g in table.goals.all()],
        "explanation": paragraphs(table.explanation),
        "indicators": [
            (i.level2.level1.name, i.level2.name, i.name, i.description, i.value_display, i.value_kind, i.operator,
             i.number, i.unit, i.text, i.basis, i.basis_category)
            for i in printed_indicators(table)
        ],
    }  # fmt: skip


def import_back(name: str, data: bytes) -> list[ProjectTable]:
    preview = make_preview(read_file(name, data), source=name)
    assert preview.errors == []
    return store(preview)


@pytest.mark.parametrize("number", range(29))
def test_every_seed_table_exported_to_excel_imports_back_as_the_same_table(number):
    table = seed_tables()[number]
    (imported,) = import_back(f"{table.project_name}.xlsx", xlsx.table_workbook(table))
    assert imported.pk != table.pk and imported.status == "draft" and not imported.is_template
    assert as_printed(imported) == as_printed(table)


def test_there_are_29_seed_tables():
    assert len(seed_tables()) == 29
