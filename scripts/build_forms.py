"""Generate triage/forms_sq.json: the inflected forms of the catalogue's Albanian words.

Run by `scripts/build-forms` in its own virtual environment with uniparser-albanian (which takes
about a minute to load and is never needed by the service). For each catalogue word that the
analyser knows as a lemma, every form its paradigms generate (following linked paradigms) is
analysed again and kept only when the analyser reads it back as that same lemma: generation
proposes, analysis confirms. Standard and non-standard (Gheg, colloquial) forms are both kept.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.forms import FORMS_FILE, generation_words, words_digest  # noqa: E402

_FLEX = re.compile(r"^(?:<(\d+)>)?\.?(.*)$")
MAX_LINK_DEPTH = 3


def _endings(grammar, name: str, depth: int = 0) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    """(stem number, ending) pairs of a paradigm, linked paradigms expanded."""
    paradigm = grammar.paradigms.get(name)
    if paradigm is None:
        return []
    found: list[tuple[int | None, str]] = []
    for flex in paradigm.flex:
        match = _FLEX.match(flex.flex)
        assert match is not None
        number = int(match.group(1)) if match.group(1) else None
        rest = match.group(2)
        if "<.>" not in rest:
            found.append((number, rest.replace(".", "")))
            continue
        head = rest.replace("<.>", "").replace(".", "")
        if depth >= MAX_LINK_DEPTH:
            found.append((number, head))
            continue
        for link in flex.subsequent:
            tails = _endings(grammar, link.name, depth + 1)
            found.extend((number, head + tail) for _, tail in tails)
    return found


def main() -> int:
    """Build the file; print what it did."""
    from uniparser_albanian import AlbanianAnalyzer

    words = generation_words()
    started = time.monotonic()
    # The analyser writes errors.log into the working directory.
    os.chdir(tempfile.mkdtemp(prefix="build-forms-"))
    analyser = AlbanianAnalyzer()
    print(f"analyser loaded in {time.monotonic() - started:.0f} s; {len(words)} words")
    by_lemma: dict[str, list] = {}  # type: ignore[type-arg]
    for lexeme in analyser.g.lexemes:
        by_lemma.setdefault(lexeme.lemma, []).append(lexeme)
    forms: dict[str, list[str]] = {}
    for word in words:
        candidates: set[str] = set()
        for lexeme in by_lemma.get(word, ()):
            for sub in lexeme.subLexemes:
                stem = sub.stem.replace(".", "")
                for number, ending in _endings(analyser.g, sub.paradigm):
                    if number is None or number in sub.numStem:
                        candidates.add(stem + ending)
        ordered = sorted(c for c in candidates if c.isalpha())
        if not ordered:
            continue
        analyses = analyser.analyze_words(ordered)
        # A form the analyser also reads as another word ("paguar": pay, not wage; "rrihet":
        # beaten, not stays) would carry a sign to the wrong word: only unambiguous forms stay.
        kept = sorted(
            form
            for form, readings in zip(ordered, analyses, strict=True)
            if readings and all(r.lemma == word for r in readings)
        )
        if len(kept) > 1:
            forms[word] = kept
    data = {
        "analyser": f"uniparser-albanian {metadata.version('uniparser-albanian')}",
        "words_sha256": words_digest(words),
        "words": len(words),
        "forms": forms,
    }
    out = ROOT / "triage" / FORMS_FILE
    out.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8")
    total = sum(len(v) for v in forms.values())
    print(f"{len(forms)} lemmas, {total} forms → {out} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
