"""复制到其他指标体系: last year's table (or a template) copied into another framework.

A province that changes its form changes the framework; frameworks carry no year, so the
clerk, who knows which form this year's budget asks for, picks it on this page (the one
the unit's tables of that year already use is preselected). The page then shows where
each indicator goes, matched by meaning (`goals.copying.carry_over`); an indicator whose
category the new framework lacks gets a select of its categories, closest first, and
不复制. Nothing is written before the clerk confirms; a pick outside the framework is
refused (400) with the message beside it, and the copy is one transaction with history.
After the copy, what had no category of the same name is listed in a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from perfgoals.frameworks.models import Framework, Level2
from perfgoals.goals import copying
from perfgoals.goals import forms as f
from perfgoals.goals.access import get_document_for_user, refuse
from perfgoals.goals.models import ProjectTable
from perfgoals.goals.views.common import this_year
from perfgoals.units.access import roles_for, units_for
from perfgoals.units.models import Membership

SKIP = "skip"


class TargetForm(f.CopyForm):
    """Where the copy goes: the unit (for templates), the year and the framework."""

    framework = forms.TypedChoiceField(label="新的指标体系", coerce=int, choices=[])

    def __init__(self, *args, source: ProjectTable, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["framework"].choices = [(fw.pk, fw.name) for fw in frameworks]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.source.is_template:  # a template's copy has no project code
            copy = ProjectTable(unit=self.source.unit, year=data["year"], project_code=self.source.project_code)
            for message in f.constraint_errors(copy):
                self.add_error("year", message)
        return data


class PicksForm(forms.Form):
    """For each indicator without a category in the new framework: one of its categories, or 不复制."""

    def __init__(self, *args, carried: list[copying.Carried], framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.unplaced = [c for c in carried if c.level2 is None]
        for c in self.unplaced:
            name = c.indicator.name or "（未命名的指标）"
            self.fields[f"map-{c.indicator.pk}"] = forms.ChoiceField(
                label=f"“{name}”归入",
                choices=[(l2.pk, f"{l2.level1.name} / {l2.name}") for l2 in c.options] + [(SKIP, "不复制")],
                initial=c.options[0].pk if c.options else SKIP,
                error_messages={
                    "required": f"请为“{name}”选择新的二级指标，或选“不复制”。",
                    "invalid_choice": f"所选类别不在指标体系“{framework.name}”中，请为“{name}”重新选择。",
                },
            )

    def picks(self) -> dict[int, Level2 | None]:
        """Indicator id → the picked category (None: 不复制)."""
        result = {}
        for c in self.unplaced:
            value = self.cleaned_data[f"map-{c.indicator.pk}"]
            result[c.indicator.pk] = None if value == SKIP else next(l2 for l2 in c.options if str(l2.pk) == value)
        return result


def _frameworks() -> list[Framework]:
    return list(Framework.objects.filter(kind=Framework.PROJECT).prefetch_related("levels1__levels2"))


def _likely_framework(source: ProjectTable, unit, year: int, frameworks: list[Framework]) -> int | None:
    """The framework the unit's tables of `year` already use, else the first other than the source's."""
    used = (
        ProjectTable.objects.filter(unit=unit, year=year, is_template=False).exclude(framework=source.framework_id)
        .values("framework").annotate(n=Count("id")).order_by("-n").first()
    )  # fmt: skip
    if used:
        return used["framework"]
    return next((fw.pk for fw in frameworks if fw.pk != source.framework_id), source.framework_id)


def _unplaced_message(framework: Framework, unplaced: list[copying.Carried], picks: dict) -> str:
    parts = []
    for c in unplaced:
        was = f"原“{c.indicator.level2.level1.name} / {c.indicator.level2.name}”"
        l2 = picks[c.indicator.pk]
        parts.append(f"“{c.indicator.name}”（{was}）" + (f"归入“{l2.level1.name} / {l2.name}”" if l2 else "未复制"))
    return f"以下 {len(parts)} 个指标在“{framework.name}”中没有对应的二级指标：" + "；".join(parts) + "。"


@login_required
@require_http_methods(["GET", "POST"])
def table_copy_framework(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: choose unit, year and framework, and preview where each indicator goes; POST: copy."""
    tables = ProjectTable.objects.select_related("unit", "framework")
    source = get_document_for_user(request, "table", pk, "view", queryset=tables)
    units = units_for(request.user, Membership.CLERK) if source.is_template else [source.unit]
    if not units or Membership.CLERK not in roles_for(request.user, units[0]):
        refuse(request.user, "copy", source, "只有本单位的填报人可以复制。")
    frameworks = _frameworks()
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "framework" in request.GET else None)
    year = this_year() if source.is_template else source.year + 1
    initial = {"unit": units[0].pk, "year": year, "framework": _likely_framework(source, units[0], year, frameworks)}
    target = TargetForm(data, initial=initial, source=source, units=units, frameworks=frameworks)
    ctx = {"source": source, "target": target}
    if data is None:
        return render(request, "goals/copy_framework.html", ctx)
    if not target.is_valid():
        return render(request, "goals/copy_framework.html", ctx, status=400 if posted else 200)
    unit = next(u for u in units if u.pk == target.cleaned_data["unit"])
    framework = next(fw for fw in frameworks if fw.pk == target.cleaned_data["framework"])
    ctx["framework"] = framework
    if framework.pk == source.framework_id:
        ctx["same"] = True  # nothing to map: the page posts to the ordinary copy
        return render(request, "goals/copy_framework.html", ctx)
    carried = copying.carry_over(source, framework)
    picks = PicksForm(request.POST if posted else None, carried=carried, framework=framework)
    ctx.update(picks=picks, rows=[(c, picks[f"map-{c.indicator.pk}"] if c.level2 is None else None) for c in carried])
    if not posted or not picks.is_valid():
        return render(request, "goals/copy_framework.html", ctx, status=400 if posted else 200)
    chosen = picks.picks()
    table = copying.copy_table(
        source, unit=unit, year=target.cleaned_data["year"], user=request.user,
        framework=framework, categories=copying.placed(carried, chosen),
    )  # fmt: skip
    messages.success(request, f"已由“{source.project_name}”复制到“{framework.name}”，请核对并修改。")
    if picks.unplaced:
        messages.warning(request, _unplaced_message(framework, picks.unplaced, chosen))
    return redirect(table)
