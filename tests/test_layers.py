"""The import rules of docs/ARCHITECTURE.md hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed"
    result = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_the_contracts_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    # Prove the check can fail: a copy of the config with triage importing flask breaks it.
    probe = ROOT / "triage" / "_layer_probe.py"
    probe.write_text("import flask  # deliberately forbidden\n")
    try:
        lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
        assert lint
        result = subprocess.run(
            [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
        )
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "Triage is pure BROKEN" in result.stdout
