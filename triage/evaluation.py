"""Evaluation of the triage on labelled examples: per-band scores, minor recall, targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.assessment import Assessment
from triage.policy import BANDS

# The acceptance targets of issue 3.
MIN_MACRO_F1 = 0.85
MIN_MINOR_RECALL = 0.95
MAX_BENIGN_HIGH_RATE = 0.05
BENIGN_BANDS = ("low", "not_a_tip")


@dataclass(frozen=True)
class BandStats:
    """Precision, recall, F1 and support of one band."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Miss:
    """An example the triage put in another band than expected."""

    text: str
    expected: str
    got: str


@dataclass(frozen=True)
class EvalReport:
    """Result of an evaluation run."""

    total: int
    per_band: Mapping[str, BandStats]
    macro_f1: float
    minor_recall: float
    minor_support: int
    benign_high_rate: float
    benign_support: int
    critical_top2_rate: float
    critical_low_count: int
    confusion: Mapping[str, Mapping[str, int]]
    misses: tuple[Miss, ...]

    def targets(self) -> dict[str, bool]:
        """Each acceptance target of the issue and whether it holds."""
        return {
            "critical examples land in critical or high (100%)": self.critical_top2_rate == 1.0,
            "no critical example lands in low or not_a_tip": self.critical_low_count == 0,
            f"macro-F1 ≥ {MIN_MACRO_F1}": self.macro_f1 >= MIN_MACRO_F1,
            f"minor recall ≥ {MIN_MINOR_RECALL}": self.minor_recall >= MIN_MINOR_RECALL,
            f"benign in high/critical < {MAX_BENIGN_HIGH_RATE:.0%}": self.benign_high_rate
            < MAX_BENIGN_HIGH_RATE,
        }

    @property
    def passed(self) -> bool:
        """True when every target holds."""
        return all(self.targets().values())

    def format(self) -> str:
        """A plain-text report: per-band table, summary figures, targets, confusion matrix."""
        lines = [f"Examples: {self.total}", "", "band        precision  recall     F1  support"]
        for band in BANDS:
            s = self.per_band[band]
            lines.append(
                f"{band:<11} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:8d}"
            )
        lines += [
            "",
            f"macro-F1: {self.macro_f1:.3f}",
            f"minor recall: {self.minor_recall:.3f} (n={self.minor_support})",
            f"benign (expected low/not_a_tip) in high or critical: {self.benign_high_rate:.1%} "
            f"(n={self.benign_support})",
            f"critical in critical or high: {self.critical_top2_rate:.1%}; "
            f"critical in low or not_a_tip: {self.critical_low_count}",
            "",
            "Targets:",
        ]
        lines += [f"  [{'ok' if ok else 'FAIL'}] {name}" for name, ok in self.targets().items()]
        lines += ["", "Confusion matrix (rows expected, columns assessed):"]
        lines.append(" " * 11 + "".join(f"{b[:9]:>10}" for b in BANDS))
        for expected in BANDS:
            row = "".join(f"{self.confusion[expected][got]:>10}" for got in BANDS)
            lines.append(f"{expected:<11}{row}")
        return "\n".join(lines)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate(
    examples: Iterable[Mapping[str, Any]],
    assess_fn: Callable[..., Assessment] | None = None,
) -> EvalReport:
    """Assess every example ({text, lang?, band, minor}) and compare with its labels."""
    if assess_fn is None:
        from triage import assess

        assess_fn = assess
    confusion = {e: dict.fromkeys(BANDS, 0) for e in BANDS}
    minor_total = minor_found = benign_total = benign_high = 0
    misses: list[Miss] = []
    total = 0
    for example in examples:
        total += 1
        expected = str(example["band"])
        if expected not in BANDS:
            raise ValueError(f"unknown band {expected!r} in example {total}")
        result = assess_fn(str(example["text"]), example.get("lang"))
        confusion[expected][result.band] += 1
        if result.band != expected:
            misses.append(Miss(str(example["text"]), expected, result.band))
        if example.get("minor"):
            minor_total += 1
            minor_found += result.minor
        if expected in BENIGN_BANDS:
            benign_total += 1
            benign_high += result.band in ("critical", "high")
    per_band = {}
    for band in BANDS:
        tp = confusion[band][band]
        predicted = sum(confusion[e][band] for e in BANDS)
        support = sum(confusion[band].values())
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = _ratio(int(2 * precision * recall * 1e9), int((precision + recall) * 1e9))
        per_band[band] = BandStats(precision, recall, f1, support)
    critical_support = per_band["critical"].support
    return EvalReport(
        total=total,
        per_band=per_band,
        macro_f1=sum(s.f1 for s in per_band.values()) / len(BANDS),
        minor_recall=_ratio(minor_found, minor_total),
        minor_support=minor_total,
        benign_high_rate=_ratio(benign_high, benign_total),
        benign_support=benign_total,
        critical_top2_rate=_ratio(
            confusion["critical"]["critical"] + confusion["critical"]["high"], critical_support
        ),
        critical_low_count=confusion["critical"]["low"] + confusion["critical"]["not_a_tip"],
        confusion=confusion,
        misses=tuple(misses),
    )
