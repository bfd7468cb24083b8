"""粘贴指标: indicator rows pasted into the editor from Word, Excel, WPS or a web page.

One form posts the clipboard's text/plain (and its text/html when it has a table): 预览 shows
each row with its category in the table's framework, its value as printed and its problems;
确认添加 adds them in the edit's one transaction, as 添加指标 adds a row. A confirmation
carries the digest of what was previewed; a paste changed since is previewed again instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from perfgoals.exchange import pasted
from perfgoals.goals.views.common import editing, level2_choices, tables, to_int
from perfgoals.goals.views.editor import options, page, respond


def _picks(data) -> dict[int, int]:
    """The level-2 categories the clerk chose for rows that could not be matched (level2_<row>)."""
    picks = {}
    for name, value in data.items():
        if name.startswith("level2_") and (row := to_int(name.removeprefix("level2_"))) and (pk := to_int(value)):
            picks[row] = pk
    return picks


@login_required
@require_POST
def indicator_paste(request: HttpRequest, pk: int) -> HttpResponse:
    text, html = pasted.normalized(request.POST.get("text", "")), pasted.normalized(request.POST.get("html", ""))
    html = html if "<table" in html.lower() else ""
    digest = pasted.digest(text, html)
    confirming = request.POST.get("action") == "confirm"
    box = {"text": text, "html": html, "digest": digest}
    added = []
    with editing(request, "table", pk, tables()) as table:
        try:
            found = pasted.read(text, html)
        except pasted.PasteRefused as e:
            box["error"] = str(e)
        else:
            changed = confirming and request.POST.get("previewed") != digest
            ready = confirming and not changed
            preview = pasted.make_preview(table, pasted.rows_for(found, table.framework), _picks(request.POST),
                                          review=not ready)
            if ready and preview.can_add:
                added = pasted.add(table, preview)
            else:
                box["preview"], box["notes"] = preview, pasted.notes(found, table.framework)
                if changed:
                    box["error"] = "粘贴的内容在预览后有改动：请核对下面新的预览，再点“确认添加”。"
                elif confirming:
                    box["error"] = "还有指标不能添加（见下表标出的行）：请为它们选择二级指标，或改正后重新粘贴。"
    if added:
        note = f"已添加 {len(added)} 项指标。"
        if not request.htmx:
            messages.success(request, note)
            return redirect(f"{table.get_absolute_url()}#grid")
        response = respond(request, table, "grid", {"saved": "grid"}, target="grid")
        fresh = {"table": table, "editable": True, "paste": {"added": note}, "oob": True}
        response.content += render_to_string("goals/edit.html#paste", fresh, request).encode()
        return response
    if "preview" in box:
        choices = level2_choices(table.framework)
        for row in box["preview"].rows:
            row.options = options(choices, row.picked) if row.level2 is None or row.picked else ""
    if not request.htmx:
        return page(request, table, editable=True, paste=box)
    return render(request, "goals/edit.html#paste", {"table": table, "editable": True, "paste": box})
