"""`raporto triage-eval --from-db`: triage's bands against the officials' decisions, counts only.

Labels come from the database (models/review.py): the latest review of a tip (the band an
official gave; "not a case" is not_a_tip) and the outcome of a closed tip (confirmed trafficking
is a case; not trafficking and hoax are not). The report holds counts and shares per band, never
a reference code or a word of a tip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from models.review import Labelled

ROWS = ("critical", "high", "medium", "low", "not_a_tip", "none")
REVIEW_COLUMNS = ("critical", "high", "medium", "low", "not_a_tip")
OUTCOME_COLUMNS = ("case", "not_a_case")
# Triage's gate: these bands are alerted at once as signs of a case; the others go to review.
CASE_BANDS = ("critical", "high", "medium")


def _agrees_outcome(band: str, outcome: str) -> bool:
    return (band in CASE_BANDS) == (outcome == "case")


def _table(
    title: str,
    pairs: Sequence[tuple[str, str]],
    columns: Sequence[str],
    by_outcome: bool = False,
) -> list[str]:
    """Format one confusion matrix: triage bands as rows, labels as columns, agreement per row."""
    cells = Counter(pairs)
    rows = [band for band in ROWS if any(b == band for b, _ in pairs)]
    width = max(9, *(len(c) for c in columns))
    header = f"{'triage':<10}" + "".join(f"{c:>{width + 1}}" for c in columns)
    lines = [title, header + f"{'total':>7}{'agree':>8}"]
    for band in rows:
        counts = [cells[band, column] for column in columns]
        total = sum(counts)
        if by_outcome:
            agreeing = sum(cells[band, c] for c in columns if _agrees_outcome(band, c))
        else:
            agreeing = cells[band, band]
        share = f"{100 * agreeing / total:.0f}%" if total else "-"
        line = f"{band:<10}" + "".join(f"{n:>{width + 1}}" for n in counts)
        lines.append(line + f"{total:>7}{share:>8}")
    totals = [sum(cells[b, c] for b in rows) for c in columns]
    sums = "".join(f"{n:>{width + 1}}" for n in totals)
    lines.append(f"{'total':<10}{sums}{len(pairs):>7}")
    return lines


def report(found: Sequence[Labelled]) -> str:
    """The evaluation against officials' decisions as text (counts and shares only)."""
    reviewed = [(f.triage_band, f.review_label) for f in found if f.review_label]
    closed = [(f.triage_band, f.outcome_label) for f in found if f.outcome_label]
    lines = [
        "Triage against the officials' decisions (from the database)",
        f"tips reviewed: {len(reviewed)}; closed tips labelled by their outcome: {len(closed)}",
        "",
    ]
    if reviewed:
        lines += _table(
            "Reviews: triage band (rows) by the band officials gave (not a case = not_a_tip)",
            [(band, str(label)) for band, label in reviewed],
            REVIEW_COLUMNS,
        )
        lines += ["agree: the official kept triage's band", ""]
    else:
        lines += ["No tip has been reviewed yet.", ""]
    if closed:
        lines += _table(
            "Outcomes: triage band (rows) by the outcome of the closed tip",
            [(band, str(label)) for band, label in closed],
            OUTCOME_COLUMNS,
            by_outcome=True,
        )
        lines += [
            "agree: a case triage alerted at once (critical, high, medium), "
            "or not a case triage sent to review (low, not_a_tip)",
        ]
    else:
        lines += ["No tip has been closed as confirmed trafficking, not trafficking or a hoax yet."]
    return "\n".join(lines)
