"""Values typed the way people write them, in the one 指标值 field of a real browser (issue 11)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

NATURAL_VALUES = [  # typed → printed
    ("≥95%", "≥95%"), ("95%", "95%"), (">=95%", "≥95%"), ("≧95%", "≥95%"), ("＞3", ">3"),
    ("不少于20个", "≥20个"), ("20个以上", "≥20个"), ("≤3天", "≤3天"), ("±3%以内", "±3%以内"),
    ("100%", "100%"), ("较好", "较好"), ("=300天", "300天"), ("=100百分比", "100%"),
]  # fmt: skip


def test_each_natural_value_shows_how_it_prints_and_is_saved_so(page, clerk, make_table):
    table = make_table()
    indicator = table.indicators.get(name="培训人员人次")
    login(page, "clerk", next_url=f"/tables/{table.pk}/")
    row = page.locator(f"#ind-{indicator.pk}")
    for typed, printed in NATURAL_VALUES:
        row.get_by_label("指标值", exact=True).fill(typed)
        expect(row.locator("output[id$=-preview]")).to_have_text(printed)
        row.get_by_role("button", name="保存").click()
        expect(row.get_by_role("status").filter(has_text="已保存")).to_be_visible()
        expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)  # no eval: the CSP refuses it
        indicator.refresh_from_db()
        assert indicator.value_display == printed, typed
        expect(row.get_by_label("指标值", exact=True)).to_have_value(printed)


def test_a_value_that_cannot_be_read_says_so_beside_the_field_as_typed(page, clerk, make_table):
    table = make_table()
    indicator = table.indicators.get(name="培训人员人次")
    login(page, "clerk", next_url=f"/tables/{table.pk}/")
    row = page.locator(f"#ind-{indicator.pk}")
    row.get_by_label("指标值", exact=True).fill("≥80培训人员人次")
    expect(row.locator("p.printed")).to_contain_text("“培训人员人次”是指标名称，不是计量单位")
    row.get_by_label("指标值", exact=True).fill("≥")
    expect(row.locator("p.printed")).to_contain_text("“≥”只有比较符")


def test_money_typed_in_yuan_is_converted_saying_so(page, clerk, make_table):
    table = make_table()
    login(page, "clerk", next_url=f"/tables/{table.pk}/")
    header = page.locator("#header")
    header.get_by_label("财政资金").fill("500000元")
    expect(page.locator("#header-check")).to_contain_text("已按 500000元 = 50.00万元 换算")
    header.get_by_label("其他资金").fill("0")
    header.get_by_label("预算数", exact=True).fill("")
    header.get_by_label("3月底").fill("10%")
    header.get_by_role("button", name="保存").click()
    expect(header.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    expect(page.locator("#header")).to_contain_text("已按 500000元 = 50.00万元 换算")
    expect(page.locator("#header").get_by_label("预算数", exact=True)).to_have_value("50")
    table.refresh_from_db()
    assert (table.budget_fiscal, table.budget_total, table.spend_mar) == (50, 50, 10)
