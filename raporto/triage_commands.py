"""Click commands `raporto triage` and `raporto triage-eval` (a JSONL file, or --from-db)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import triage
from models.db import Database
from models.review import labelled
from raporto import review_eval
from raporto.cli_runtime import command_settings
from triage.evaluation import evaluate

# The two labelled sets (docs/TRIAGE.md says how each was written).
EVAL_SETS = {
    "development": Path("tests/data/triage_dev.jsonl"),
    "sealed": Path("tests/data/triage_sealed.jsonl"),
}


def _assess_line(line: str) -> dict[str, Any]:
    record = json.loads(line)
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ValueError('each line must be a JSON object with a string "text"')
    lang, channel = record.get("lang"), record.get("channel")
    if lang is not None and not isinstance(lang, str):
        raise ValueError('"lang" must be a string')
    if channel is not None and not isinstance(channel, str):
        raise ValueError('"channel" must be a string')
    return triage.assess(record["text"], lang=lang, channel=channel).to_dict()


@click.command("triage")
def triage_command() -> None:
    """Triage tips: JSON lines {"text", "lang"?, "channel"?} on stdin, one JSON line out each."""
    failed = False
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            result = _assess_line(line)
        except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
            failed = True
            result = {"error": f"line {number}: {error}"}
        click.echo(json.dumps(result, ensure_ascii=False))
    if failed:
        sys.exit(1)


@click.command("triage-eval")
@click.argument(
    "path",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--set",
    "which",
    type=click.Choice(sorted(EVAL_SETS)),
    default="development",
    show_default=True,
    help="Which labelled set (and its targets); PATH overrides the file.",
)
@click.option("--check", is_flag=True, help="Exit non-zero when an acceptance target fails.")
@click.option(
    "--misses",
    is_flag=True,
    help="Also list the examples outside their accepted bands (never for the sealed set).",
)
@click.option(
    "--from-db",
    is_flag=True,
    help="Compare triage with the officials' decisions stored in the configured database.",
)
def triage_eval_command(
    path: Path | None, which: str, check: bool, misses: bool, from_db: bool
) -> None:
    """Evaluate the triage on a labelled set (default: the development set) against its targets."""
    if from_db:
        if path is not None or check or misses:
            # --misses would print tips' words; the database's labels have no targets to check.
            raise click.UsageError("--from-db takes no PATH, --check or --misses")
        click.echo(_from_db())
        return
    if misses and which == "sealed":
        # The sealed set is only ever scored: looking at its misses would tune on it.
        raise click.UsageError("the sealed set is scored only; --misses is refused")
    path = path or EVAL_SETS[which]
    if not path.is_file():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    with path.open(encoding="utf-8") as handle:
        examples = [json.loads(line) for line in handle if line.strip()]
    report = evaluate(examples)
    click.echo(report.format(which))
    if misses:
        click.echo("\nMisses (expected -> assessed):")
        for miss in report.misses:
            click.echo(f"  {miss.expected:>9} -> {miss.got:<9} {miss.text}")
    if check and not report.passed(which):
        sys.exit(1)


def _from_db() -> str:
    """Read the officials' labels from the configured database and format the comparison."""
    db = Database(command_settings().database_url)
    try:
        with db.read() as session:
            return review_eval.report(labelled(session))
    finally:
        db.dispose()
