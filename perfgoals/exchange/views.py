import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from perfgoals.exchange.documents import ImportRefused, make_preview, store
from perfgoals.exchange.files import FileRefused, read_file
from perfgoals.exchange.forms import DOCUMENT_UNIT, ImportForm
from perfgoals.exchange.jsonexport import export
from perfgoals.exchange.paste import PasteError, parse_paste
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.lib import uploads
from perfgoals.lib.params import to_int
from perfgoals.units.access import is_admin, restrict, units_for
from perfgoals.units.models import Membership, Unit


@login_required
def export_json(request: HttpRequest) -> JsonResponse:
    """The exchange format for the units the user may see (?unit=CODE&year=Y to narrow)."""
    units = restrict(Unit.objects.all(), request.user, unit_field="pk")  # not other units' templates
    tables = ProjectTable.objects.restrict(request.user, "view").filter(unit__in=units)
    plans = DepartmentPlan.objects.restrict(request.user, "view").filter(unit__in=units)
    if unit := request.GET.get("unit"):
        tables, plans = tables.filter(unit__code=unit), plans.filter(unit__code=unit)
    if (year := to_int(request.GET.get("year"))) is not None:
        tables, plans = tables.filter(year=year), plans.filter(year=year)
    if request.GET.get("templates") != "1":
        tables, plans = tables.filter(is_template=False), plans.filter(is_template=False)
    data = export(tables.order_by("unit__code", "year", "position", "id"), plans.order_by("unit__code", "year"))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = 'attachment; filename="perfgoals-export.json"'
    return response


SESSION_KEY = "exchange_import"


def _limit_text() -> str:
    return f"{settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024):g} MB"


@login_required
@require_http_methods(["GET", "POST"])
def import_document(request: HttpRequest) -> HttpResponse:
    """导入绩效目标表: upload or paste → preview (what will be created, with the review) → confirm."""
    units = units_for(request.user, Membership.CLERK)
    admin = is_admin(request.user)
    context = {"units": units, "limit": _limit_text(), "document_unit": admin}
    if request.method != "POST":
        return render(request, "exchange/import.html", {**context, "form": ImportForm(units=units, document_unit=admin)})
    if request.POST.get("action") == "confirm":
        return _confirm(request, units)
    if request.POST.get("action") == "pick":
        return _pick(request, context)
    form = ImportForm(request.POST, request.FILES, units=units, document_unit=admin)
    allowed = {u.pk for u in units} | ({DOCUMENT_UNIT} if admin else set())
    if (unit_id := to_int(request.POST.get("unit"))) is not None and unit_id not in allowed:
        raise Http404("没有这个单位。")  # another unit's: as if it did not exist
    if not form.is_valid():
        return render(request, "exchange/import.html", {**context, "form": form})
    data = form.cleaned_data
    if upload := data.get("file"):
        name, content = upload.name, upload.read()
    elif (data.get("html") or "").strip():
        name, content = "粘贴的表格.html", data["html"].encode("utf-8")
    else:
        name, content = "粘贴的表格.tsv", data["text"].encode("utf-8")
    preview, error = _preview(name, content, data["unit"], data.get("year"), data.get("framework"), request)
    if error:
        form.add_error(None, error)
        return render(request, "exchange/import.html", {**context, "form": form})
    token = secrets.token_urlsafe(16)
    uploads.keep_pending(uploads.pending_name(token), content)  # until confirmed, replaced by the next preview, or abandoned
    if old := request.session.get(SESSION_KEY):
        uploads.forget_pending(uploads.pending_name(old["token"]))
    request.session[SESSION_KEY] = {
        "token": token, "name": name, "unit": data["unit"],
        "year": data.get("year"), "framework": data["framework"].pk if data.get("framework") else None,
    }
    return render(request, "exchange/import.html", {**context, "form": form, "preview": preview, "token": token})


def _pending(request: HttpRequest):
    """The upload waiting for its confirmation, with its content, or None when it has expired."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        return None, None
    try:
        return pending, uploads.read_pending(uploads.pending_name(pending["token"]))
    except OSError:
        return None, None


def _pending_framework(pending):
    from perfgoals.frameworks.models import Framework

    return Framework.objects.filter(pk=pending["framework"]).first() if pending["framework"] else None


def _pick(request: HttpRequest, context: dict) -> HttpResponse:
    """The clerk's categories for names the framework does not have: checked by a new preview."""
    pending, content = _pending(request)
    if pending is None:
        messages.error(request, "导入的预览已过期，请重新上传或粘贴。")
        return redirect("import_document")
    names, picked = request.POST.getlist("pick_name"), request.POST.getlist("pick_level2")
    choices = {name[:300]: pk for name, pk in zip(names, picked) if name and pk}
    for pk in choices.values():
        if to_int(pk) is None:
            return HttpResponse("所选的类别无效。", status=400, content_type="text/plain; charset=utf-8")
    preview, error = _preview(pending["name"], content, pending["unit"], pending["year"], _pending_framework(pending),
                              request, choices)
    if error:
        messages.error(request, error)
        return redirect("import_document")
    request.session[SESSION_KEY] = {**pending, "choices": choices}
    pasted = content.decode("utf-8") if pending["name"] == "粘贴的表格.tsv" else ""
    form = ImportForm(initial={"unit": pending["unit"], "year": pending["year"], "framework": pending["framework"],
                               "text": pasted}, units=context["units"], document_unit=context["document_unit"])
    return render(request, "exchange/import.html",
                  {**context, "form": form, "preview": preview, "token": pending["token"], "choices": choices})


def _preview(name, content, unit_pk, year, framework, request, choices=None, review=True):
    """The preview of a file or paste for the user's unit (an administrator's DOCUMENT_UNIT: the one
    the document names, new if there is none), or the message saying why there is none."""
    unit = next((u for u in units_for(request.user, Membership.CLERK) if u.pk == unit_pk), None)
    if unit is None and not (unit_pk == DOCUMENT_UNIT and is_admin(request.user)):
        raise Http404("没有这个单位。")
    try:
        if name.startswith("粘贴的表格"):
            text = content.decode("utf-8")
            doc = parse_paste(html=text) if name.endswith(".html") else parse_paste(text)
        else:
            doc = read_file(name, content)
    except (FileRefused, PasteError) as e:
        return None, f"{e}（未导入任何内容）"
    return make_preview(doc, source=name, unit=unit, year=year, framework=framework, choices=choices, review=review), ""


def _confirm(request: HttpRequest, units) -> HttpResponse:
    pending, content = _pending(request)
    if pending is None:
        messages.error(request, "导入的预览已过期，请重新上传或粘贴。")
        return redirect("import_document")
    preview, error = _preview(pending["name"], content, pending["unit"], pending["year"], _pending_framework(pending),
                              request, pending.get("choices"), review=False)  # shown already; store() checks again
    if error or preview.errors:
        messages.error(request, error or "；".join(preview.errors))
        return redirect("import_document")
    try:
        created = store(preview, user=request.user)
    except ImportRefused as e:
        messages.error(request, str(e))
        return redirect("import_document")
    del request.session[SESSION_KEY]
    uploads.forget_pending(uploads.pending_name(pending["token"]))
    skipped = sum(t.existing is not None for t in preview.tables)
    tables = [d for d in created if isinstance(d, ProjectTable)]
    plan = "及部门整体绩效目标" if len(tables) < len(created) else ""
    messages.success(request, f"已导入 {len(tables)} 张项目绩效目标表{plan}（草稿）" + (f"，{skipped} 张此前已导入，未重复导入" if skipped else "") + "。")
    return redirect(created[0] if len(created) == 1 else "home")
