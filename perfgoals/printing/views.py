"""下载PDF: a table, a plan or the department book, inline (preview) or as an attachment;
导出Excel: a table, or the unit's year, as the printed form in a workbook (printing.xlsx)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.printing import book, render as printing, runner, xlsx
from perfgoals.units.access import restrict
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
    pdf = book.render_book(unit, year, templates_only=templates_only)
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
