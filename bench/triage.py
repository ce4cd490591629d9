"""Benchmark of triage.assess on the evaluation set; prints a markdown table.

Run from the repository root:  PYTHONPATH=. .venv/bin/python bench/triage.py
Measures, in one process on one core: start-up in a fresh interpreter (catalogue load and
matcher build, then lingua's models), and per-tip time after warm-up beside spaCy
tokenisation alone of the same texts.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "tests" / "data" / "triage_dev.jsonl"
ROUNDS = 5

_STARTUP = """
import json, time
t0 = time.perf_counter()
import spacy, lingua, phonenumbers, yaml
import triage, triage.catalogue, triage.matching, triage.language
t1 = time.perf_counter()
triage.catalogue.load()
triage.matching.warm_up()
t2 = time.perf_counter()
triage.language._detector().detect_language_of("hello")
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "startup": t2 - t1, "lingua": t3 - t2}))
"""


def _startup() -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _STARTUP], capture_output=True, text=True, check=True, env=env
    )
    return dict(json.loads(out.stdout))


def _timed(function: Callable[[str], object], texts: list[str]) -> list[float]:
    times: list[float] = []
    for _ in range(ROUNDS):
        for text in texts:
            started = time.perf_counter()
            function(text)
            times.append(time.perf_counter() - started)
    return sorted(times)


def _p(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))] * 1000


def main() -> None:
    """Run the benchmark and print the markdown table."""
    sys.path.insert(0, str(ROOT))
    import spacy

    import triage
    from triage import matching

    with EVAL_FILE.open(encoding="utf-8") as handle:
        examples = [json.loads(line) for line in handle if line.strip()]
    texts = [e["text"] for e in examples]
    # The 296 tips of the first evaluation set, for comparison with earlier measurements.
    team = [e["text"] for e in examples if e.get("source") == "team-2026-11"]
    startup = _startup()

    matching.warm_up()
    tokenizer = spacy.blank("sq").tokenizer
    for text in texts:  # warm-up: vocabularies, caches, lingua's models
        triage.assess(text)
        tokenizer(text)
    triage_times = _timed(triage.assess, texts)
    team_times = _timed(triage.assess, team)
    token_times = _timed(tokenizer, texts)
    p50, p99 = _p(triage_times, 0.5), _p(triage_times, 0.99)
    t50, t99 = _p(token_times, 0.5), _p(token_times, 0.99)
    mean_tokens = statistics.mean(len(tokenizer(t)) for t in texts)

    source = EVAL_FILE.relative_to(ROOT)
    print(f"Triage benchmark: {len(texts)} tips from {source} (mean {mean_tokens:.0f} tokens),")
    print(f"{ROUNDS} rounds after warm-up, one process.")
    spacy_version = importlib.metadata.version("spacy")
    print(f"Python {platform.python_version()}, spaCy {spacy_version}, {platform.machine()}.")
    print()
    print("| Measure | p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|")
    print(f"| `triage.assess` per tip | {p50:.3f} | {p99:.3f} |")
    print(
        f"| `triage.assess`, the {len(team)} shorter tips of the first set | "
        f"{_p(team_times, 0.5):.3f} | {_p(team_times, 0.99):.3f} |"
    )
    print(f"| spaCy tokenisation alone (blank `sq`) | {t50:.3f} | {t99:.3f} |")
    print(f"| Ratio triage / tokenisation | {p50 / t50:.1f}× | {p99 / t99:.1f}× |")
    print()
    print("| Start-up (fresh interpreter) | seconds |")
    print("|---|---:|")
    print(f"| Imports (spaCy, lingua, phonenumbers, triage) | {startup['imports']:.3f} |")
    print(f"| Catalogue load + matcher build (both languages) | {startup['startup']:.3f} |")
    print(f"| lingua models, loaded lazily on first undecided text | {startup['lingua']:.3f} |")
    print()
    target = "met" if p50 < 2.0 and startup["startup"] < 1.0 else "NOT met"
    print(f"Targets (p50 < 2 ms per tip, start-up < 1 s): {target}.")


if __name__ == "__main__":
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main()
    print(buffer.getvalue(), end="")
    if "--write" in sys.argv:
        sys.path.insert(0, str(ROOT))
        from bench.report import replace_section

        replace_section(ROOT / "docs" / "BENCHMARKS.md", "triage", buffer.getvalue().strip())
