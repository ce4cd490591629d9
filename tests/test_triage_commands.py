"""`raporto triage` and `raporto triage-eval` commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from raporto.triage_commands import triage_command, triage_eval_command


def test_triage_writes_one_json_line_per_input_line() -> None:
    lines = [
        {"text": "Vajza 15 vjeç lyp çdo ditë në Tiranë dhe një burrë ia merr paratë."},
        {"text": "Hello, is this line anonymous?", "lang": "en", "channel": "telegram"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    result = CliRunner().invoke(triage_command, input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["band"] for o in out] == ["critical", "not_a_tip"]
    assert out[0]["minor"] is True and out[0]["ages"] == [15]
    assert "vjeç" in result.output  # ensure_ascii=False keeps Albanian letters readable


def test_a_bad_line_writes_an_error_for_that_line_continues_and_exits_1() -> None:
    stdin = '{"text": "Përshëndetje"}\nnot json\n{"text": 5}\n{"text": "hi"}\n'
    result = CliRunner().invoke(triage_command, input=stdin)
    out = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 1
    assert "band" in out[0] and "error" in out[1] and "error" in out[2] and "band" in out[3]


def test_triage_eval_check_exits_non_zero_exactly_when_a_target_fails() -> None:
    for which in ("development", "sealed"):
        result = CliRunner().invoke(triage_eval_command, ["--set", which, "--check"])
        assert f"Targets ({which} set)" in result.output
        assert (result.exit_code != 0) == ("[FAIL]" in result.output), result.output


def test_triage_eval_refuses_to_list_the_sealed_sets_misses() -> None:
    result = CliRunner().invoke(triage_eval_command, ["--set", "sealed", "--misses"])
    assert result.exit_code != 0
    assert "scored only" in result.output


def test_triage_eval_check_fails_when_targets_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Përshëndetje", "band": "critical", "minor": True}) + "\n")
    result = CliRunner().invoke(triage_eval_command, [str(bad), "--check"])
    assert result.exit_code != 0
    assert "FAIL" in result.output


def test_the_commands_are_named_for_the_raporto_group() -> None:
    assert triage_command.name == "triage"
    assert triage_eval_command.name == "triage-eval"
