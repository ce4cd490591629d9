"""The acceptance targets of issue 3 hold on the labelled evaluation set."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from triage.evaluation import EvalReport, evaluate
from triage.policy import BANDS

EVAL_FILE = Path(__file__).parent / "data" / "triage_eval.jsonl"


@cache
def _examples() -> tuple[dict[str, object], ...]:
    with EVAL_FILE.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


@cache
def _report() -> EvalReport:
    return evaluate(_examples())


def test_the_evaluation_set_has_at_least_220_labelled_examples_of_every_band() -> None:
    examples = _examples()
    assert len(examples) >= 220
    assert set(Counter(str(e["band"]) for e in examples)) == set(BANDS)
    assert all(isinstance(e["minor"], bool) and isinstance(e["kind"], str) for e in examples)


def test_the_evaluation_set_covers_both_languages_and_the_hard_kinds() -> None:
    examples = _examples()
    kinds = {str(e["kind"]) for e in examples}
    assert {"sexual", "labour", "begging", "info", "smuggling", "sexwork", "hoax", "spam",
            "child", "complicity", "benign"} <= kinds  # fmt: skip
    texts = [str(e["text"]) for e in examples]
    assert sum("ë" in t or "ç" in t for t in texts) >= 50
    assert sum(t.isascii() for t in texts) >= 100


def test_every_critical_example_lands_in_critical_or_high() -> None:
    assert _report().critical_top2_rate == 1.0


def test_no_critical_example_lands_in_low_or_not_a_tip() -> None:
    assert _report().critical_low_count == 0


def test_macro_f1_over_the_bands_is_at_least_0_85() -> None:
    assert _report().macro_f1 >= 0.85


def test_minor_recall_is_at_least_0_95() -> None:
    assert _report().minor_recall >= 0.95


def test_fewer_than_5_percent_of_benign_examples_land_in_high_or_critical() -> None:
    assert _report().benign_high_rate < 0.05


def test_the_report_prints_per_band_scores_and_the_confusion_matrix() -> None:
    text = _report().format()
    for band in BANDS:
        assert band in text
    assert "macro-F1" in text and "minor recall" in text and "Confusion matrix" in text


def test_evaluate_rejects_an_unknown_band() -> None:
    with pytest.raises(ValueError):
        evaluate([{"text": "x", "band": "urgent", "minor": False}])
