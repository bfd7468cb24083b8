"""Category names as other provinces print them, matched to a framework's by meaning.

The matching itself is `perfgoals.frameworks.matching` (copying between frameworks uses it
too, below exchange); the importers keep using it under this name.
"""

from perfgoals.frameworks.matching import (  # noqa: F401
    LEVEL1_SYNONYMS,
    LEVEL2_SYNONYMS,
    Match,
    Matcher,
    choose_framework,
    closest,
    key,
    match,
    pick,
    ranked,
)
