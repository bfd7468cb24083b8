"""指标推荐: template-library indicators ranked by the words and characters they share with what
is typed, not by substring: "推介" finds 宣传推介昌黎, "企业满意" finds 参训企业满意度.

A text is read as its terms: each pair of neighbouring Chinese characters (bigram), each
Chinese character, and each word of Latin letters or digits. A candidate scores 3 for each
bigram or word it shares with the query in its name, 1 for each shared character, and half
that in its description; one that shares no bigram or word (or, for a one-character query,
no character) is not a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")
_COMMON = set("的和与及等")  # characters that say nothing about what an indicator measures


@dataclass(frozen=True)
class Terms:
    bigrams: frozenset[str]
    chars: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Terms:
        runs = _CJK.findall(text or "")
        bigrams = {run[i : i + 2] for run in runs for i in range(len(run) - 1)}
        chars = {c for run in runs for c in run if c not in _COMMON}
        words = {w.lower() for w in _WORD.findall(text or "")}
        return cls(frozenset(bigrams), frozenset(chars), frozenset(words))


def score(query: Terms, name: str, description: str = "") -> float:
    """How well an indicator (name, description) matches the query's terms; 0 when it does not."""
    in_name, in_desc = Terms.of(name), Terms.of(description)
    strong = len(query.bigrams & in_name.bigrams) + len(query.words & in_name.words)
    strong_desc = len(query.bigrams & in_desc.bigrams) + len(query.words & in_desc.words)
    weak, weak_desc = len(query.chars & in_name.chars), len(query.chars & in_desc.chars)
    one_char = not query.bigrams and not query.words
    if not (strong or strong_desc or (one_char and (weak or weak_desc))):
        return 0
    return 3 * strong + weak + (3 * strong_desc + weak_desc) / 2


def rank(query: str, candidates, *, name=lambda c: c.name, description=lambda c: c.description,
         bonus=lambda c: False) -> list:  # fmt: skip
    """The candidates that match `query`, best first (a shorter name first among equals); a
    candidate for which `bonus` is true (the same category) counts half again."""
    terms = Terms.of(query)
    scored = [(score(terms, name(c), description(c)) * (1.5 if bonus(c) else 1), c) for c in candidates]
    scored = [(s, c) for s, c in scored if s > 0]
    scored.sort(key=lambda sc: (-sc[0], len(name(sc[1])), name(sc[1])))
    return [c for _, c in scored]
