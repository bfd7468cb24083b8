"""Every URL of the application × every role → the expected status code.

The URLs are found by walking the resolver, so a new URL without an entry in EXPECTED
fails `test_every_url_has_an_expectation`. Each case builds its objects afresh (a
draft table of the unit, its goal and indicator, a plan with one item, a comment,
a kept hint) and asks with GET, or with POST for a view that only accepts POST.

Roles: anonymous, the unit's clerk, the unit's supervisor, a clerk of another unit,
an administrator. Another unit's object answers 404; an action beyond the role 403;
anonymous users are sent to the login page (302).
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from perfgoals.goals.models import DepartmentPlan, PlanItem, ProjectTable, Status
from perfgoals.units.models import Membership
from perfgoals.workflow.models import Comment
from tests.conftest import make_user

ROLES = ["anonymous", "clerk", "supervisor", "other_clerk", "admin"]
SKIPPED_NAMESPACES = {"admin"}  # the Django admin has its own staff-only access, tested with the admin
PUBLIC = {"login", "logout"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, prefix + str(p.pattern), list(p.pattern.converters)


URLS = {name: (route, params) for name, route, params in _walk(get_resolver().url_patterns) if name not in PUBLIC}

# State the table/plan is in before the request, when a view needs more than a draft.
STATE = {
    "table_approve": Status.SUBMITTED, "table_return": Status.SUBMITTED, "table_reopen": Status.APPROVED,
    "plan_approve": Status.SUBMITTED, "plan_return": Status.SUBMITTED, "plan_reopen": Status.APPROVED,
}
# Form data sent with a POST (enough for the action to succeed for a permitted role).
DATA = {
    "table_return": {"comment": "请修改。"}, "plan_return": {"comment": "请修改。"},
    "table_comment_add": {"text": "意见"}, "plan_comment_add": {"text": "意见"},
}

# Expected status per role, in ROLES order. Abbreviations for the common rows:
PAGE = (302, 200, 200, 404, 200)  # a page of the unit's object: the unit's people and admins read it
CLERK_WRITE = (302, 200, 403, 404, 200)  # an edit by the clerk (htmx partial 200); supervisors may not edit
CLERK_ACTION = (302, 302, 403, 404, 302)  # a clerk's transition, redirecting when done
SUPERVISOR_ACTION = (302, 403, 302, 404, 302)
EVERYONE = (302, 200, 200, 200, 200)  # a page about the user's own units or shared data
PREVIEW = (302, 200, 200, 404, 200)  # a read-only htmx partial of the unit's object
COPY = (302, 302, 302, 404, 302)  # copying a readable table into one's own unit

EXPECTED = {
    # workflow
    "desk": (302, 403, 200, 403, 200),
    "comment_resolve": (302, 302, 302, 404, 302),
    "workflow_table": PAGE, "table_history": PAGE, "table_diff": PAGE, "table_comments": PAGE,
    "workflow_plan": PAGE, "plan_history": PAGE, "plan_diff": PAGE, "plan_comments": PAGE,
    "table_submit": CLERK_ACTION, "plan_submit": CLERK_ACTION,
    "table_reopen": CLERK_ACTION, "plan_reopen": CLERK_ACTION,
    "table_approve": SUPERVISOR_ACTION, "plan_approve": SUPERVISOR_ACTION,
    "table_return": SUPERVISOR_ACTION, "plan_return": SUPERVISOR_ACTION,
    "table_comment_add": SUPERVISOR_ACTION, "plan_comment_add": SUPERVISOR_ACTION,
    # the editor (goals)
    "home": EVERYONE, "template_library": EVERYONE, "table_new": EVERYONE, "plan_new": EVERYONE,
    "framework_skeleton": EVERYONE, "indicator_suggest": EVERYONE, "value_preview": EVERYONE,
    "table_edit": PAGE, "plan_edit": PAGE, "table_preview": PAGE, "plan_preview": PAGE,
    "table_header_check": PREVIEW,
    "table_copy": COPY, "plan_copy": COPY,
    "table_header": CLERK_WRITE, "goal_create": CLERK_WRITE, "goal_update": CLERK_WRITE,
    "indicator_create": CLERK_WRITE, "indicator_update": CLERK_WRITE,
    "plan_child_create": CLERK_WRITE, "plan_child_update": CLERK_WRITE,
    "goal_delete": CLERK_ACTION, "goal_move": CLERK_ACTION, "indicator_delete": CLERK_ACTION,
    "indicator_move": CLERK_ACTION, "indicator_new": CLERK_ACTION, "plan_main": CLERK_ACTION,
    "plan_child_delete": CLERK_ACTION, "plan_child_move": CLERK_ACTION,
    # without a level-2 category the fill has nothing to fill: 404 for everyone allowed to write
    "indicator_fill": (302, 404, 403, 404, 404),
    # quality review (review)
    "review_report": EVERYONE, "review_rules": EVERYONE,
    "review_table": PAGE, "review_plan": PAGE,
    "review_table_keep": CLERK_WRITE, "review_plan_keep": CLERK_WRITE,
    "review_table_unkeep": CLERK_ACTION, "review_plan_unkeep": CLERK_ACTION,
    # printing and export
    "print_table": PAGE, "print_plan": PAGE, "print_book": PAGE, "print_book_preview": PAGE,
    "export_json": EVERYONE,
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(make_table, unit, other_unit, clerk, supervisor, other_clerk, admin_user):
    table = make_table()
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="提升招商引资质量。")
    item = PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="引进项目 10 个。")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SAFEGUARD, text="建立台账。")
    comment = Comment.objects.create(unit=unit, table=table, author=supervisor, text="请核对。")
    from perfgoals.review.models import KeptHint

    kept = {doc: KeptHint.objects.create(code="TEXT_DESCRIPTION_REPEATS_NAME", target="table", reason="保留",
                                         user=clerk, **{doc: owner})
            for doc, owner in (("table", table), ("plan", plan))}
    users = {"anonymous": None, "clerk": clerk, "supervisor": supervisor, "other_clerk": other_clerk,
             "admin": admin_user}
    return {"table": table, "plan": plan, "item": item, "comment": comment, "kept": kept, "users": users}


def _kwargs(name: str, route: str, params: list[str], world) -> dict:
    table, plan = world["table"], world["plan"]
    owner = plan if route.startswith(("plans/", "plan/", "print/plan/", "review/plan/", "workflow/plan/")) else table
    values = {
        "pk": world["comment"].pk if name == "comment_resolve" else owner.pk,
        "goal_pk": table.goals.first().pk,
        "indicator_pk": table.indicators.first().pk,
        "kept_pk": world["kept"]["plan" if owner is plan else "table"].pk,
        "kind": "sub_goal",
        "child_pk": world["item"].pk,
        "code": table.unit.code,
        "year": table.year,
    }
    return {p: values[p] for p in params}


def _set_state(name: str, world) -> None:
    state = STATE.get(name)
    if state:
        doc = world["plan"] if name.startswith("plan_") else world["table"]
        submitter = make_user("submitter", doc.unit, Membership.CLERK)
        type(doc).objects.filter(pk=doc.pk).update(status=state, submitted_by=submitter)


def _request(client, name: str, world, role: str):
    route, params = URLS[name]
    url = reverse(name, kwargs=_kwargs(name, route, params, world))
    user = world["users"][role]
    if user:
        client.force_login(user)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, DATA.get(name, {}))
    return response


def test_every_url_has_an_expectation():
    missing = sorted(set(URLS) - set(EXPECTED))
    assert not missing, f"add these URLs to EXPECTED in {__file__}: {missing}"


@pytest.mark.parametrize("name", sorted(URLS))
def test_access(client, world, name):
    """Each role asks in a savepoint rolled back afterwards, so every role meets the same state."""
    if name not in EXPECTED:
        pytest.fail(f"no expectation for {name}: add it to EXPECTED")
    _set_state(name, world)
    answers = []
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            response = _request(client, name, world, role)
            answers.append(response.status_code)
            if role == "anonymous" and response.status_code == 302:
                assert response.url.startswith(reverse("login")), f"{name}: anonymous sent to {response.url}"
            transaction.set_rollback(True)

    assert dict(zip(ROLES, answers)) == dict(zip(ROLES, EXPECTED[name])), name


def test_the_admin_is_for_staff_only(client, clerk, supervisor, admin_user):
    assert client.get("/admin/").status_code == 302
    for user in (clerk, supervisor):
        client.force_login(user)
        assert client.get("/admin/").url.startswith("/admin/login/")
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
