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
