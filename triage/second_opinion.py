"""A statistical second opinion that can only raise a band.

Ordinal logistic models over character n-grams, trained on the development set by
`scripts/train-second-opinion` (scikit-learn, at build time only) and exported to
`second_opinion.json`; here they are evaluated in plain Python. For each level k (low, medium,
high, critical) a model gives P(band >= k). When that probability reaches the exported
threshold for a level above the rules' band, the band is raised and the explanation says so;
a tip the rules call not_a_tip is put in the review queue (low) from a lower gate threshold.
It never lowers a band, and never overrides a policy cap (an event long past, smuggling or sex
work alone, a chain message, a joke, hearsay): those are decisions, not detection gaps.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

import numpy as np

from triage.datafiles import read_text
from triage.normalise import fold

MODEL_FILE = "second_opinion.json"
# Rules that cap a band on purpose: the second opinion never overrides them.
POLICY_CAPS = frozenset(
    {
        "past_event",
        "smuggling_alone",
        "sex_work_alone",
        "chain_message",
        "accused_reporter",
        "lawful_journey",
        "joke",
        "hearsay",
        "awareness",
        "advert",
        "child_in_street",
        "domestic_violence",
        "begging_alone",
        "travel_question",
        "work_question",
        "family_dispute",
    }
)
LEVELS = ("low", "medium", "high", "critical")  # level k means "band >= LEVELS[k - 1]"
_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class Model:
    """The exported vectoriser (vocabulary, idf) and one logistic model per level."""

    ngram: tuple[int, int]
    index: dict[str, int]
    idf: np.ndarray  # one value per n-gram
    intercepts: np.ndarray  # one per level
    weights: np.ndarray  # levels × n-grams
    threshold: float
    gate_threshold: float  # not_a_tip -> low (the review queue) from this P(band >= low)
    cap_threshold: float  # a capped tip -> medium from this P(band >= high)
    trained_on_sha256: str


@cache
def model() -> Model:
    """Load the exported model once."""
    raw = json.loads(read_text(MODEL_FILE))
    vocabulary = list(raw["vocabulary"])
    return Model(
        ngram=(int(raw["ngram"][0]), int(raw["ngram"][1])),
        index={gram: i for i, gram in enumerate(vocabulary)},
        idf=np.asarray(raw["idf"], dtype=np.float64),
        intercepts=np.asarray(raw["intercepts"], dtype=np.float64),
        weights=np.asarray(raw["weights"], dtype=np.float64),
        threshold=float(raw["threshold"]),
        gate_threshold=float(raw["gate_threshold"]),
        cap_threshold=float(raw["cap_threshold"]),
        trained_on_sha256=str(raw["trained_on_sha256"]),
    )


def ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside word boundaries, exactly as scikit-learn's char_wb analyser."""
    return [gram for word in _words(text) for gram in _word_ngrams(word, low, high)]


def _words(text: str) -> list[str]:
    return _SPACES.sub(" ", fold(text)).split()


def _word_ngrams(word: str, low: int, high: int) -> list[str]:
    found: list[str] = []
    padded = f" {word} "
    for n in range(low, high + 1):
        offset = 0
        found.append(padded[offset : offset + n])
        while offset + n < len(padded):
            offset += 1
            found.append(padded[offset : offset + n])
        if offset == 0:  # a word shorter than n is counted once
            break
    return found


@lru_cache(maxsize=1 << 16)
def _columns(word: str) -> tuple[int, ...]:
    # Per word, in n-gram order: a tip's columns are its words' columns in turn, so the counts
    # (and the order the sums below add them in) are exactly those of the whole text's n-grams.
    m = model()
    return tuple(i for gram in _word_ngrams(word, *m.ngram) if (i := m.index.get(gram)) is not None)


def probabilities(text: str) -> tuple[float, ...]:
    """P(band >= level) for each level, from the text alone."""
    m = model()
    counts = Counter(chain.from_iterable(_columns(word) for word in _words(text)))
    if not counts:
        z = m.intercepts
    else:
        # tf-idf with sublinear tf, then L2 normalisation, as the training vectoriser did.
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        features = (1.0 + np.log(tf)) * m.idf[columns]
        features /= float(np.linalg.norm(features)) or 1.0
        z = m.intercepts + m.weights[:, columns] @ features
    return tuple(float(v) for v in 1.0 / (1.0 + np.exp(-z)))


def allowed(rules: tuple[str, ...]) -> bool:
    """Whether the second opinion may raise a band the rules decided this way."""
    return not POLICY_CAPS.intersection(rules)


def raised_band(text: str, band: str, bands: tuple[str, ...]) -> str | None:
    """The band the second opinion raises to, or None when it agrees or is not confident."""
    current = bands.index(band)  # bands ordered from most to least urgent
    if current == 0:
        return None  # nothing above critical: spare the n-grams
    threshold = model().threshold
    chances = probabilities(text)
    # Never from "not a tip" straight to critical: a greeting and a few words must not wake six
    # officials on the model's guess alone (cross-validated: no loss in accepted rate).
    top = len(LEVELS) - 1 if band == "not_a_tip" else len(LEVELS)
    for level in range(top, 0, -1):
        candidate = LEVELS[level - 1]
        if bands.index(candidate) >= current:
            break
        if chances[level - 1] >= threshold:
            return candidate
    # The gate: what the rules would send away as not a tip but reads like a report is put in
    # front of an official (low: the review queue), with a lower bar than a raise to an alert.
    if band == "not_a_tip" and chances[0] >= model().gate_threshold:
        return "low"
    return None


def reviewed_band(text: str, band: str) -> str | None:
    """Medium for a tip a policy capped low that the model reads as serious, else None.

    The rules cap some tips on purpose (an event long past, smuggling alone, a joke...); when the
    model is nearly certain the text describes a case for the hour, an official looks at it today
    instead. It never makes such a tip high or critical: the cap stays a decision.
    """
    if band not in ("low", "not_a_tip"):
        return None
    return "medium" if probabilities(text)[2] >= model().cap_threshold else None
