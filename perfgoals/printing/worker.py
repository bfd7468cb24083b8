"""What a print worker needs, loaded once by the fork server the workers are forked from
(runner.py): Django set up (settings from DJANGO_SETTINGS_MODULE), WeasyPrint and the
print modules imported, the fonts loaded and the stylesheets parsed. Every worker forked
from the server starts with all of it; the server is a single thread that has done
nothing else, so forking it is safe.

The fork server imports this module; each worker's initializer calls `ready()` again
(a no-op there), so that whatever fails here is raised and reported in the worker.
"""

import django

_ready = False


def ready() -> None:
    global _ready
    if _ready:
        return
    django.setup()
    from perfgoals.printing import book, render  # noqa: F401 (book: what the jobs call)

    render.warm_up()
    _ready = True


try:
    ready()
except Exception:  # noqa: BLE001 — raised again in each worker's initializer, and reported there
    pass
