"""The two faces the printouts are set in, cut down from Debian's Noto CJK SC by the set-up.

A PDF embeds a subset of each font it uses, and HarfBuzz's subsetter walks the whole
source font to make it: with the full Noto CJK SC faces (about 65 000 glyphs) that is
about 0.06 s of every document, half of a one-table print, and it is paid again for
every piece of a book. So `bin/install` runs

    .venv/bin/python -m perfgoals.printing.fonts

which keeps, from the Simplified Chinese face of each collection, the characters of
GB 2312 (all 6 763 hanzi and its symbols), every character of the seed documents, ASCII,
Latin-1, general punctuation, letter-like and number forms, circled numbers, CJK
punctuation and full-width forms: about 8 600 glyphs. The result is written to
static/print/fonts/ (not committed; about 8 MB) under new family names, as the SIL Open
Font License asks of a modified font. print.css names these families first and the full
Noto CJK SC second, so a rarer character (a name written with 堃 or 𠮷) still prints, from
the full face, at the old speed.

Pure fontTools; no Django. Re-running is skipped while the inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import unicodedata
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "static" / "print" / "fonts"
SEEDS_DIR = ROOT / "perfgoals" / "exchange" / "seeds"
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")

# (file written, family it is given, collection it is cut from, face taken from it)
FACES = [
    ("PerfgoalsSerifSC.otf", "Perfgoals Serif SC", "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("PerfgoalsSansSC.otf", "Perfgoals Sans SC", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
]
VERSION = "3"  # bump when the character set or the cutting changes

RANGES = [
    (0x0020, 0x024F),  # ASCII, Latin-1, Latin Extended-A/B
    (0x2000, 0x206F),  # general punctuation: — … ‰ ‘ ’ “ ”
    (0x2100, 0x218F),  # letter-like and number forms: ℃ № Ⅰ Ⅱ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: ≥ ≤ ≠ ± ×
    (0x2460, 0x24FF),  # circled and parenthesised numbers: ① ⑴ ⒈
    (0x2500, 0x25FF),  # box drawing and geometric shapes: ─ □ ○ ●
    (0x3000, 0x303F),  # CJK punctuation: 。、《》「」〔〕
    (0x3200, 0x32FF),  # enclosed CJK: ㈠ ㈡
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms: （ ） ， ： ； ％
]


def gb2312() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def charset() -> set[str]:
    """Every character the cut-down faces carry."""
    chars = gb2312()
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    for seed in sorted(SEEDS_DIR.glob("*.txt")):
        chars.update(seed.read_text(encoding="utf-8"))
    return {c for c in chars if unicodedata.category(c)[0] != "C"}  # no control characters


def fingerprint() -> str:
    """Changes when the character set, the cutting or Debian's fonts change."""
    digest = hashlib.sha256(VERSION.encode())
    digest.update("".join(sorted(charset())).encode())
    for _, _, collection, _ in FACES:
        source = NOTO_DIR / collection
        digest.update(f"{collection}:{source.stat().st_size if source.exists() else 0}".encode())
    return digest.hexdigest()


STAMP = OUT_DIR / "fonts.sha256"


def is_built() -> bool:
    return STAMP.exists() and STAMP.read_text().strip() == fingerprint() and all(
        (OUT_DIR / name).exists() for name, *_ in FACES
    )


def cut(name: str, family: str, collection: str, face: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(NOTO_DIR / collection)).fonts
    font = next(f for f in fonts if f["name"].getDebugName(1) == face)
    options = subset.Options()
    # Horizontal Simplified Chinese needs no substitutions; keeping every feature would also
    # keep the vertical, Japanese and Korean alternates (6 000 glyphs more).
    options.layout_features = ["ccmp", "kern"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in charset()))
    subsetter.subset(font)
    postscript = family.replace(" ", "")
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 3:
            record.string = f"{postscript};{VERSION}"
        elif record.nameID == 4:
            record.string = family
        elif record.nameID == 6:
            record.string = f"{postscript}-Regular"
    font["name"].names = [r for r in font["name"].names if r.nameID not in (16, 17)]
    tmp = OUT_DIR / f"{name}.tmp"
    font.save(str(tmp))
    tmp.replace(OUT_DIR / name)
    return name


def build(force: bool = False) -> bool:
    """Cut both faces (in parallel). False when they were already up to date."""
    if not force and is_built():
        return False
    missing = [c for _, _, c, _ in FACES if not (NOTO_DIR / c).exists()]
    if missing:
        raise SystemExit(f"fonts-noto-cjk is not installed: {', '.join(missing)} missing in {NOTO_DIR}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(len(FACES)) as pool:
        list(pool.map(cut, *zip(*FACES)))
    STAMP.write_text(fingerprint() + "\n")
    return True


if __name__ == "__main__":
    built = build(force="--force" in sys.argv)
    print("print fonts " + ("written to " if built else "up to date in ") + str(OUT_DIR.relative_to(ROOT)))
