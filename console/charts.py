"""Server-side SVG bar charts of count rows: no JavaScript, no dependency, every text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from console.stats import Row

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 180
BAR_AREA = 360
VALUE_WIDTH = 90
TOP = 34


def _text(value: object) -> str:
    # Quotes too, so a value is safe inside an attribute as well as in element text.
    return escape(str(value), {'"': "&quot;", "'": "&#x27;"})


def bar_chart_svg(
    rows: Sequence[Row], label_field: str, title: str, hidden: str = "suppressed"
) -> str:
    """Return an accessible horizontal bar chart (role="img", <title>, <desc>) as SVG text."""
    counts = [row["count"] for row in rows]
    largest = max([n for n in counts if isinstance(n, int)], default=0) or 1
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = TOP + len(rows) * (BAR_HEIGHT + GAP) + GAP
    summary = "; ".join(
        f"{row[label_field]}: {hidden if row['count'] is None else row['count']}" for row in rows
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{_text(title)}</title>',
        f'<desc id="chart-desc">{_text(summary or "no data")}</desc>',
        f'<text x="0" y="20" font-family="sans-serif" font-size="15" font-weight="bold">'
        f"{_text(title)}</text>",
    ]
    for index, row in enumerate(rows):
        y = TOP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        n = row["count"]
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-family="sans-serif"'
            f' font-size="13">{_text(row[label_field])}</text>'
        )
        if isinstance(n, int):
            bar = round(BAR_AREA * n / largest)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}"'
                ' fill="#2b6cb0"/>'
            )
            shown = str(n)
            x = LABEL_WIDTH + bar + 6
        else:
            # A hidden count gets no bar: its length would give the number away.
            shown = hidden
            x = LABEL_WIDTH + 6
        parts.append(
            f'<text x="{x}" y="{middle}" font-family="sans-serif" font-size="13">'
            f"{_text(shown)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
