"""A framework's structure kept in memory between requests: its categories (一级 → 二级),
its columns and its rule switches.

Every page that shows, saves or reviews a table reads them, and they change only when an
administrator edits the framework, so reading them from the database on every request (four
queries, about half of the ORM time of fetching a table for its editor) is waste.

`Framework.structure_stamp` is a random token replaced whenever a category, column or rule
switch of the framework is saved or deleted (`changed`, connected to those models' signals,
in the same transaction as the change). A document fetched with its framework
(`select_related("framework")`) carries the stamp it was read with; `attach` gives the
framework the structure kept for that stamp, reading it afresh when the stamp differs.
So every process, on every machine, sees a change from the first request that reads the new
stamp, without a shared cache; a database restored or rebuilt (tests) gets new tokens, so a
framework row reusing an old primary key never meets an old structure.

The kept objects are shared by the threads of a process and must not be changed by a page
(nothing does: the grid wraps them in its own groups). A data migration that changes
categories should call `changed` itself (migrations use historical models, which send no
signals to this module).
"""

from __future__ import annotations

import uuid

from django.db.models import Prefetch

RELATIONS = ("levels1", "columns", "rule_switches")

_kept: dict[int, tuple[str, dict]] = {}  # framework pk → (stamp, {relation: prefetched queryset})


def new_stamp() -> str:
    return uuid.uuid4().hex


def changed(**where) -> None:
    """The structure of the frameworks `where` selects changed (`pk=…`, `levels1=…`): their
    stamps are replaced, in the caller's transaction."""
    from perfgoals.frameworks.models import Framework

    Framework.objects.filter(**where).update(structure_stamp=new_stamp())


def on_change(sender, instance, raw=False, **kwargs) -> None:
    """post_save / post_delete receiver of Level1, Column and RuleSwitch (their `framework_id`)
    and Level2 (through its level 1). Rows loaded as they were (`raw`: a backup restored, a
    fixture) come with their framework's stamp as it was, which stays."""
    if raw:
        return
    if hasattr(instance, "framework_id"):
        changed(pk=instance.framework_id)
    else:
        changed(levels1=instance.level1_id)


def attach(frameworks) -> None:
    """Give each framework (read with its stamp) its categories, columns and rule switches,
    as `prefetch_related` would, from what this process keeps."""
    for framework in frameworks:
        if framework is None:
            continue
        cache = framework.__dict__.setdefault("_prefetched_objects_cache", {})
        if all(relation in cache for relation in RELATIONS):
            continue
        kept = _kept.get(framework.pk)
        if kept is None or kept[0] != framework.structure_stamp:
            kept = _load(framework.pk)
        cache.update(kept[1])


def _load(pk: int) -> tuple[str, dict]:
    from perfgoals.frameworks.models import Framework, Level1

    fresh = (
        Framework.objects.filter(pk=pk)
        .prefetch_related(Prefetch("levels1", queryset=Level1.objects.prefetch_related("levels2")), *RELATIONS[1:])
        .first()
    )
    if fresh is None:  # deleted meanwhile: nothing to keep
        return "", {}
    kept = (fresh.structure_stamp, {r: fresh._prefetched_objects_cache[r] for r in RELATIONS})
    _kept[pk] = kept
    return kept
