"""Reading the packaged data files (the only I/O triage does)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

# libyaml's C loader parses the catalogue several times faster; fall back to pure Python.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(name: str) -> str:
    """The text of a data file packaged with triage."""
    return resources.files("triage").joinpath(name).read_text("utf-8")


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (C implementation when available)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader, never the full one
