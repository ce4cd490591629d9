"""The README's configuration table is generated from the declarations and kept equal to them.

Approach: `scripts/settings_table --write` generates the table between markers in README.md from
raporto/settings_fields.py; this test fails when the README's table differs from what the
declarations generate today, when the README or docs/ name a variable nobody declares, or when
their prose states a default ("`NAME` (30)") other than the declared one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from raporto import settings_docs
from raporto.settings_fields import Environment

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Anything that looks like one of Raporto's variables: a known prefix, then CAPITALS_AND_DIGITS.
VARIABLE = re.compile(
    r"\b(?:RAPORTO|TELEGRAM|TWILIO|HOTLINE|DATABASE|REDIS|PUBLIC|SECRET)_[A-Z0-9]+(?:_[A-Z0-9]+)*\b"
)
# Not settings of the service: the test suite's own variables.
NOT_SETTINGS = re.compile(r"^RAPORTO_TEST_")
# "`NAME` (30)", "`NAME` (0: ...", "`NAME` (`08:00`, ...": a default stated in prose.
PROSE_DEFAULT = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`\s+\(`?(\d+(?:[.:]\d+)?)`?[),;:]")


def undeclared(text: str) -> set[str]:
    """Variable-like names in `text` that no declaration has."""
    declared = set(Environment.variables())
    return {n for n in VARIABLE.findall(text) if n not in declared and not NOT_SETTINGS.match(n)}


def wrong_prose_defaults(text: str) -> list[tuple[str, str, str]]:
    """(name, stated, declared) for each default stated in prose that is not the declared one."""
    variables = Environment.variables()
    wrong = []
    for name, stated in PROSE_DEFAULT.findall(text):
        declared = (
            settings_docs.shown_default(variables[name]).strip("`") if name in variables else ""
        )
        if stated != declared:
            wrong.append((name, stated, declared))
    return wrong


def test_the_readme_table_is_what_the_declarations_generate() -> None:
    readme = (ROOT / "README.md").read_text()
    assert settings_docs.block(readme) is not None, "README.md lost the settings table's markers"
    assert settings_docs.block(readme) == settings_docs.table(), (
        "README.md's settings table is out of date: run scripts/settings_table --write"
    )


def test_the_table_has_one_row_per_variable_with_its_default() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in settings_docs.table().splitlines()[2:]
    }
    variables = Environment.variables()
    assert list(rows) == list(variables)
    assert rows["RAPORTO_CONSOLE_SESSION_MINUTES"] == "`30`"
    assert rows["RAPORTO_REVIEW_SUMMARY_AT"] == "`08:00`"
    assert rows["RAPORTO_FULL_TEXT_IN_TELEGRAM"] == "`0`"
    assert rows["RAPORTO_SPOOL_MAX_MB"] == f"`{variables['RAPORTO_SPOOL_MAX_MB'].default}`"


def test_every_variable_is_declared_with_a_description() -> None:
    for name, info in Environment.variables().items():
        assert info.description and len(info.description) > 10, name
        assert name == name.upper(), name


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_no_document_names_a_variable_that_does_not_exist(document: Path) -> None:
    assert undeclared(document.read_text()) == set()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_defaults_stated_in_prose_are_the_declared_ones(document: Path) -> None:
    assert wrong_prose_defaults(document.read_text()) == []


def test_the_checks_catch_a_stale_table_an_unknown_variable_and_a_wrong_default() -> None:
    readme = (ROOT / "README.md").read_text()
    stale = readme.replace("| `RAPORTO_STATS_K` | `5` |", "| `RAPORTO_STATS_K` | `7` |")
    assert stale != readme and settings_docs.block(stale) != settings_docs.table()
    dropped = readme.replace(settings_docs.table().splitlines()[-1] + "\n", "")
    assert dropped != readme and settings_docs.block(dropped) != settings_docs.table()
    assert settings_docs.block(settings_docs.with_table(stale)) == settings_docs.table()
    assert undeclared("set `RAPORTO_MAX_BODY_KB` and `TWILIO_SMS_FROM`") == {"RAPORTO_MAX_BODY_KB"}
    assert undeclared("run with RAPORTO_TEST_PG set") == set()
    assert wrong_prose_defaults("`RAPORTO_STATS_K` (7) and `RAPORTO_REMINDER_HOURS`\n(24)") == [
        ("RAPORTO_STATS_K", "7", "5")
    ]
    assert wrong_prose_defaults("`RAPORTO_REVIEW_SUMMARY_AT` (`09:00`, Tirana)") == [
        ("RAPORTO_REVIEW_SUMMARY_AT", "09:00", "08:00")
    ]


def test_the_script_checks_and_prints_the_table() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "raporto.settings_docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    printed = subprocess.run(
        [sys.executable, "-m", "raporto.settings_docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout == settings_docs.table()
    assert (ROOT / "scripts" / "settings_table").stat().st_mode & 0o111
