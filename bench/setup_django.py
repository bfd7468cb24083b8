"""The benchmarks' common start: this checkout importable and Django set up with the app's
settings (the database from DATABASE_URL, DB_NAME … as the app reads them).

    import setup_django  # first, before anything from Django or perfgoals
"""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT before collectstatic

import django  # noqa: E402

django.setup()
