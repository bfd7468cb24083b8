"""Settings for the test suite: the app's settings, with a password hasher made for tests.

PBKDF2 costs about 0.8 s a user on these machines and the suite creates hundreds of
users; MD5 is fine for throwaway test passwords and never used outside the tests.
"""

from perfgoals.settings import *  # noqa: F401, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
