"""The seed documents printed: each seed's book, plan and tables rendered once per session and
read back (text in order, the merged labels, page numbers, contents and bookmarks) and
page 1 of each layout compared with its reviewed reference image (tests/reference/).

These tests share one costly session fixture (`seed_pdfs`), so under pytest-xdist they run
on one worker (SHARED_SCOPES in tests/conftest.py); the other printing tests, in
tests/test_printing.py, are spread over the workers. Reference images: see that module.
"""

import io

import pytest
from django.core.management import call_command

from perfgoals.goals.models import DepartmentPlan
from perfgoals.printing import book, render
from pypdf import PdfReader

from perfgoals.goals import grid
from tests.test_printing import (  # noqa: F401 (weasyprint_warnings is a fixture)
    CHENGDE, HUBEI, SEED_UNITS, assert_in_order, assert_looks_like_reference, embedded_fonts, flat, pages_text,
    printed_numbers, seed_tables, toc_entries, weasyprint_warnings,
)


@pytest.fixture(scope="session")
def seed_pdfs(django_db_setup, django_db_blocker, tmp_path_factory, weasyprint_warnings):
    """Every seed document printed once per session (read-only bytes; the seed documents
    never change): the three Hebei books, the Chengde book, the Hubei plan."""
    out = tmp_path_factory.mktemp("seed-pdfs")
    pdfs = {}
    with django_db_blocker.unblock():
        for code, year in SEED_UNITS.items():
            call_command("print_goals", unit=code, year=year, out=str(out / f"{code}.pdf"), stdout=io.StringIO())
            pdfs[code] = (out / f"{code}.pdf").read_bytes()
        chengde = DepartmentPlan.objects.get(unit__name__startswith=CHENGDE, is_template=True)
        pdfs["chengde"] = book.render_book(chengde.unit, chengde.year)
        hubei = render.plan_queryset().get(unit__name=HUBEI, is_template=True)
        pdfs["hubei"] = render.render_plan(hubei)
        plan = render.plan_queryset().get(unit__code="321001", is_template=True)
        pdfs["plan"] = render.render_plan(plan)
        first = render.table_queryset().filter(unit__code="321001", is_template=True).order_by("position").first()
        pdfs["hebei"] = render.render_table(first)
        split = render.table_queryset().filter(unit__name__startswith=CHENGDE, is_template=True).order_by("position")
        pdfs["split"] = render.render_table(split.first())
    return pdfs


def test_it_prints_in_the_cut_down_serif_and_sans_faces(seed_pdfs):
    assert embedded_fonts(seed_pdfs["hebei"]) == {"Perfgoals-Serif-SC", "Perfgoals-Sans-SC"}


@pytest.mark.django_db
def test_every_seed_table_prints_its_text_in_order(seed_pdfs):
    for code in SEED_UNITS:
        text = "".join(pages_text(seed_pdfs[code]))
        tables = seed_tables(unit__code=code)
        assert tables
        for number, table in enumerate(tables, start=1):
            needles = [f"{number}.{table.project_name}绩效目标表", table.project_code]
            needles += [goal.text for goal in table.goals.all()]
            for group in grid.table_groups(table):
                needles.append(group.level1.name)
                for row in group.level2s:
                    needles.append(row.level2.name)
                    for indicator in row.items:
                        needles += [indicator.name, indicator.description, indicator.value_display]
            assert_in_order(text, needles)


@pytest.mark.django_db
def test_chengde_tables_print_the_explanation_then_the_split_value(seed_pdfs):
    text = "".join(pages_text(seed_pdfs["chengde"]))
    for table in seed_tables(unit__name__startswith=CHENGDE):
        needles = [table.project_name, *render.paragraphs(table.explanation)[:2], "预算项目绩效表", table.project_code]
        needles += [f"目标{n}" for n in range(1, table.goals.count() + 1)]
        needles += ["符号", "值", "单位（文字描述）"]
        for group in grid.table_groups(table):
            for row in group.level2s:
                for indicator in row.items:
                    needles += [indicator.name, *indicator.value_cells]
        assert_in_order(text, needles)


@pytest.mark.django_db
def test_the_plan_prints_its_three_sections(seed_pdfs):
    plan = render.plan_queryset().get(unit__code="321001", is_template=True)
    text = "".join(pages_text(seed_pdfs["plan"]))
    assert_in_order(text, ["一、总体绩效目标", render.paragraphs(plan.overall_goal)[0], "二、分项绩效目标",
                           plan.sub_goals.first().text[:20], "三、工作保障措施", plan.safeguards.last().text[:20]])


@pytest.mark.django_db
def test_the_hubei_plan_prints_on_landscape_pages_with_prior_years(seed_pdfs):
    plan = render.plan_queryset().get(unit__name=HUBEI, is_template=True)
    reader = PdfReader(io.BytesIO(seed_pdfs["hubei"]))
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)
    text = "".join(pages_text(seed_pdfs["hubei"]))
    annual = [i for i in plan.indicators.all() if i.horizon == i.ANNUAL]
    assert_in_order(text, ["部门整体绩效目标表", plan.unit.name, "部门总体资金情况", "收入构成", "支出构成",
                           "部门职能概述", "长期绩效指标", "年度绩效指标", "近两年指标值", "预期当年实现值",
                           f"{plan.year - 2}年", f"{plan.year - 1}年"])
    assert_in_order(text.split("年度绩效指标", 1)[1], [
        x for i in annual[:5] for x in (i.name, i.prior_value_1, i.prior_value_2, i.value_display)
    ])


@pytest.mark.django_db
def test_the_book_numbers_its_pages_after_the_contents(seed_pdfs):
    numbers = printed_numbers(seed_pdfs["926001"])
    first = numbers.index(1)
    assert first >= 2 and first % 2 == 0  # cover and contents unnumbered; page 1 is a right-hand page
    assert numbers[:first] == [None] * first
    assert numbers[first:] == list(range(1, len(numbers) - first + 1))


@pytest.mark.django_db
def test_the_contents_page_numbers_match_where_tables_start(seed_pdfs):
    pdf = seed_pdfs["926001"]
    tables = seed_tables(unit__code="926001")
    entries = toc_entries(pdf)
    pages = pages_text(pdf)
    numbers = printed_numbers(pdf)
    for number, table in enumerate(tables, start=1):
        title = flat(f"{number}.{table.project_name}绩效目标表")
        assert title in entries, title
        start = next(i for i, text in enumerate(pages) if numbers[i] and title in text)
        assert numbers[start] == entries[title], title
    assert len(tables) == 11


@pytest.mark.django_db
def test_the_book_has_bookmarks_for_parts_and_tables(seed_pdfs):
    reader = PdfReader(io.BytesIO(seed_pdfs["926001"]))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[0].startswith("第一部分") and titles[1] == book.PART_TWO
    tables = [item.title for item in outline[2]]
    assert tables == [f"{n}.{t.project_name}绩效目标表" for n, t in enumerate(seed_tables(unit__code="926001"), 1)]
    assert reader.get_destination_page_number(outline[2][0]) == printed_numbers(seed_pdfs["926001"]).index(
        toc_entries(seed_pdfs["926001"])[flat(tables[0])]
    )


@pytest.mark.django_db
def test_every_table_of_a_book_starts_on_a_page_of_its_own(seed_pdfs):
    pages = pages_text(seed_pdfs["926001"])
    numbers = printed_numbers(seed_pdfs["926001"])
    for number, table in enumerate(seed_tables(unit__code="926001"), start=1):
        title = flat(f"{number}.{table.project_name}绩效目标表")
        start = next(i for i, text in enumerate(pages) if numbers[i] and title in text)
        assert pages[start].startswith(title) or pages[start].startswith("第二部分预算项目绩效目标" + title), title
        assert pages[start - 1].endswith(f"—{numbers[start - 1]}—"), f"{title} follows another table on its page"


@pytest.mark.parametrize("name", ["hebei", "split", "plan", "hubei", "926001"])
def test_page_one_matches_the_reviewed_reference(seed_pdfs, tmp_path, name):
    reference = {"926001": "book-cover"}.get(name, name)
    assert_looks_like_reference(seed_pdfs[name], tmp_path, reference)
