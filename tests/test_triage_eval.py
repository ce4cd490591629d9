"""Triage holds its targets on the development set and on the sealed set (docs/TRIAGE.md).

The sealed set was written by a process that never saw the catalogue or the development set; it
is only scored here, never searched for gaps, so these tests print aggregate figures only.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from triage.evaluation import EvalReport, evaluate
from triage.policy import BANDS

DATA = Path(__file__).parent / "data"
SETS = {"development": DATA / "triage_dev.jsonl", "sealed": DATA / "triage_sealed.jsonl"}
FIELDS = {"text", "lang", "band", "accept", "minor", "case", "kind"}
# The shapes issue 10 names; both sets must contain each of them.
SHAPES = {"question_with_case", "past", "survivor", "minor_travel", "first_person", "hearsay",
          "online_child", "begging", "marriage", "sexwork", "smuggling", "hoax", "benign",
          "info", "complicity", "labour", "sexual"}  # fmt: skip


@cache
def _examples(which: str) -> tuple[dict[str, object], ...]:
    with SETS[which].open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


@cache
def _report(which: str) -> EvalReport:
    return evaluate(_examples(which))


def test_there_are_at_least_600_labelled_examples_and_the_sets_do_not_share_a_text() -> None:
    development, sealed = _examples("development"), _examples("sealed")
    assert len(development) + len(sealed) >= 600
    assert len(sealed) >= 300
    norm = {" ".join(str(e["text"]).lower().split()) for e in development}
    assert not [e for e in sealed if " ".join(str(e["text"]).lower().split()) in norm]


@pytest.mark.parametrize("which", ["development", "sealed"])
def test_every_example_is_labelled_by_the_guide(which: str) -> None:
    for example in _examples(which):
        assert set(example) >= FIELDS
        assert example["band"] in BANDS and example["band"] in example["accept"]
        accept = [BANDS.index(str(b)) for b in example["accept"]]  # type: ignore[attr-defined]
        assert len(accept) <= 2 and max(accept) - min(accept) <= 1
        assert example["lang"] in ("sq", "en")
        assert isinstance(example["minor"], bool) and isinstance(example["case"], bool)


@pytest.mark.parametrize("which", ["development", "sealed"])
def test_both_sets_cover_every_band_both_languages_and_the_shapes_of_issue_10(which: str) -> None:
    examples = _examples(which)
    assert set(Counter(str(e["band"]) for e in examples)) == set(BANDS)
    assert min(Counter(str(e["band"]) for e in examples).values()) >= 50
    assert {str(e["kind"]) for e in examples} >= SHAPES
    albanian = [str(e["text"]) for e in examples if e["lang"] == "sq"]
    english = [e for e in examples if e["lang"] == "en"]
    assert len(albanian) >= 100 and len(english) >= 100
    # Phone-style Albanian: without ë or ç.
    assert sum(not any(c in t.lower() for c in "ëç") for t in albanian) >= 0.4 * len(albanian)


# Each sealed test copies one figure into a local first: a failure shows the number only.


def test_sealed_at_least_90_percent_land_in_an_accepted_band() -> None:
    rate = _report("sealed").accepted_rate
    assert rate >= 0.90


def test_sealed_no_critical_or_high_example_lands_in_low_or_not_a_tip() -> None:
    dropped = _report("sealed").severe_dropped
    assert dropped == 0


def test_sealed_no_example_that_describes_a_case_lands_in_not_a_tip() -> None:
    hidden = _report("sealed").cases_hidden
    assert hidden == 0


def test_sealed_at_most_2_percent_of_benign_examples_land_in_high_or_critical() -> None:
    rate = _report("sealed").benign_high_rate
    assert rate <= 0.02


def test_sealed_minor_recall_is_at_least_0_95() -> None:
    recall = _report("sealed").minor_recall
    assert recall >= 0.95


def test_development_set_targets_hold() -> None:
    report = _report("development")
    assert report.passed("development"), report.format("development")


def test_the_report_prints_per_band_scores_targets_and_the_confusion_matrix() -> None:
    text = _report("development").format("sealed")
    for band in BANDS:
        assert band in text
    assert "accepted band" in text and "Targets (sealed set)" in text
    assert "Confusion matrix" in text


def test_evaluate_rejects_an_unknown_band_and_bad_accepted_bands() -> None:
    with pytest.raises(ValueError):
        evaluate([{"text": "x", "band": "urgent", "minor": False}])
    with pytest.raises(ValueError):
        evaluate([{"text": "x", "band": "high", "accept": ["low"], "minor": False}])


def test_a_case_assessed_not_a_tip_counts_as_hidden_and_a_question_does_not() -> None:
    report = evaluate(
        [
            {"text": "hello", "band": "not_a_tip", "case": False, "minor": False},
            {"text": "hello", "band": "low", "case": True, "minor": False},
        ]
    )
    assert report.cases_hidden == 1 and report.accepted_rate == 0.5
