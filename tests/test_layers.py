"""The import rules of docs/ARCHITECTURE.md hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


PACKAGES = (
    "raporto",
    "webhooks",
    "bot",
    "triage",
    "models",
    "alerts",
    "console",
    "sandbox",
    "locales",
)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed"
    # The packages are found in `root` first (PYTHONPATH), whatever the editable install says.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [lint, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_import_contracts_are_kept_and_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
    # Prove the check can fail: triage importing flask must break the purity contract. The probe
    # goes into a copy of the packages, never into the source tree.
    copy = tmp_path / "src"
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.json")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "triage" / "_layer_probe.py").write_text("import flask  # deliberately forbidden\n")
    broken = lint_imports(copy)
    assert broken.returncode != 0
    assert "Triage is pure BROKEN" in broken.stdout
    assert not (ROOT / "triage" / "_layer_probe.py").exists()


def names_of_modules_above(folder: Path) -> list[str]:
    """Return `file:line` of each string under `folder` that names a module of `raporto/`."""
    modules = "|".join(sorted(p.stem for p in (ROOT / "raporto").glob("*.py")))
    # Flask extension keys such as "raporto.intake" are names, not modules: only real ones count.
    dotted = re.compile(rf"\braporto\.({modules})\b")
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if dotted.search(node.value):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_module_below_the_root_names_a_module_above_it_even_in_a_string(
    tmp_path: Path,
) -> None:
    # import-linter sees imports only; a dotted path in a string (a job name, an entry point)
    # would point up the layers just the same.
    for package in ("alerts", "bot", "webhooks", "console", "models", "triage", "locales"):
        assert names_of_modules_above(ROOT / package) == [], package
    (tmp_path / "probe.py").write_text('JOB = "raporto.jobs.deliver"\nKEY = "raporto.intake"\n')
    assert names_of_modules_above(tmp_path) == ["probe.py:1"]
