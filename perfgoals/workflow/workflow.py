"""The review workflow: the only code that changes the state of a table or a plan.

草稿 → 已提交 (the clerk submits; refused while the quality review finds an 错误)
→ 已通过 (a supervisor approves) or 已退回 (a supervisor returns it with a comment;
the clerk edits and submits again). Until a supervisor acts, the clerk may take a
submission back (撤回: 已提交 → 草稿). An approved document can be reopened as a new
revision (调整); the approved one stays intact and printable. A draft made by mistake,
never submitted, may be deleted; its history (a "-" record) stays.

Every transition locks the row, checks the state it finds in the database (not the
one the caller saw), and saves with a change reason, so the audit trail says who did
what and when. Two clicks, two tabs or two supervisors at once therefore give one
state change and one audit entry; the loser gets a Chinese message saying what
happened instead.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format

from perfgoals.goals import access
from perfgoals.goals.access import refuse
from perfgoals.goals.models import DepartmentPlan, ProjectTable, Status
from perfgoals.review.outcome import review_document
from perfgoals.units.access import roles_for
from perfgoals.units.models import Membership
from perfgoals.workflow.changes import edited_by

logger = logging.getLogger("perfgoals.workflow")

Document = ProjectTable | DepartmentPlan
REASON_LENGTH = 100  # simple_history's change-reason column

# Sent after a submit or an approval is saved (inside the caller's transaction, if any),
# with `document` and `action` ("submit" or "approve"): printing renders what will not
# change until the next transition (perfgoals/printing/apps.py), without workflow knowing
# about printing.
transitioned = Signal()


class WorkflowError(Exception):
    """A transition that cannot happen now; `message` is shown to the user."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def _require_clerk(user, doc: Document, action: str) -> None:
    """Submitting, withdrawing, deleting a draft and reopening are the clerk's (填报人) of the document's unit."""
    if Membership.CLERK not in roles_for(user, doc.unit):
        refuse(user, action, doc, "只有本单位的填报人可以执行此操作。")


def _require_reviewer(user, doc: Document, action: str) -> None:
    """Approving and returning are a supervisor's who may review the document (access.can)."""
    if not access.can(user, "review", doc):
        refuse(user, action, doc, "只有本单位的审核人可以执行此操作。")


def _locked(doc: Document) -> Document:
    return type(doc).objects.select_for_update().select_related("unit").get(pk=doc.pk)


def _who_when(user, when) -> str:
    name = (user.get_full_name() or user.username) if user else "他人"
    return f"{name}于 {date_format(timezone.localtime(when), 'Y-m-d H:i')} " if when else f"{name}"


def state_message(doc: Document, attempted: str) -> str:
    """Why `attempted` cannot happen in the document's current state, in words."""
    kind = doc.kind_label
    if doc.status == Status.SUBMITTED:
        return f"{attempted}未执行：该{kind}已由{_who_when(doc.submitted_by, doc.submitted_at)}提交，正在等待审核。"
    if doc.status == Status.APPROVED:
        return f"{attempted}未执行：该{kind}已由{_who_when(doc.approved_by, doc.approved_at)}审核通过。"
    if doc.status == Status.RETURNED:
        return f"{attempted}未执行：该{kind}已被退回，正在等待填报人修改后重新提交。"
    return f"{attempted}未执行：该{kind}尚未提交。"


def _save(doc: Document, user, reason: str) -> None:
    """Save with the audit trail's who and why, whether or not there is a request."""
    doc._change_reason = reason[:REASON_LENGTH]
    doc._history_user = user
    doc.save()
    del doc._change_reason  # a later save of the same instance is not this transition


def problems_of(doc: Document) -> list:
    """The quality review's open problems, errors first: the hints the clerk kept are left out
    (review_document, the one entry to the review). Any error blocks submission."""
    return review_document(doc).open_problems


def submit(doc: Document, user) -> Document:
    with transaction.atomic():
        doc = _locked(doc)
        _require_clerk(user, doc, "submit")
        if doc.is_template:
            raise WorkflowError("模板库中的范例不参与审核，请复制后填报。")
        if doc.status not in (Status.DRAFT, Status.RETURNED):
            raise WorkflowError(state_message(doc, "提交"))
        errors = [p for p in problems_of(doc) if p.is_error]
        if errors:
            raise WorkflowError(f"质量审核发现 {len(errors)} 个错误，请修改后再提交：", errors)
        doc.status = Status.SUBMITTED
        doc.submitted_at, doc.submitted_by = timezone.now(), user
        doc.approved_at, doc.approved_by = None, None
        _save(doc, user, "提交")
    logger.info("%s %s submitted by %s", doc.kind, doc.pk, user.username)
    transitioned.send(type(doc), document=doc, action="submit")
    return doc


def withdraw(doc: Document, user) -> Document:
    """撤回: the clerk takes a submission back to draft before a supervisor approves or returns it."""
    with transaction.atomic():
        doc = _locked(doc)
        _require_clerk(user, doc, "withdraw")
        if doc.status != Status.SUBMITTED:
            raise WorkflowError(state_message(doc, "撤回"))
        doc.status = Status.DRAFT
        doc.submitted_at, doc.submitted_by = None, None
        _save(doc, user, "撤回")
    logger.info("%s %s withdrawn by %s", doc.kind, doc.pk, user.username)
    return doc


def approve(doc: Document, user) -> Document:
    with transaction.atomic():
        doc = _locked(doc)
        _require_reviewer(user, doc, "approve")
        if doc.status != Status.SUBMITTED:
            raise WorkflowError(state_message(doc, "审核通过"))
        if why := approval_refusal(doc, user):
            refuse(user, "approve", doc, why)
        doc.status = Status.APPROVED
        doc.approved_at, doc.approved_by = timezone.now(), user
        _save(doc, user, "通过")
    logger.info("%s %s approved by %s", doc.kind, doc.pk, user.username)
    transitioned.send(type(doc), document=doc, action="approve")
    return doc


def approval_refusal(doc: Document, user) -> str:
    """Why this supervisor may not approve the document ("" when they may). Four eyes: not who
    submitted it, nor anyone who wrote any of this revision (changes.edited_by), whatever
    other roles they have; someone else approves it."""
    if doc.submitted_by_id == user.pk:
        return f"该{doc.kind_label}由您提交，需由其他审核人审核通过。"
    if edited_by(doc, user):
        return f"您修改过该{doc.kind_label}的本版本，需由其他审核人审核通过。"
    return ""


def return_(doc: Document, user, comment: str) -> Document:
    from perfgoals.workflow.models import COMMENT, Comment

    comment = (comment or "").strip()
    with transaction.atomic():
        doc = _locked(doc)
        _require_reviewer(user, doc, "return")
        if not comment:
            raise WorkflowError("退回时请填写退回意见，说明需要修改的内容。")
        if len(comment) > COMMENT:
            raise WorkflowError(f"退回意见最多 {COMMENT} 字（现有 {len(comment)} 字），请删减后再退回。")
        if doc.status != Status.SUBMITTED:
            raise WorkflowError(state_message(doc, "退回"))
        doc.status = Status.RETURNED
        _save(doc, user, f"退回：{comment}")
        note = Comment(unit=doc.unit, text=comment, author=user, **{doc.kind: doc})
        note._history_user = user
        note.save()
    logger.info("%s %s returned by %s", doc.kind, doc.pk, user.username)
    return doc


def deletion_refusal(doc: Document) -> str:
    """Why the document may not be deleted ("" when it may): only a draft made by mistake
    goes, one never submitted (its history says so), the first revision, not a template."""
    kind = doc.kind_label
    if doc.is_template:
        return "模板库中的范例不能在这里删除。"
    if doc.revision != 1:
        return f"调整中的版本不能删除：该{kind}是版本 {doc.revision}，已通过的版本仍然有效，请修改后提交。"
    if doc.status != Status.DRAFT or type(doc).history.filter(id=doc.pk).exclude(status=Status.DRAFT).exists():
        return f"只有从未提交过的草稿可以删除：该{kind}已提交过，要保留审核记录。"
    return ""


def deletion_check(doc: Document, user) -> str:
    """Before the confirmation page: anyone but the unit's clerk is refused (403); then why
    the document cannot be deleted, "" when it can."""
    _require_clerk(user, doc, "delete")
    return deletion_refusal(doc)


def delete(doc: Document, user) -> None:
    """Delete a draft made by mistake, with its rows; the audit trail keeps a "-" record of each."""
    with transaction.atomic():
        doc = _locked(doc)
        _require_clerk(user, doc, "delete")
        if why := deletion_refusal(doc):
            raise WorkflowError(why)
        pk = doc.pk
        doc._change_reason = "删除"
        doc._history_user = user
        doc.delete()
    logger.info("%s %s deleted by %s", doc.kind, pk, user.username)


def next_revision(doc: Document) -> Document | None:
    """The revision opened from this one, if any."""
    return type(doc).objects.filter(previous=doc).order_by("-revision").first()


def reopen(doc: Document, user) -> Document:
    """Open an approved document as a new revision (调整); the approved one stays as it is."""
    with transaction.atomic():
        doc = _locked(doc)
        _require_clerk(user, doc, "reopen")
        if doc.status != Status.APPROVED:
            raise WorkflowError(f"只有已通过的{doc.kind_label}可以调整。")
        if later := next_revision(doc):
            raise WorkflowError(f"该{doc.kind_label}已有调整中的版本 {later.revision}，请在该版本上修改。")
        new = _copy(doc, user)
        new.previous = doc
        new.status = Status.DRAFT
        new.revision = doc.revision + 1
        new.submitted_at = new.submitted_by = new.approved_at = new.approved_by = None
        _save(new, user, f"调整：由版本 {doc.revision} 复制为版本 {new.revision}")
    logger.info("%s %s reopened as %s by %s", doc.kind, doc.pk, new.pk, user.username)
    return new


def _copy(doc: Document, user) -> Document:
    from perfgoals.goals import copying

    copy = {"table": copying.copy_table, "plan": copying.copy_plan}[doc.kind]
    return copy(doc, unit=doc.unit, year=doc.year, user=user, revision=doc.revision + 1)


# What a user may do with a document now: drives the buttons; the functions above decide.


def allowed_actions(doc: Document, user) -> set[str]:
    if doc.is_template or not user.is_authenticated:
        return set()
    clerk = Membership.CLERK in roles_for(user, doc.unit)
    reviewer = access.can(user, "review", doc)
    actions = set()
    if clerk and doc.status in (Status.DRAFT, Status.RETURNED):
        actions.add("submit")
    if clerk and doc.status == Status.SUBMITTED:
        actions.add("withdraw")
    if clerk and doc.status == Status.DRAFT and not deletion_refusal(doc):
        actions.add("delete")
    if reviewer and doc.status == Status.SUBMITTED:
        actions.add("return")
        if not approval_refusal(doc, user):
            actions.add("approve")
    if clerk and doc.status == Status.APPROVED and not next_revision(doc):
        actions.add("reopen")
    if reviewer:
        actions.add("comment")
    return actions


def revisions(doc: Document) -> list[Document]:
    """Every revision of this document, oldest first (following `previous` both ways)."""
    model = type(doc)
    root, seen = doc, {doc.pk}
    while root.previous_id and root.previous_id not in seen:
        root = model.objects.get(pk=root.previous_id)
        seen.add(root.pk)
    chain = [root]
    while (nxt := model.objects.filter(previous=chain[-1]).order_by("revision").first()) and nxt.pk not in {
        d.pk for d in chain
    }:
        chain.append(nxt)
    return chain


# What the pages show about a document's workflow, prepared by the views (templates only read it).


def open_comments(doc: Document, row: tuple[str, int] | None = None) -> dict:
    """The open comments of a table or plan and of its rows, read with one query; with `row`
    (("indicator", pk) …), only those about that row (a page answering that row's save).

    `comments`: all of them; `whole`: those about the whole document; `rows`: those about
    a row, keyed by ("goal" | "indicator" | "plan_indicator", the row's pk).
    """
    from perfgoals.workflow.models import Comment

    comments = Comment.objects.filter(**{doc.kind: doc}, resolved_at__isnull=True)
    if row:
        comments = comments.filter(**{f"{row[0]}_id": row[1]}).select_related("author")
    else:
        comments = comments.select_related("author", "goal", "indicator", "plan_indicator")
    comments = list(comments)
    whole, rows = [], {}
    for comment in comments:
        row = comment.row
        if row is None:
            whole.append(comment)
        else:
            rows.setdefault(row, []).append(comment)
    return {"comments": comments, "whole": whole, "rows": rows}


def document_panel(doc: Document, user) -> dict:
    """The workflow bar of a document's pages: its state, what the user may do with it, whether
    there are revisions to compare, and its open comments (see `open_comments`)."""
    actions = allowed_actions(doc, user)
    return {
        "doc": doc,
        "kind": doc.kind,
        "actions": actions,
        # why a supervisor who may return it may not approve it (four eyes)
        "approval_refusal": approval_refusal(doc, user) if "return" in actions and "approve" not in actions else "",
        "page": f"workflow_{doc.kind}",
        "has_revisions": doc.revision > 1 or next_revision(doc) is not None,
        **open_comments(doc),
    }
