"""The settings a server would start with, given its whole environment, read in this process.

perfgoals/settings.py reads every setting from the environment (and the files in DATA_DIR)
when it is executed, and refuses a malformed value by raising ImproperlyConfigured there.
`read_settings` executes a fresh copy of that file while `os.environ` is exactly the given
environment, and wraps it in Django's own `Settings` class (Django's defaults under it, its
checks), which is what `django.setup()` builds in a new process: the tests' own settings
(perfgoals/test_settings.py) and this process's environment do not count.

About 10 ms, where a new interpreter importing Django took 0.6 s of CPU. Start-up as a whole
(a process that refuses to start, `manage.py check --deploy`) is still tested in new
processes (tests/test_settings.py).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import django.conf

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "perfgoals" / "settings.py"
MODULE = "perfgoals._settings_read_by_tests"


def read_settings(environment: dict[str, str]) -> django.conf.Settings:
    """perfgoals/settings.py as read with `environment` and nothing else; raises what it raises."""
    saved = os.environ
    # os.getenv reads the os module's `environ`: a plain dict stands in for it (the process's
    # real environment, which other threads and child processes see, is left alone).
    os.environ = dict(environment)
    try:
        spec = importlib.util.spec_from_file_location(MODULE, SETTINGS_FILE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE] = module
        spec.loader.exec_module(module)
        return django.conf.Settings(MODULE)
    finally:
        sys.modules.pop(MODULE, None)
        os.environ = saved
