from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from perfgoals.exchange.jsonexport import export
from perfgoals.goals.models import DepartmentPlan, ProjectTable
from perfgoals.units.access import restrict
from perfgoals.units.models import Unit


@login_required
def export_json(request: HttpRequest) -> JsonResponse:
    """The exchange format for the units the user may see (?unit=CODE&year=Y to narrow)."""
    units = restrict(Unit.objects.all(), request.user, unit_field="pk")  # not other units' templates
    tables = ProjectTable.objects.restrict(request.user, "view").filter(unit__in=units)
    plans = DepartmentPlan.objects.restrict(request.user, "view").filter(unit__in=units)
    if unit := request.GET.get("unit"):
        tables, plans = tables.filter(unit__code=unit), plans.filter(unit__code=unit)
    if (year := request.GET.get("year", "")).isdigit():
        tables, plans = tables.filter(year=int(year)), plans.filter(year=int(year))
    if request.GET.get("templates") != "1":
        tables, plans = tables.filter(is_template=False), plans.filter(is_template=False)
    data = export(tables.order_by("unit__code", "year", "position", "id"), plans.order_by("unit__code", "year"))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = 'attachment; filename="perfgoals-export.json"'
    return response
