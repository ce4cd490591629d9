"""Fill translations into the catalogs: `scripts/i18n fill FILE.json`.

FILE.json maps each English message id to its Albanian text ({"Sign in": "Hyni"}); a plural id is
written "singular|plural" and maps to a list of forms. The English catalog gets the id itself.
Entries named here lose any "fuzzy" flag that `update` guessed, so a wrong guess never ships.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def fill(path: Path) -> int:
    """Write the translations of `path` into locales/{sq,en}; return how many entries changed."""
    wanted: dict[str, str | list[str]] = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for lang in ("sq", "en"):
        po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for key, albanian in wanted.items():
            msgid: str | tuple[str, str] = tuple(key.split("|", 1)) if "|" in key else key  # type: ignore[assignment]
            message = catalog.get(msgid)
            if message is None:
                print(f"not in the catalog (run scripts/i18n extract && update): {key!r}")
                continue
            if lang == "sq":
                message.string = tuple(albanian) if isinstance(albanian, list) else albanian
            else:
                message.string = msgid if isinstance(msgid, str) else msgid
            message.flags.discard("fuzzy")
            changed += 1
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False)
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {fill(Path(name))} entries written")
