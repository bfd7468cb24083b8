"""Who may see and do what: per identity, for a unit's documents and for the template library.

A unit's tables and plans (the document's unit has a parent department above it):

    identity                         see    edit   submit  approve/return  print
    anonymous                        login  login  login   login           login
    the unit's clerk                 yes    yes    yes     403             yes
    the unit's supervisor            yes    403    403     yes             yes
    another unit's clerk             404    404    404     404             404
    another unit's supervisor        404    404    404     404             404
    a parent department's clerk      404    404    404     404             404
    a parent department's supervisor yes    403    403     yes             yes
    staff without the admin role     404    404    404     404             404
    an administrator                 yes    yes    yes     yes             yes
    clerk and supervisor of the unit yes    yes    yes     yes*            yes

    * never what they submitted themselves (403): someone else approves it.

Template library (模板库) documents:

    identity                         see    edit   submit  approve/return  print
    anonymous                        login  login  login   login           login
    the template unit's clerk        yes    403    no      403             yes
    the template unit's supervisor   yes    403    403     403             yes
    another unit's clerk             yes    403    403     403             yes
    staff without the admin role     yes    403    403     403             yes
    an administrator                 yes    yes    no      403             yes

yes: done (page shown, change saved, state changed, PDF printed); 404: not found, as if it
did not exist; 403: refused and logged; login: sent to the login page; no: refused with a
message (templates take no part in review) and nothing changes. "edit" is of a draft or
returned document: a submitted or approved one is 403 for everyone (tests/test_workflow.py).
The tables above are read by `test_the_matrix_*`, so they say what the application does.

Below them, every URL of the application × every identity → the expected status code.
The URLs are found by walking the resolver, so a new URL without an entry in EXPECTED
fails `test_every_url_has_an_expectation`. Each case builds its objects afresh (a draft
table of the unit, its goal and indicator, a plan with one item, a comment, a kept hint)
and asks with GET, or with POST for a view that only accepts POST.
"""

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from perfgoals.goals.models import DepartmentPlan, PlanItem, ProjectTable, Status
from perfgoals.units.models import Membership, Unit
from perfgoals.workflow import workflow
from perfgoals.workflow.models import Comment
from tests.conftest import make_user

ROLES = ["anonymous", "clerk", "supervisor", "other_clerk", "other_supervisor", "parent_clerk",
         "parent_supervisor", "staff", "admin", "both"]  # fmt: skip
NAMES = {
    "anonymous": "anonymous", "the unit's clerk": "clerk", "the unit's supervisor": "supervisor",
    "another unit's clerk": "other_clerk", "another unit's supervisor": "other_supervisor",
    "a parent department's clerk": "parent_clerk", "a parent department's supervisor": "parent_supervisor",
    "staff without the admin role": "staff", "an administrator": "admin", "clerk and supervisor of the unit": "both",
    "the template unit's clerk": "template_clerk", "the template unit's supervisor": "template_supervisor",
}  # fmt: skip
COLUMNS = ["see", "edit", "submit", "approve/return", "print"]


def _matrix(heading: str) -> dict[str, dict[str, str]]:
    """The table under `heading` in this module's docstring: role → column → cell."""
    lines = __doc__.split(heading, 1)[1].split("\n\n", 2)[1].splitlines()
    rows = {}
    for line in lines[1:]:
        name = next(n for n in NAMES if line.strip().startswith(n))
        cells = line.strip()[len(name):].split()
        rows[NAMES[name]] = dict(zip(COLUMNS, [c.rstrip("*") for c in cells], strict=True))
    return rows


DOCUMENT_MATRIX = _matrix("A unit's tables and plans")
TEMPLATE_MATRIX = _matrix("Template library (模板库) documents")

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
    "table_withdraw": Status.SUBMITTED, "plan_withdraw": Status.SUBMITTED,
    "table_approve_confirm": Status.SUBMITTED, "plan_approve_confirm": Status.SUBMITTED,
}
# Form data sent with a POST (enough for the action to succeed for a permitted role).
DATA = {
    "table_return": {"comment": "请修改。"}, "plan_return": {"comment": "请修改。"},
    "table_comment_add": {"text": "意见"}, "plan_comment_add": {"text": "意见"},
}

# Expected status per identity, in ROLES order:
#                    anon clerk sup  oclk osup pclk psup staff admin both
PAGE =              (302, 200, 200, 404, 404, 404, 200, 404, 200, 200)  # a page of the unit's object
CLERK_WRITE =       (302, 200, 403, 404, 404, 404, 403, 404, 200, 200)  # an edit by the clerk (htmx partial 200)
CLERK_ACTION =      (302, 302, 403, 404, 404, 404, 403, 404, 302, 302)  # a clerk's action, redirecting when done
SUPERVISOR_ACTION = (302, 403, 302, 404, 404, 404, 302, 404, 302, 302)
EVERYONE =          (302, 200, 200, 200, 200, 200, 200, 200, 200, 200)  # own units' or shared data
COPY =              (302, 302, 302, 404, 404, 404, 302, 404, 302, 302)  # copying a readable table, resolving
DESK =              (302, 403, 200, 403, 200, 403, 200, 403, 200, 200)  # only supervisors review
REVIEW_PAGE =       (302, 403, 200, 404, 404, 404, 200, 404, 200, 200)  # a page only reviewers open (confirm approval)
ADMIN_ONLY =        (302, 403, 403, 403, 403, 403, 403, 403, 200, 403)  # 批量打印: administrators only
# Without a level-2 category the fill has nothing to fill: 404 for everyone allowed to write.
FILL =              (302, 404, 403, 404, 404, 404, 403, 404, 404, 404)  # fmt: skip

EXPECTED = {
    # workflow
    "desk": DESK,
    "comment_resolve": COPY,  # the unit's people mark a comment handled, and are sent back
    "workflow_table": PAGE, "table_history": PAGE, "table_diff": PAGE, "table_comments": PAGE,
    "workflow_plan": PAGE, "plan_history": PAGE, "plan_diff": PAGE, "plan_comments": PAGE,
    "table_submit": CLERK_ACTION, "plan_submit": CLERK_ACTION,
    "table_withdraw": CLERK_ACTION, "plan_withdraw": CLERK_ACTION,
    "table_delete": CLERK_WRITE, "plan_delete": CLERK_WRITE,  # GET: the confirmation page
    "table_approve_confirm": REVIEW_PAGE, "plan_approve_confirm": REVIEW_PAGE,
    "table_reopen": CLERK_ACTION, "plan_reopen": CLERK_ACTION,
    "table_approve": SUPERVISOR_ACTION, "plan_approve": SUPERVISOR_ACTION,
    "table_return": SUPERVISOR_ACTION, "plan_return": SUPERVISOR_ACTION,
    "table_comment_add": SUPERVISOR_ACTION, "plan_comment_add": SUPERVISOR_ACTION,
    # the editor (goals)
    "home": EVERYONE, "template_library": EVERYONE, "table_new": EVERYONE, "plan_new": EVERYONE,
    "framework_skeleton": EVERYONE, "indicator_suggest": EVERYONE, "value_preview": EVERYONE,
    "table_edit": PAGE, "plan_edit": PAGE, "table_preview": PAGE, "plan_preview": PAGE,
    "table_header_check": PAGE,
    "table_copy": COPY, "plan_copy": COPY,
    "table_copy_framework": CLERK_WRITE,  # GET: the choice of framework; only the unit's clerk copies
    "table_header": CLERK_ACTION,  # a header post changing nothing: saved, back to the editor
    "table_sources": CLERK_ACTION,  # 资金来源 (none on the test framework): saved, back to the editor
    "goal_create": CLERK_WRITE, "goal_update": CLERK_WRITE,
    "indicator_create": CLERK_WRITE, "indicator_update": CLERK_WRITE,
    "plan_child_create": CLERK_WRITE, "plan_child_update": CLERK_WRITE,
    "goal_delete": CLERK_ACTION, "goal_move": CLERK_ACTION, "indicator_delete": CLERK_ACTION,
    "indicator_move": CLERK_ACTION, "indicator_new": CLERK_ACTION, "plan_main": CLERK_ACTION,
    "plan_child_delete": CLERK_ACTION, "plan_child_move": CLERK_ACTION,
    "indicator_fill": FILL,
    "indicator_paste": CLERK_WRITE,  # an empty paste: the editor with the message beside the paste box
    "indicator_import": CLERK_WRITE,  # no file: the editor with the message beside the upload
    "indicator_export": PAGE,
    # quality review (review)
    "review_report": EVERYONE, "review_rules": EVERYONE,
    "review_table": PAGE, "review_plan": PAGE,
    "review_table_keep": CLERK_WRITE, "review_plan_keep": CLERK_WRITE,
    "review_table_unkeep": CLERK_ACTION, "review_plan_unkeep": CLERK_ACTION,
    # printing and export
    "print_table": PAGE, "print_plan": PAGE, "print_book": PAGE, "print_book_preview": PAGE,
    "xlsx_table": PAGE, "xlsx_book": PAGE,
    "print_batches": ADMIN_ONLY, "print_batch": ADMIN_ONLY, "print_batch_file": ADMIN_ONLY,
    # accounts
    "password_change": EVERYONE, "password_change_done": EVERYONE,
    "healthz": (200,) * len(ROLES),  # for a load balancer: no sign-in
    "export_json": EVERYONE, "import_document": EVERYONE,  # the page; a POST is checked in test_exchange_import
}


@pytest.fixture
def cast(unit, other_unit, clerk, supervisor, other_clerk, admin_user) -> dict[str, User | None]:
    """Every identity, with the document's unit placed under a parent department."""
    parent = Unit.objects.create(code="990000", name="测试县测试局")
    unit.parent = parent
    unit.save()
    both = make_user("both", unit, Membership.CLERK)
    Membership.objects.create(user=both, unit=unit, role=Membership.SUPERVISOR)
    return {
        "anonymous": None, "clerk": clerk, "supervisor": supervisor, "other_clerk": other_clerk,
        "other_supervisor": make_user("othersupervisor", other_unit, Membership.SUPERVISOR),
        "parent_clerk": make_user("parentclerk", parent, Membership.CLERK),
        "parent_supervisor": make_user("parentsupervisor", parent, Membership.SUPERVISOR),
        "staff": make_user("staff", None, "", is_staff=True), "admin": admin_user, "both": both,
    }  # fmt: skip


@pytest.fixture
def world(make_table, unit, cast, clerk, supervisor, settings, tmp_path):
    table = make_table()
    plan = DepartmentPlan.objects.create(unit=unit, year=2026, overall_goal="提升招商引资质量。")
    item = PlanItem.objects.create(plan=plan, kind=PlanItem.SUB_GOAL, text="引进项目 10 个。")
    PlanItem.objects.create(plan=plan, kind=PlanItem.SAFEGUARD, text="建立台账。")
    comment = Comment.objects.create(unit=unit, table=table, author=supervisor, text="请核对。")
    from perfgoals.review.models import KeptHint

    kept = {doc: KeptHint.objects.create(code="TEXT_DESCRIPTION_REPEATS_NAME", target="table", reason="保留",
                                         user=clerk, **{doc: owner})
            for doc, owner in (("table", table), ("plan", plan))}
    from perfgoals.printing.models import PrintBatch, PrintBatchItem

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    batch = PrintBatch.objects.create(year=2026, created_by=cast["admin"])
    printed = PrintBatchItem.objects.create(batch=batch, unit=unit, status=PrintBatchItem.DONE, file="print-batches/test.pdf")
    default_storage.save(printed.file, ContentFile(b"%PDF-1.7 test"))
    return {"table": table, "plan": plan, "item": item, "comment": comment, "kept": kept, "users": cast, "batch": batch}


def _login(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


# ---------------------------------------------------------------- the matrix, cell by cell


def _cell(response, done: bool) -> str:
    """What a response says, in the matrix's words."""
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code in (200, 302), response.status_code
    return "yes" if done else "no"


def _try(client, user, doc, action: str) -> str:
    """Try `action` on `doc` as `user`, in a savepoint rolled back afterwards; the cell it gives."""
    model, kind = type(doc), doc.kind
    with transaction.atomic():
        if action in ("approve", "return"):  # someone else submitted it: approving one's own is the * case
            model.objects.filter(pk=doc.pk).update(status=Status.SUBMITTED, submitted_by=None)
        _login(client, user)
        if action == "see":
            response = client.get(reverse(f"workflow_{kind}", args=[doc.pk]))
            done = response.status_code == 200
        elif action == "print":
            response = client.get(reverse(f"print_{kind}", args=[doc.pk]))
            done = response.status_code == 200 and response.content.startswith(b"%PDF")
        elif action == "edit" and kind == "table":
            data = {"project_name": "改过的项目名称", "project_code": doc.project_code, "budget_total": "5"}
            response = client.post(reverse("table_header", args=[doc.pk]), data)
            done = model.objects.get(pk=doc.pk).project_name == "改过的项目名称"
        elif action == "edit":
            response = client.post(reverse("plan_main", args=[doc.pk]), {"overall_goal": "改过的总体目标"})
            done = model.objects.get(pk=doc.pk).overall_goal == "改过的总体目标"
        else:
            response = client.post(reverse(f"{kind}_{action}", args=[doc.pk]), {"comment": "请修改。"})
            after = {"submit": Status.SUBMITTED, "approve": Status.APPROVED, "return": Status.RETURNED}[action]
            done = model.objects.get(pk=doc.pk).status == after
        transaction.set_rollback(True)
    return _cell(response, done)


def _ask(client, user, column: str, doc) -> str:
    if column != "approve/return":
        return _try(client, user, doc, column)
    approving, returning = _try(client, user, doc, "approve"), _try(client, user, doc, "return")
    assert approving == returning, f"approve: {approving}, return: {returning}"
    return approving


@pytest.mark.parametrize("kind", ["table", "plan"])
@pytest.mark.parametrize("role", list(DOCUMENT_MATRIX))
def test_the_matrix_of_a_units_documents(client, world, role, kind):
    doc = world[kind]
    answers = {column: _ask(client, world["users"][role], column, doc) for column in COLUMNS}
    assert answers == DOCUMENT_MATRIX[role]


@pytest.fixture
def template_cast(cast) -> dict[str, User | None]:
    seed_unit = ProjectTable.objects.filter(is_template=True).first().unit
    return {
        "anonymous": None, "other_clerk": cast["other_clerk"], "staff": cast["staff"], "admin": cast["admin"],
        "template_clerk": make_user("seedclerk", seed_unit, Membership.CLERK),
        "template_supervisor": make_user("seedsupervisor", seed_unit, Membership.SUPERVISOR),
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["table", "plan"])
@pytest.mark.parametrize("role", list(TEMPLATE_MATRIX))
def test_the_matrix_of_the_template_library(client, template_cast, role, kind):
    template = {"table": ProjectTable, "plan": DepartmentPlan}[kind].objects.filter(is_template=True).first()
    answers = {column: _ask(client, template_cast[role], column, template) for column in COLUMNS}
    assert answers == TEMPLATE_MATRIX[role]


def test_a_user_holding_both_roles_cannot_approve_what_they_submitted(client, world):
    both, table = world["users"]["both"], world["table"]
    workflow.submit(table, both)
    _login(client, both)

    assert client.post(reverse("table_approve", args=[table.pk])).status_code == 403
    assert client.post(reverse("table_return", args=[table.pk]), {"comment": "请修改。"}).status_code == 302
    table.refresh_from_db()
    assert table.status == Status.RETURNED  # returning one's own submission is allowed: it only sends it back


# ---------------------------------------------------------------- every URL × every identity


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
        "batch_pk": world["batch"].pk,
        "year": table.year,
        "fmt": "xlsx",
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
    _login(client, world["users"][role])
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, DATA.get(name, {}))
    return response


def test_every_url_has_an_expectation():
    missing = sorted(set(URLS) - set(EXPECTED))
    assert not missing, f"add these URLs to EXPECTED in {__file__}: {missing}"


@pytest.mark.parametrize("name", sorted(URLS))
def test_access(client, world, name):
    """Each identity asks in a savepoint rolled back afterwards, so every one meets the same state."""
    if name not in EXPECTED:
        pytest.fail(f"no expectation for {name}: add it to EXPECTED")
    _set_state(name, world)
    answers = []
    for role in ROLES:
        with transaction.atomic():
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
