"""Print work as Celery tasks (perfgoals/celery.py): in `celery worker` processes when a
broker is configured, else at once in the process that sends them.

- `prepare_document`: after a table or plan is submitted or approved (apps.py), its
  standalone PDF when approved (stored once, render.document_pdf) and its unit's book,
  so that every piece of the book, its cover and contents and its page numbers are in the
  print cache: downloading the book then only assembles cached pieces. Drafts are not
  rendered as they are saved: the editor saves each field as the clerk types, and a draft
  prints with a watermark anyway; it is rendered when it is submitted.
- `print_batch_item`: one unit's book of a batch print (batch.py), stored in the default
  storage, its row marked 已生成 (or 本年度没有绩效目标, or 生成失败 with the error logged).

Every task reads what it needs from the database when it runs and may run twice (a worker
killed in the middle: the broker hands the message to another): what it writes is keyed
by content (the cache) or by document and revision (ApprovedPdf), or checked first.
"""

from __future__ import annotations

import io
import logging

import pikepdf
from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from perfgoals.goals.models import Status
from perfgoals.printing import book, render
from perfgoals.printing.models import PrintBatchItem

logger = logging.getLogger("perfgoals.printing")

QUERYSETS = {"table": render.table_queryset, "plan": render.plan_queryset}


@shared_task
def prepare_document(kind: str, pk: int) -> None:
    document = QUERYSETS[kind]().filter(pk=pk).first()
    if document is None or document.is_template:  # deleted meanwhile; templates are not reviewed
        return
    try:
        if document.status == Status.APPROVED:
            render.document_pdf(document)
        book.render_book(document.unit, document.year)
    except Exception:  # noqa: BLE001 — a download renders it again, and says so if it fails
        logger.exception("print: preparing %s %s failed", kind, pk)


def batch_file_name(item: PrintBatchItem) -> str:
    return f"print-batches/{item.batch_id}/{item.batch.year}-{item.unit.code}.pdf"


@shared_task
def print_batch_item(pk: int) -> None:
    item = PrintBatchItem.objects.select_related("batch", "unit").filter(pk=pk).first()
    if item is None or item.status != PrintBatchItem.WAITING:  # the batch was deleted, or done already
        return
    year = item.batch.year
    try:
        plan, tables = book.book_contents(item.unit, year)
        if plan is None and not tables:
            _finish(item, PrintBatchItem.EMPTY)
            return
        pdf = book.render_book(item.unit, year)
        name = default_storage.save(batch_file_name(item), ContentFile(pdf))
        pages = len(pikepdf.Pdf.open(io.BytesIO(pdf)).pages)
        _finish(item, PrintBatchItem.DONE, file=name, pages=pages, size=len(pdf))
    except Exception:  # noqa: BLE001 — one unit's failure does not stop the batch
        logger.exception("print: batch %s: the book of %s failed", item.batch_id, item.unit.code)
        _finish(item, PrintBatchItem.FAILED)


def _finish(item: PrintBatchItem, status: str, **fields) -> None:
    PrintBatchItem.objects.filter(pk=item.pk).update(status=status, finished=timezone.now(), **fields)
