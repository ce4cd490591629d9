"""The import rules of docs/ARCHITECTURE.md hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import os
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
