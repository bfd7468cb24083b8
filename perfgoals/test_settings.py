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

# The print cache of this test run, new for each run (not var/print-cache, which the
# server of this checkout uses): a test never finds a PDF a previous run laid out.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# The pytest-xdist workers inherit the variable from the process that starts them, so they
# share one cache, which that process deletes when the run ends.
if "PERFGOALS_TEST_PRINT_CACHE" not in os.environ:
    os.environ["PERFGOALS_TEST_PRINT_CACHE"] = tempfile.mkdtemp(prefix="perfgoals-test-print-cache-")
    atexit.register(shutil.rmtree, os.environ["PERFGOALS_TEST_PRINT_CACHE"], ignore_errors=True)
PRINT_CACHE_DIR = Path(os.environ["PERFGOALS_TEST_PRINT_CACHE"])
