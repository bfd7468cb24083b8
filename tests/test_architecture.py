"""The shape of the code: imports point downward, and no module grows past a page or two.

The apps are layered; a module may import from its own layer and the layers below:

    lib → units → frameworks → goals → review, workflow → printing, exchange

Views (and the urls that name them) are the page layer on top of everything: the editor
shows the review and the workflow's buttons, so a view may import from any app. Nothing
else may reach up: the rules must not know about pages, goals must not know about the
review, units must not know about goals.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "perfgoals"
LAYERS = {"lib": 0, "units": 1, "frameworks": 2, "goals": 3, "review": 4, "workflow": 4, "printing": 5, "exchange": 5}
LONG = 400  # lines; a longer module says why in its docstring ("Longer than 400 lines: …")


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or relative.parts[0] not in LAYERS:
            continue
        yield relative.parts[0], path


def is_page_layer(path: Path) -> bool:
    return path.stem in ("views", "urls") or "views" in path.relative_to(ROOT).parts


def imported_apps(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "perfgoals" and len(parts) > 1 and parts[1] in LAYERS:
                yield parts[1], node.lineno


def test_imports_point_downward():
    upward = [
        f"{path.relative_to(ROOT.parent)}:{line} imports perfgoals.{target}"
        for app, path in modules()
        if not is_page_layer(path)
        for target, line in imported_apps(path)
        if LAYERS[target] > LAYERS[app]
    ]
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from perfgoals.review.rules import review_table\n", encoding="utf-8")
    assert [target for target, _ in imported_apps(module)] == ["review"]


def test_a_module_longer_than_400_lines_says_why():
    unexplained = []
    for _, path in modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > LONG and "Longer than 400 lines:" not in (ast.get_docstring(ast.parse(text)) or ""):
            unexplained.append(f"{path.relative_to(ROOT.parent)} ({lines} lines)")
    assert unexplained == []
