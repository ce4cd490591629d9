"""`raporto triage-eval --from-db`: triage against officials' decisions, counts only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from models.accounts import TipReview
from models.base import utcnow
from models.tables import Tip
from raporto.runtime import Runtime
from raporto.triage_commands import triage_eval_command
from tests.conftest import env_for, make_runtime
from tests.console_helpers import demo_officials, make_account
from tests.review_helpers import make_tip

WORDS = "Fjalë-që-s'duhet-të-dalin-4410"


def labelled_database(runtime: Runtime) -> list[str]:
    """Tips with triage bands, officials' reviews and outcomes; return their reference codes."""
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "reviewer", "official", official_id=official)
    now = utcnow()
    # (triage band, reviews as (decision, band), oldest first, outcome)
    cases: list[tuple[str, list[tuple[str, str]], str | None]] = [
        ("low", [("reband", "high")], None),
        ("low", [("reband", "low")], None),
        ("not_a_tip", [("not_a_case", "not_a_tip")], None),
        ("medium", [("not_a_case", "not_a_tip")], None),
        # Only the latest review counts.
        ("not_a_tip", [("not_a_case", "not_a_tip"), ("reband", "medium")], None),
        ("critical", [], "confirmed_trafficking"),
        ("low", [], "confirmed_trafficking"),
        ("high", [], "hoax"),
        ("not_a_tip", [], "not_trafficking"),
        ("medium", [], "duplicate"),  # not a label
        ("high", [], None),  # nobody decided anything
    ]
    references = []
    for band, decisions, outcome in cases:
        tip_id = make_tip(runtime, band=band, text=WORDS, outcome=outcome)
        with runtime.db.transaction() as s:
            for minutes, (decision, to_band) in enumerate(decisions):
                s.add(
                    TipReview(
                        tip_id=tip_id,
                        user_id=user_id,
                        at=now + timedelta(minutes=minutes),
                        decision=decision,
                        from_band=band,
                        to_band=to_band,
                        reason_enc=runtime.vault.encrypt_text(WORDS),
                    )
                )
        with runtime.db.read() as s:
            tip = s.get(Tip, tip_id)
            assert tip is not None
            references.append(tip.reference)
    return references


def test_from_db_prints_the_confusion_matrices_and_agreement_without_codes_or_text(
    tmp_path: Path, database_url: str
) -> None:
    runtime = make_runtime(tmp_path, database_url)
    references = labelled_database(runtime)
    result = CliRunner().invoke(
        triage_eval_command, ["--from-db"], env=env_for(tmp_path, database_url)
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert WORDS not in out and not any(ref in out for ref in references)
    lines = [line.split() for line in out.splitlines()]
    assert " ".join(lines[1]) == "tips reviewed: 5; closed tips labelled by their outcome: 4"
    reviews = out.split("Reviews:", 1)[1].split("Outcomes:", 1)[0].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in reviews[2:] if line.strip()}
    # columns: critical high medium low not_a_tip total agree
    assert rows["low"] == ["0", "1", "0", "1", "0", "2", "50%"]
    assert rows["medium"] == ["0", "0", "0", "0", "1", "1", "0%"]
    assert rows["not_a_tip"] == ["0", "0", "1", "0", "1", "2", "50%"]
    assert rows["total"] == ["0", "1", "1", "1", "2", "5"]
    outcomes = out.split("Outcomes:", 1)[1].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in outcomes[2:5]}
    # columns: case not_a_case total agree
    assert rows["critical"] == ["1", "0", "1", "100%"]
    assert rows["high"] == ["0", "1", "1", "0%"]
    assert rows["low"] == ["1", "0", "1", "0%"]
    runtime.db.dispose()


def test_from_db_on_an_empty_database_says_so(tmp_path: Path, sqlite_url: str) -> None:
    make_runtime(tmp_path, sqlite_url)
    result = CliRunner().invoke(
        triage_eval_command, ["--from-db"], env=env_for(tmp_path, sqlite_url)
    )
    assert result.exit_code == 0
    assert "No tip has been reviewed yet." in result.output


def test_from_db_refuses_options_that_would_print_text(tmp_path: Path, sqlite_url: str) -> None:
    make_runtime(tmp_path, sqlite_url)
    for extra in (["--misses"], ["--check"]):
        result = CliRunner().invoke(
            triage_eval_command, ["--from-db", *extra], env=env_for(tmp_path, sqlite_url)
        )
        assert result.exit_code == 2 and "--from-db takes no" in result.output
