"""Evaluation of the triage on labelled examples: per-band scores, accepted bands, targets.

Two sets are scored (docs/TRIAGE.md says how each was made): the development set, which the
catalogue is tuned on, and the sealed set, written by a process that never saw the catalogue or
the development set and only ever scored. Each has its own targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.assessment import Assessment
from triage.policy import BANDS

BENIGN_BANDS = ("low", "not_a_tip")
SEVERE_BANDS = ("critical", "high")

# Development set: the targets of issue 3, kept as they were.
DEV_MIN_MACRO_F1 = 0.85
DEV_MAX_BENIGN_HIGH_RATE = 0.05
# Sealed set: the targets of issue 10.
SEALED_MIN_ACCEPTED = 0.90
SEALED_MAX_BENIGN_HIGH_RATE = 0.02
MIN_MINOR_RECALL = 0.95


@dataclass(frozen=True)
class BandStats:
    """Precision, recall, F1 and support of one band."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Miss:
    """An example the triage put outside its accepted bands."""

    text: str
    expected: str
    got: str
    kind: str


@dataclass(frozen=True)
class EvalReport:
    """Result of an evaluation run."""

    total: int
    per_band: Mapping[str, BandStats]
    macro_f1: float
    accepted_rate: float
    minor_recall: float
    minor_support: int
    benign_high_rate: float
    benign_support: int
    critical_top2_rate: float
    severe_dropped: int  # critical or high examples assessed low or not_a_tip
    critical_dropped: int  # critical examples assessed low or not_a_tip
    cases_hidden: int  # examples that describe a case, assessed not_a_tip
    confusion: Mapping[str, Mapping[str, int]]
    # Never in the repr: a failing assertion must not print a sealed example's text.
    misses: tuple[Miss, ...] = field(repr=False)

    def targets(self, which: str = "development") -> dict[str, bool]:
        """Each acceptance target of the set ("development" or "sealed") and whether it holds."""
        if which == "sealed":
            return {
                f"≥ {SEALED_MIN_ACCEPTED:.0%} in an accepted band": self.accepted_rate
                >= SEALED_MIN_ACCEPTED,
                "no critical or high example in low or not_a_tip": self.severe_dropped == 0,
                "no example with a case in not_a_tip": self.cases_hidden == 0,
                f"benign in high/critical ≤ {SEALED_MAX_BENIGN_HIGH_RATE:.0%}": (
                    self.benign_high_rate <= SEALED_MAX_BENIGN_HIGH_RATE
                ),
                f"minor recall ≥ {MIN_MINOR_RECALL}": self.minor_recall >= MIN_MINOR_RECALL,
            }
        return {
            "critical examples land in critical or high (100%)": self.critical_top2_rate == 1.0,
            "no critical example lands in low or not_a_tip": self.critical_dropped == 0,
            f"macro-F1 ≥ {DEV_MIN_MACRO_F1}": self.macro_f1 >= DEV_MIN_MACRO_F1,
            f"minor recall ≥ {MIN_MINOR_RECALL}": self.minor_recall >= MIN_MINOR_RECALL,
            f"benign in high/critical < {DEV_MAX_BENIGN_HIGH_RATE:.0%}": self.benign_high_rate
            < DEV_MAX_BENIGN_HIGH_RATE,
        }

    def passed(self, which: str = "development") -> bool:
        """True when every target of the set holds."""
        return all(self.targets(which).values())

    def format(self, which: str = "development") -> str:
        """A plain-text report: per-band table, summary figures, targets, confusion matrix."""
        lines = [f"Examples: {self.total}", "", "band        precision  recall     F1  support"]
        for band in BANDS:
            s = self.per_band[band]
            lines.append(
                f"{band:<11} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d}"
            )
        lines += [
            "",
            f"in an accepted band: {self.accepted_rate:.1%}",
            f"macro-F1 (exact band): {self.macro_f1:.3f}",
            f"minor recall: {self.minor_recall:.3f} (n={self.minor_support})",
            f"benign (expected low/not_a_tip) in high or critical: {self.benign_high_rate:.1%} "
            f"(n={self.benign_support})",
            f"critical in critical or high: {self.critical_top2_rate:.1%}; "
            f"critical or high in low or not_a_tip: {self.severe_dropped}; "
            f"cases in not_a_tip: {self.cases_hidden}",
            "",
            f"Targets ({which} set):",
        ]
        lines += [
            f"  [{'ok' if ok else 'FAIL'}] {name}" for name, ok in self.targets(which).items()
        ]
        lines += ["", "Confusion matrix (rows expected, columns assessed):"]
        lines.append(" " * 11 + "".join(f"{b[:9]:>10}" for b in BANDS))
        for expected in BANDS:
            row = "".join(f"{self.confusion[expected][got]:>10}" for got in BANDS)
            lines.append(f"{expected:<11}{row}")
        return "\n".join(lines)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _accepted(example: Mapping[str, Any], expected: str) -> tuple[str, ...]:
    accept = tuple(str(b) for b in example.get("accept") or (expected,))
    unknown = [b for b in accept if b not in BANDS]
    if unknown or expected not in accept:
        raise ValueError(f"bad accepted bands {accept!r} for band {expected!r}")
    return accept


def _describes_case(example: Mapping[str, Any], expected: str) -> bool:
    case = example.get("case")
    return bool(case) if case is not None else expected != "not_a_tip"


def evaluate(
    examples: Iterable[Mapping[str, Any]],
    assess_fn: Callable[..., Assessment] | None = None,
) -> EvalReport:
    """Assess every example ({text, band, accept?, minor, case?}) and compare with its labels.

    Only the text is given to the triage: a tip arrives without its language or any label.
    """
    if assess_fn is None:
        from triage import assess

        assess_fn = assess
    confusion = {e: dict.fromkeys(BANDS, 0) for e in BANDS}
    minor_total = minor_found = benign_total = benign_high = 0
    accepted = severe_dropped = cases_hidden = 0
    misses: list[Miss] = []
    total = 0
    for example in examples:
        total += 1
        expected = str(example["band"])
        if expected not in BANDS:
            raise ValueError(f"unknown band {expected!r} in example {total}")
        accept = _accepted(example, expected)
        result = assess_fn(str(example["text"]))
        confusion[expected][result.band] += 1
        if result.band in accept:
            accepted += 1
        else:
            misses.append(
                Miss(str(example["text"]), expected, result.band, str(example.get("kind", "")))
            )
        dropped = result.band in BENIGN_BANDS
        severe_dropped += expected in SEVERE_BANDS and dropped
        cases_hidden += result.band == "not_a_tip" and _describes_case(example, expected)
        if example.get("minor"):
            minor_total += 1
            minor_found += result.minor
        if expected in BENIGN_BANDS:
            benign_total += 1
            benign_high += result.band in SEVERE_BANDS
    per_band = {}
    for band in BANDS:
        tp = confusion[band][band]
        predicted = sum(confusion[e][band] for e in BANDS)
        support = sum(confusion[band].values())
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = _ratio(int(2 * precision * recall * 1e9), int((precision + recall) * 1e9))
        per_band[band] = BandStats(precision, recall, f1, support)
    critical = confusion["critical"]
    return EvalReport(
        total=total,
        per_band=per_band,
        macro_f1=sum(s.f1 for s in per_band.values()) / len(BANDS),
        accepted_rate=_ratio(accepted, total),
        minor_recall=_ratio(minor_found, minor_total),
        minor_support=minor_total,
        benign_high_rate=_ratio(benign_high, benign_total),
        benign_support=benign_total,
        critical_top2_rate=_ratio(
            critical["critical"] + critical["high"], per_band["critical"].support
        ),
        severe_dropped=severe_dropped,
        critical_dropped=critical["low"] + critical["not_a_tip"],
        cases_hidden=cases_hidden,
        confusion=confusion,
        misses=tuple(misses),
    )
