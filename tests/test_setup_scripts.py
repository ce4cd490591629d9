"""The setup scripts keep the virtual environment's installers current (issue 12, item 19).

`python3 -m venv` installs the pip and setuptools bundled with the interpreter, which can be years
old (setuptools 65 has CVE-2024-6345 and CVE-2025-47273). Every script that creates a virtual
environment must upgrade pip, setuptools and wheel before it installs anything into it.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p for p in (ROOT / "scripts").iterdir() if p.is_file())
# setuptools 78.1.1 fixes CVE-2025-47273 (path traversal in PackageIndex), the latest known.
SAFE_SETUPTOOLS = Version("78.1.1")
UPGRADE = re.compile(r"-m pip install -q --upgrade pip setuptools wheel\s*$", re.MULTILINE)


def test_the_scripts_that_make_a_venv_include_test_and_serve() -> None:
    creating = [p.name for p in SCRIPTS if "-m venv" in p.read_text(errors="replace")]
    assert {"test", "serve"} <= set(creating)


@pytest.mark.parametrize(
    "script", [p for p in SCRIPTS if "-m venv" in p.read_text(errors="replace")], ids=str
)
def test_a_script_that_makes_a_venv_upgrades_its_installers_before_installing(
    script: Path,
) -> None:
    lines = [line for line in script.read_text().splitlines() if "pip install" in line]
    assert lines, f"{script.name} creates a venv but installs nothing"
    assert UPGRADE.search(lines[0]), f"{script.name}: first install must upgrade the installers"


def test_the_build_needs_a_setuptools_without_known_vulnerabilities() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    setuptools = next(Requirement(r) for r in requires if r.startswith("setuptools"))
    lowest = min(
        (Version(s.version) for s in setuptools.specifier if s.operator in (">=", "==")),
        default=Version("0"),
    )
    assert lowest >= SAFE_SETUPTOOLS


def test_this_environment_has_a_current_setuptools() -> None:
    assert Version(version("setuptools")) >= SAFE_SETUPTOOLS


def test_every_installed_dependency_is_inside_the_declared_ranges() -> None:
    # The ranges are what was tested: an environment outside them tests something else.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    outside = []
    for requirement in map(Requirement, wanted):
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            outside.append(f"{requirement.name} not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            outside.append(f"{requirement.name} {installed} not in {requirement.specifier}")
    assert not outside
