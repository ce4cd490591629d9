"""Write triage/compiled.pickle: the catalogue compiled once, loaded at start-up (triage.compiled).

Run after changing the catalogue, the lemma or place tables, forms_sq.json or the compiling
code:  scripts/build-compiled  (tests/test_triage_compiled.py fails until then).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.compiled import ARTEFACT_FILE, build  # noqa: E402


def main() -> None:
    """Compile in-process and write the artefact beside the data it was compiled from."""
    target = ROOT / "triage" / ARTEFACT_FILE
    data = build()
    target.write_bytes(data)
    print(f"wrote {target.relative_to(ROOT)} ({len(data) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
