"""Settings for the test suite: the app's settings, with a password hasher made for tests.

PBKDF2 costs about 0.8 s a user on these machines and the suite creates hundreds of
users; MD5 is fine for throwaway test passwords and never used outside the tests.

The app refuses to start without a secret key while DEBUG is off; the tests bring their
own (also for the processes they start, which inherit the environment).

Django's test client signs in without a request, which django-axes refuses, so the
sign-in throttle is off here; tests/test_signin.py switches it on.
"""

import os

os.environ.setdefault("SECRET_KEY", "perfgoals-tests-only-" + "k7Qw2xZp9LmN4vBt8RcY3fHs6JdG5aEu")

from perfgoals.settings import *  # noqa: E402, F401, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
# A print worker past its time limit ends 1 s after it, not 5 (tests/test_printing.py waits for it).
PRINT_ALARM_GRACE = 1

# The print cache and the default storage (pending uploads, batch-printed books) of this
# test run, in a directory new for each run (not the checkout's var/, which the server of
# this checkout uses): a test never finds a file a previous run left. The pytest-xdist
# workers inherit the variable from the process that starts them, so they share it; that
# process deletes it when the run ends.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

if "PERFGOALS_TEST_DIR" not in os.environ:
    os.environ["PERFGOALS_TEST_DIR"] = tempfile.mkdtemp(prefix="perfgoals-test-")
    atexit.register(shutil.rmtree, os.environ["PERFGOALS_TEST_DIR"], ignore_errors=True)
# A process a test starts with PRINT_CACHE_DIR or FILES_DIR of its own (the Celery worker of
# tests/test_tasks.py, sharing the test's directories) keeps them.
PRINT_CACHE_DIR = Path(os.getenv("PRINT_CACHE_DIR") or Path(os.environ["PERFGOALS_TEST_DIR"]) / "print-cache")
_files = Path(os.getenv("FILES_DIR") or Path(os.environ["PERFGOALS_TEST_DIR"]) / "files")
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",  # noqa: F405
                                    "OPTIONS": {"location": _files}}}
