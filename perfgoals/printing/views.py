"""下载PDF: a table, a plan or the department book, inline (preview) or as an attachment;
导出Excel: a table, or the unit's year, as the printed form in a workbook (printing.xlsx);
批量打印: an administrator's batch print of many units' books, and its progress."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing import batch, book, render as printing, runner, xlsx
from perfgoals.printing.forms import BatchForm
from perfgoals.printing.models import PrintBatch, PrintBatchItem
from perfgoals.units.access import is_admin, restrict
from perfgoals.units.models import Unit


def time_limited(view):
    """A render over its time limit (runner.PrintTimeout) answers 503 with the Chinese message."""

    @wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except runner.PrintTimeout as e:
            response = render(request, "print/too_long.html", {"message": e.message}, status=503)
            response["X-Frame-Options"] = "SAMEORIGIN"  # shown where the PDF would be: in the book preview's frame
            return response

    return answer


def pdf_response(request: HttpRequest, pdf: bytes, filename: str) -> HttpResponse:
    attachment = request.GET.get("download") == "1"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"  # the book preview shows it in a frame (X_FRAME_OPTIONS is DENY)
    return response


@login_required
@time_limited
def print_table(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(printing.table_queryset().restrict(request.user, "print"), pk=pk)
    filename = f"{table.year}-{table.project_name}绩效目标表.pdf"
    return pdf_response(request, printing.document_pdf(table), filename)


@login_required
@time_limited
def print_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(printing.plan_queryset().restrict(request.user, "print"), pk=pk)
    filename = f"{plan.year}-{plan.unit.name}部门整体绩效目标.pdf"
    return pdf_response(request, printing.document_pdf(plan), filename)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def xlsx_table(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(printing.table_queryset().restrict(request.user, "print"), pk=pk)
    return xlsx_response(xlsx.table_workbook(table), f"{table.year}-{table.project_name}绩效目标表.xlsx")


def book_unit(request: HttpRequest, code: str) -> tuple[Unit, bool]:
    """The unit and whether the user may print its own documents (else only its templates)."""
    unit = get_object_or_404(Unit, code=code)
    if restrict(Unit.objects.filter(pk=unit.pk), request.user, unit_field="pk").exists():
        return unit, False
    if any(model.objects.filter(unit=unit, is_template=True).exists() for model in (ProjectTable, DepartmentPlan)):
        return unit, True  # a template unit: its template tables, or only its template plan (鄂州)
    raise Http404("没有找到该单位。")


@login_required
@time_limited
def print_book(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit, templates_only = book_unit(request, code)
    plan, tables = book.book_contents(unit, year, templates_only=templates_only)
    if plan is None and not tables:
        raise Http404("该单位本年度没有绩效目标。")
    pdf = book.render_book(unit, year, templates_only=templates_only, contents=(plan, tables))
    return pdf_response(request, pdf, f"{year}-{unit.name}部门预算绩效目标文本.pdf")


@login_required
def preview_book(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A page that shows 正在生成 while the book renders, then the PDF in a frame."""
    unit, _ = book_unit(request, code)
    return render(request, "print/preview.html", {"unit": unit, "year": year})


@login_required
def xlsx_book(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The unit's year as one workbook: the plan's sheet, then a sheet per table (as 全本PDF finds them)."""
    unit, templates_only = book_unit(request, code)
    plan, tables = book.book_contents(unit, year, templates_only=templates_only)
    if plan is None and not tables:
        raise Http404("该单位本年度没有绩效目标。")
    return xlsx_response(xlsx.book_workbook(plan, tables), f"{year}-{unit.name}部门预算绩效目标.xlsx")


# ---- 批量打印: an administrator prints many units' books (perfgoals/printing/batch.py) ----------


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("只有管理员可以批量打印。")


@login_required
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    """Start a batch print (a year; units or all), and the batches started before."""
    _require_admin(request)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = batch.start(form.cleaned_data["year"], form.cleaned_data["units"], request.user)
        return redirect("print_batch", started.pk)
    recent = [(b, batch.progress(b)) for b in PrintBatch.objects.select_related("created_by")[:20]]
    queued = bool(settings.CELERY_BROKER_URL)  # else the batch is printed within the POST
    return render(request, "print/batches.html", {"form": form, "recent": recent, "queued": queued})


@login_required
@require_safe
def batch_progress(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The batch's progress, n/N 已完成 with a link to each book printed; htmx asks for the
    progress part again every two seconds until every unit is done."""
    _require_admin(request)
    printing_batch = get_object_or_404(PrintBatch.objects.select_related("created_by"), pk=batch_pk)
    context = {
        "batch": printing_batch,
        "progress": batch.progress(printing_batch),
        "items": printing_batch.items.select_related("unit"),
    }
    template = "print/batch.html#progress" if request.htmx else "print/batch.html"
    return render(request, template, context)


@login_required
@require_safe
def batch_file(request: HttpRequest, batch_pk: int, code: str) -> FileResponse:
    """A book of the batch, as it was printed then, from the default storage."""
    _require_admin(request)
    item = get_object_or_404(
        PrintBatchItem.objects.select_related("batch", "unit"), batch=batch_pk, unit__code=code, status=PrintBatchItem.DONE
    )
    try:
        file = default_storage.open(item.file, "rb")
    except FileNotFoundError:
        raise Http404("该文件已不存在，请重新批量打印。") from None
    filename = f"{item.batch.year}-{item.unit.name}部门预算绩效目标文本.pdf"
    response = FileResponse(file, content_type="application/pdf", as_attachment=request.GET.get("download") == "1",
                            filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
