"""The statistical second opinion: trained on the current development set, only ever raises."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import triage
from triage import second_opinion
from triage.score import BANDS

DEV = Path(__file__).parent / "data" / "triage_dev.jsonl"


def test_the_model_was_trained_on_the_development_set_as_it_is_now() -> None:
    digest = hashlib.sha256(DEV.read_bytes()).hexdigest()
    assert second_opinion.model().trained_on_sha256 == digest, (
        "triage/second_opinion.json is stale: run scripts/train-second-opinion"
    )


def test_probabilities_are_ordered_levels_between_zero_and_one() -> None:
    chances = second_opinion.probabilities("ia kanë marrë pasaportën dhe s'e lënë të dalë")
    assert len(chances) == 4 and all(0.0 <= p <= 1.0 for p in chances)
    assert chances == second_opinion.probabilities("ia kanë marrë pasaportën dhe s'e lënë të dalë")


@pytest.mark.parametrize("line", DEV.read_text("utf-8").splitlines()[::37])
def test_it_never_lowers_the_rules_band(line: str) -> None:
    text = json.loads(line)["text"]
    with_it = triage.assess(text)
    without = triage.assess(text, second_opinion=False)
    assert BANDS.index(with_it.band) <= BANDS.index(without.band)
    if with_it.band != without.band:
        assert "second_opinion" in with_it.rules
        assert "statistical model" in with_it.explain("en")


def test_policy_caps_are_never_raised_beyond_a_review_today() -> None:
    assert not second_opinion.allowed(("past_event",))
    assert not second_opinion.allowed(("hearsay",))
    assert not second_opinion.allowed(("domestic_violence",))
    assert not second_opinion.allowed(("child_in_street",))
    assert second_opinion.allowed(("information_only",))
    assert second_opinion.raised_band("hello", "critical", BANDS) is None


@pytest.mark.parametrize(
    ("chances", "band", "expected"),
    [
        ((0.75, 0.1, 0.05, 0.01), "not_a_tip", "low"),  # the gate: into the review queue
        ((0.6, 0.1, 0.05, 0.01), "not_a_tip", None),  # below the gate threshold
        ((0.75, 0.1, 0.05, 0.01), "low", None),  # the gate never raises past low
        ((0.99, 0.9, 0.1, 0.01), "not_a_tip", "medium"),  # a confident raise wins
    ],
)
def test_the_gate_sends_a_likely_report_to_review_not_away(
    monkeypatch: pytest.MonkeyPatch,
    chances: tuple[float, ...],
    band: str,
    expected: str | None,
) -> None:
    monkeypatch.setattr(second_opinion, "probabilities", lambda text: chances)
    assert second_opinion.model().gate_threshold == 0.7
    assert second_opinion.raised_band("any text", band, BANDS) == expected


@pytest.mark.parametrize(
    ("chances", "band", "expected"),
    [
        ((0.99, 0.98, 0.96, 0.9), "low", "medium"),  # capped, but the model reads a serious case
        ((0.99, 0.98, 0.96, 0.9), "not_a_tip", "medium"),
        ((0.99, 0.98, 0.9, 0.5), "low", None),  # below the cap threshold
        ((0.99, 0.98, 0.99, 0.99), "medium", None),  # never above medium, never from medium
    ],
)
def test_a_capped_tip_the_model_reads_as_serious_is_reviewed_today(
    monkeypatch: pytest.MonkeyPatch,
    chances: tuple[float, ...],
    band: str,
    expected: str | None,
) -> None:
    monkeypatch.setattr(second_opinion, "probabilities", lambda text: chances)
    assert second_opinion.model().cap_threshold == 0.95
    assert second_opinion.reviewed_band("any text", band) == expected


def test_the_review_of_a_capped_tip_is_named_in_the_explanation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(second_opinion, "probabilities", lambda text: (0.99, 0.99, 0.99, 0.99))
    result = triage.assess("Back in 2016 my sister was held in a flat in Kosovo. She's fine now.")
    assert "past_event" in result.rules
    assert (result.band, result.rules[-1]) == ("medium", "second_opinion_review")
    assert "statistical model reads a serious case" in result.explain("en")
