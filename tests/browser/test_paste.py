"""粘贴指标 in a real browser: a table copied from a Word-made page, pasted into the editor."""

import pytest
from playwright.sync_api import expect

from perfgoals.goals.models import Indicator
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

# A page as Word writes it ("另存为网页", and what it puts on the clipboard): MsoTableGrid,
# <p class=MsoNormal> in every cell, lang=EN-US spans around the Latin part of a value,
# &nbsp; for blanks, the level-1 and level-2 cells merged down their rows (rowspan).
WORD_PAGE = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15 (filtered)">
<style>
 p.MsoNormal {margin:0cm;text-align:justify;text-justify:inter-ideograph;font-size:10.5pt;font-family:等线;}
 table.MsoTableGrid {border-collapse:collapse;}
</style></head>
<body lang=ZH-CN style='text-justify-trim:punctuation'>
<div class=WordSection1>
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:16.0pt;font-family:黑体'>安全生产培训项目绩效目标表</span></b></p>
<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>
 <tr style='height:20.0pt'>
  <td width=80 style='width:60pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal align=center style='text-align:center'><b><span style='font-family:宋体'>一级指标</span></b></p></td>
  <td width=80 style='width:60pt;border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal align=center><b><span style='font-family:宋体'>二级指标</span></b></p></td>
  <td width=120 style='border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal align=center><b><span style='font-family:宋体'>三级指标</span></b></p></td>
  <td width=160 style='border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal align=center><b><span style='font-family:宋体'>绩效指标描述</span></b></p></td>
  <td width=80 style='border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal align=center><b><span style='font-family:宋体'>指标值</span></b></p></td>
  <td width=120 style='border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal align=center><b><span style='font-family:宋体'>指标值确定依据</span></b></p></td>
 </tr>
 <tr>
  <td rowspan=3 style='border:solid windowtext 1.0pt;border-top:none'><p class=MsoNormal><span style='font-family:宋体'>产出指标</span></p></td>
  <td rowspan=2 style='border-top:none'><p class=MsoNormal><span style='font-family:宋体'>数量指标</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>开展培训场次</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>全年组织的</span></p><p class=MsoNormal><span style='font-family:宋体'>安全生产培训场次</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>&ge;12</span><span style='font-family:宋体'>场</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>年度工作计划</span></p></td>
 </tr>
 <tr>
  <td><p class=MsoNormal><span style='font-family:宋体'>印制培训教材</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>印制发放的教材册数</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>不少于</span><span lang=EN-US>500</span><span style='font-family:宋体'>册</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>&nbsp;</span></p></td>
 </tr>
 <tr>
  <td><p class=MsoNormal><span style='font-family:宋体'>时效指标</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>培训完成时间</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>按计划完成全部培训</span></p></td>
  <td><p class=MsoNormal><span lang=EN-US>12</span><span style='font-family:宋体'>月底前</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>年度工作计划</span></p></td>
 </tr>
 <tr>
  <td><p class=MsoNormal><span style='font-family:宋体'>效果指标</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>社会效益指标</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>企业安全意识</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>参训企业的安全生产意识</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>明显提升</span></p></td>
  <td><p class=MsoNormal><span style='font-family:宋体'>行业标准</span></p></td>
 </tr>
</table>
<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>
</div></body></html>"""

PASTED = ["开展培训场次", "印制培训教材", "培训完成时间", "企业安全意识"]


def test_a_table_copied_from_a_word_page_is_pasted_previewed_and_added(page, make_table, clerk, tmp_path):
    table = make_table()
    word_page = tmp_path / "绩效目标表.htm"
    word_page.write_text(WORD_PAGE, encoding="utf-8")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, "clerk")

    source = page.context.new_page()
    source.goto(word_page.as_uri())
    source.evaluate("""() => {
        const range = document.createRange();
        range.selectNode(document.querySelector("table.MsoTableGrid"));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    source.keyboard.press("Control+C")  # a real copy: Chromium writes text/html and text/plain

    page.goto(f"/tables/{table.pk}/")
    box = page.locator("#paste")
    box.get_by_text("粘贴指标").click()
    box.get_by_role("textbox").focus()
    page.keyboard.press("Control+V")  # a real paste: the clipboard's text/plain and text/html
    expect(box.get_by_role("textbox")).not_to_have_value("")
    assert "<table" in page.locator("#paste-html").input_value()  # the merged cells travel as HTML
    box.get_by_role("button", name="预览").click()

    preview = box.locator("table.paste-preview")
    expect(preview).to_contain_text("将添加的 4 项指标")
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("数量指标")  # the merged level-2 cell carried down
    expect(rows.nth(1)).to_contain_text("≥500册")
    expect(rows.nth(2)).to_contain_text("时效指标")
    expect(rows.nth(3)).to_contain_text("表中写作：效果指标")
    assert Indicator.objects.filter(table=table, name__in=PASTED).count() == 0  # a preview writes nothing

    box.get_by_role("button", name="确认添加 4 项指标").click()

    expect(page.locator("#paste")).to_contain_text("已添加 4 项指标")
    grid = page.locator("#grid")
    for name in PASTED:
        expect(grid.locator(f"input[name=name][value='{name}']")).to_have_count(1)
    quantity = page.get_by_role("group", name="数量指标")
    expect(quantity.locator("input[name=name][value='印制培训教材']")).to_have_count(1)
    stored = {i.name: (i.level2.name, i.value_display) for i in Indicator.objects.filter(table=table, name__in=PASTED)}
    assert stored == {
        "开展培训场次": ("数量指标", "≥12场"), "印制培训教材": ("数量指标", "≥500册"),
        "培训完成时间": ("时效指标", "12月底前"), "企业安全意识": ("社会效益指标", "明显提升"),
    }  # fmt: skip
