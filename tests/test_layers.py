"""The import rules of docs/ARCHITECTURE.md hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> subprocess.CompletedProcess[str]:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed"
    return subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def test_import_contracts_are_kept_and_would_catch_a_forbidden_import() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
    # Prove the check can fail: triage importing flask must break the purity contract. One test,
    # so that no other test runs while the probe file exists.
    probe = ROOT / "triage" / "_layer_probe.py"
    probe.write_text("import flask  # deliberately forbidden\n")
    try:
        broken = lint_imports()
    finally:
        probe.unlink()
    assert broken.returncode != 0
    assert "Triage is pure BROKEN" in broken.stdout
