"""triage/ is pure: no web, queue or database imports, no project packages, no work at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

TRIAGE = Path(__file__).resolve().parent.parent / "triage"
FORBIDDEN = {
    "flask", "telegram", "twilio", "rq", "redis", "sqlalchemy", "requests", "httpx",
    "models", "alerts", "bot", "webhooks", "console", "raporto",
}  # fmt: skip
# numpy (spaCy's own dependency) evaluates the second opinion's exported numbers.
ALLOWED = {"spacy", "lingua", "phonenumbers", "stdnum", "yaml", "numpy", "triage"} | set(
    sys.stdlib_module_names
)
MODULES = sorted(TRIAGE.glob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_triage_modules_import_no_forbidden_package(path: Path) -> None:
    assert _imported_packages(path) & FORBIDDEN == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_triage_modules_import_only_their_libraries_and_the_stdlib(path: Path) -> None:
    assert _imported_packages(path) <= ALLOWED


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_triage_modules_stay_around_300_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 320


def test_importing_triage_builds_nothing_and_loads_no_spacy() -> None:
    code = (
        "import sys, triage, triage.catalogue, triage.matching;"
        "assert triage.catalogue.load.cache_info().currsize == 0;"
        "assert triage.matching.pipeline.cache_info().currsize == 0;"
        "import importlib; m = importlib.import_module('triage');"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=TRIAGE.parent, check=False
    )
    assert result.returncode == 0, result.stderr
    light = subprocess.run(
        [sys.executable, "-c", "import sys, triage; print('spacy' in sys.modules)"],
        capture_output=True, text=True, cwd=TRIAGE.parent, check=False,
    )  # fmt: skip
    assert light.stdout.strip() == "False", light.stderr
