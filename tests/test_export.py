"""The JSON exchange format (export_goals)."""

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def export(capsys, *args) -> dict:
    call_command("export_goals", "--format", "json", *args)
    return json.loads(capsys.readouterr().out)


def test_it_exports_every_table_and_plan(capsys):
    data = export(capsys)
    assert data["format"] == "perfgoals" and data["version"] == 1
    assert len(data["tables"]) == 29 and len(data["plans"]) == 5


def test_a_table_carries_the_documented_fields(capsys):
    data = export(capsys, "--unit", "321001")
    table = next(t for t in data["tables"] if t["project_code"] == "13032221Q04ELG36NCMHS")
    assert table["unit_code"] == "321001" and table["unit_name"] == "昌黎县招商中心本级"
    assert (table["year"], table["framework"], table["project_name"]) == (2021, "hebei-project", "招商引资工作经费")
    assert (table["budget_total"], table["budget_fiscal"], table["budget_other"]) == ("50.00", "50.00", "0.00")
    assert table["spending_plan"] == ["10.00", "50.00", "80.00", "100.00"]
    assert len(table["goals"]) == 2 and table["is_template"] is True and table["status"] == "draft"
    first = table["indicators"][0]
    assert {k: first[k] for k in ("level1", "level2", "name", "value", "operator", "number", "unit", "text")} == {
        "level1": "产出指标", "level2": "数量指标", "name": "签约项目个数",
        "value": "≥5个", "operator": "≥", "number": "5", "unit": "个", "text": "",
    }
    assert first["basis"].startswith("关于印发") and first["flags"] == []


def test_money_omitted_by_a_document_exports_as_null(capsys):
    data = export(capsys, "--year", "2020")
    table = next(t for t in data["tables"] if t["project_code"] == "105-0901-YBN-DPPC")
    assert table["budget_total"] is None and table["spending_plan"] == ["0.00", "10.00", "50.00", "100.00"]


def test_flags_name_the_problems_found_on_each_indicator(capsys):
    data = export(capsys, "--unit", "926001")
    table = next(t for t in data["tables"] if t["project_code"] == "130682210O53F1D4P4MYG")
    quantity = next(i for i in table["indicators"] if i["name"] == "数量")
    assert quantity["value"] == "≥80数量"
    assert "VALUE_UNIT_IS_NAME" in quantity["flags"]


def test_plans_carry_funding_and_indicators(capsys):
    data = export(capsys, "--year", "2024")
    plan = data["plans"][0]
    assert plan["contact_person"] == "方凯萍" and len(plan["funding"]) == 6
    assert plan["funding"][0] == {"kind": "income", "name": "财政拨款", "amount": "509.41", "share": "100",
                                  "prior_amounts": ["651.74", "655.81"]}
    assert {i["table"] for i in plan["indicators"]} == {"long_term", "annual"}
    annual = [i for i in plan["indicators"] if i["table"] == "annual"]
    assert (annual[0]["name"], annual[0]["prior_values"], annual[0]["value"]) == ("公用经费控制率", ["81%", "100%"], "≤100%")


def test_an_unknown_unit_is_a_clear_error():
    with pytest.raises(CommandError, match="没有单位编码为 000000 的数据"):
        call_command("export_goals", "--unit", "000000")


def test_the_export_url_shows_only_the_users_units(client, make_table, clerk, other_clerk):
    make_table()
    client.force_login(clerk)
    mine = client.get("/exchange/export.json").json()
    assert [t["unit_code"] for t in mine["tables"]] == ["990001"]
    client.force_login(other_clerk)
    theirs = client.get("/exchange/export.json").json()
    assert theirs["tables"] == [] and theirs["plans"] == []


def test_the_export_url_needs_sign_in(client):
    response = client.get("/exchange/export.json")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
