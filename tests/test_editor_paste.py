"""粘贴指标: indicator rows pasted into the editor, previewed, then added in one transaction."""

import pytest
from django.urls import reverse

from perfgoals.goals.models import Indicator, Status

HTMX = {"HTTP_HX_REQUEST": "true"}

HEADED = (
    "一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据\n"
    "产出指标\t数量指标\t开展培训场次\t全年组织的培训场次\t≧12场\t年度工作计划\n"
    "\t\t培训教材印制\t印制培训教材册数\t不少于500册\t年度工作计划\n"
    "效果指标\t社会效益指标\t企业安全意识提升\t参训企业安全意识\t明显提升\t行业标准\n"
)
WITHOUT_HEADINGS = "产出指标\t质量指标\t考核通过率\t参训人员考核通过的比例\t＞＝90%\t历年数据\n"


def post(client, table, text="", html="", **extra):
    return client.post(reverse("indicator_paste", args=[table.pk]), {"text": text, "html": html, **extra}, **HTMX)


def previewed(response) -> str:
    html = response.content.decode()
    return html.split('name="previewed" value="', 1)[1].split('"', 1)[0]


def test_the_editor_offers_a_paste_box(client_clerk, table):
    html = client_clerk.get(reverse("table_edit", args=[table.pk])).content.decode()
    assert "粘贴指标" in html and 'id="paste-text"' in html
    assert reverse("indicator_paste", args=[table.pk]) in html


def test_a_preview_shows_each_row_with_its_category_value_and_problems_and_writes_nothing(client_clerk, table):
    before = table.indicators.count()
    r = post(client_clerk, table, HEADED, action="preview")
    assert r.status_code == 200
    html = r.content.decode()
    assert "将添加的 3 项指标" in html
    assert "开展培训场次" in html and "≥12场" in html and "≥500册" in html
    assert "效益指标" in html and "表中写作：效果指标" in html  # matched by meaning, and said so
    assert "确认添加 3 项指标" in html
    assert table.indicators.count() == before


def test_confirm_adds_the_rows_with_history_and_answers_the_grid(client_clerk, table, clerk):
    before = table.indicators.count()
    r = post(client_clerk, table, HEADED, action="preview")
    r = post(client_clerk, table, HEADED, action="confirm", previewed=previewed(r))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="grid"' in html and "已添加 3 项指标" in html and "开展培训场次" in html
    assert r["HX-Retarget"] == "#grid"
    assert table.indicators.count() == before + 3
    added = Indicator.objects.get(table=table, name="培训教材印制")
    assert added.value_display == "≥500册" and added.level2.name == "数量指标"
    assert added.version == 1 and added.history.get().history_user == clerk
    social = Indicator.objects.get(table=table, name="企业安全意识提升")
    assert social.level2.name == "社会效益指标" and social.get_basis_category_display() == "行业标准"
    assert Indicator.objects.filter(table=table).order_by("-order").first().name == "企业安全意识提升"


def test_rows_without_headings_are_read_as_the_editors_columns(client_clerk, table):
    r = post(client_clerk, table, WITHOUT_HEADINGS, action="preview")
    html = r.content.decode()
    assert "考核通过率" in html and "≥90%" in html and "质量指标" in html
    post(client_clerk, table, WITHOUT_HEADINGS, action="confirm", previewed=previewed(r))
    assert Indicator.objects.get(table=table, name="考核通过率").level2.name == "质量指标"


@pytest.mark.parametrize("label", ["本年度绩效指标", ""])
def test_rows_copied_with_the_grids_label_column_are_read_without_it(client_clerk, table, label):
    # The cell merged down the grid's left side comes with the rows: its text on the first, or none.
    text = (f"{label}\t产出指标\t质量指标\t考核通过率\t参训人员考核通过的比例\t＞＝90%\t历年数据\n"
            "\t满意度指标\t服务对象满意度指标\t参训人员满意度\t问卷调查的满意比例\t≥95%\t历年数据\n")
    r = post(client_clerk, table, text, action="preview")
    assert "将添加的 2 项指标" in r.content.decode()
    post(client_clerk, table, text, action="confirm", previewed=previewed(r))
    added = Indicator.objects.get(table=table, name="考核通过率")
    assert (added.level2.name, added.description, added.value_display) == ("质量指标", "参训人员考核通过的比例", "≥90%")
    assert Indicator.objects.get(table=table, name="参训人员满意度").level2.name == "服务对象满意度指标"


def test_html_with_merged_cells_is_read_before_the_text(client_clerk, table):
    html = (
        "<table><tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>"
        "<tr><td rowspan=2>产出指标</td><td rowspan=2>时效指标</td><td>培训&nbsp;完成时间</td><td>12月底前</td></tr>"
        "<tr><td>教材发放时间</td><td>培训前一周</td></tr></table>"
    )
    r = post(client_clerk, table, "plain text that is not a table", html, action="preview")
    page = r.content.decode()
    assert "将添加的 2 项指标" in page and "教材发放时间" in page
    post(client_clerk, table, "plain text that is not a table", html, action="confirm", previewed=previewed(r))
    assert Indicator.objects.get(table=table, name="教材发放时间").level2.name == "时效指标"


def test_an_unknown_category_names_the_closest_and_waits_for_the_clerks_pick(client_clerk, table, hebei):
    text = "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t规模指标\t新建培训室\t2间\n"
    r = post(client_clerk, table, text, action="preview")
    html = r.content.decode()
    assert "二级指标“规模指标”在“产出指标”下没有对应项" in html and "最接近的是" in html
    assert 'name="level2_1"' in html
    before = table.indicators.count()
    r = post(client_clerk, table, text, action="confirm", previewed=previewed(r))
    assert "还有指标不能添加" in r.content.decode()
    assert table.indicators.count() == before
    quantity = next(l2 for l2 in hebei.level2_list() if l2.name == "数量指标")
    r = post(client_clerk, table, text, action="confirm", previewed=previewed(r), level2_1=quantity.pk)
    assert Indicator.objects.get(table=table, name="新建培训室").level2 == quantity


def test_a_paste_changed_after_its_preview_is_previewed_again(client_clerk, table):
    r = post(client_clerk, table, HEADED, action="preview")
    before = table.indicators.count()
    r = post(client_clerk, table, HEADED + "满意度指标\t服务对象满意度指标\t学员满意度\t\t≥95%\t问卷\n",
             action="confirm", previewed=previewed(r))
    assert "在预览后有改动" in r.content.decode() and "将添加的 4 项指标" in r.content.decode()
    assert table.indicators.count() == before


@pytest.mark.parametrize(
    "text, message",
    [
        ("只是一段话，不是表格", "不是表格"),
        ("甲\t乙\n丙\t丁\n", "没有找到绩效指标表"),
        ("", "粘贴框是空的"),
        ("一级指标\t二级指标\t三级指标\t指标值\n" + "产出指标\t数量指标\t指标\t1项\n" * 301, "一次最多 300 行"),
        ("x" * 50_001, "粘贴的内容过大"),
    ],
)
def test_a_bad_paste_says_why_beside_the_box_and_writes_nothing(client_clerk, table, text, message):
    before = table.indicators.count()
    r = post(client_clerk, table, text, action="confirm")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="paste-error"' in html and message in html
    assert table.indicators.count() == before


def test_pasted_text_is_escaped(client_clerk, table):
    text = "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t<script>alert(1)</script>\t1项\n"
    html = post(client_clerk, table, text, action="preview").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_it_works_without_javascript(client_clerk, table):
    r = client_clerk.post(reverse("indicator_paste", args=[table.pk]), {"text": HEADED, "action": "preview"})
    assert r.status_code == 200 and "<html" in r.content.decode() and "将添加的 3 项指标" in r.content.decode()
    r = client_clerk.post(reverse("indicator_paste", args=[table.pk]),
                          {"text": HEADED, "action": "confirm", "previewed": previewed(r)})
    assert r.status_code == 302 and r["Location"].endswith("#grid")
    assert Indicator.objects.filter(table=table, name="开展培训场次").exists()


def test_a_submitted_table_refuses_a_paste(client_clerk, table):
    table.status = Status.SUBMITTED
    table.save()
    before = table.indicators.count()
    r = post(client_clerk, table, HEADED, action="confirm", previewed="x")
    assert r.status_code == 403
    assert table.indicators.count() == before


def test_another_units_clerk_cannot_paste(client, other_clerk, table):
    client.force_login(other_clerk)
    assert post(client, table, HEADED, action="preview").status_code == 404


def test_a_pasted_printed_form_adds_only_its_indicators_and_says_so(client_clerk, table):
    text = "项目名称\t新项目\n预算数\t10\n" + HEADED
    html = post(client_clerk, table, text, action="preview").content.decode()
    assert "这里只添加指标" in html and "将添加的 3 项指标" in html
