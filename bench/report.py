"""Write a benchmark's result into its own section of docs/BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import platform
import re
from pathlib import Path


def replace_section(path: Path, name: str, body: str) -> None:
    """Replace the text between the section's markers (creating the section if missing)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    stamp = (
        f"_Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.python_implementation()} {platform.python_version()})._"
    )
    block = f"{start}\n{stamp}\n\n{body}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## {name}\n\n{block}\n"
    path.write_text(text)
