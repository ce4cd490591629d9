"""Labels on the parts of a tip's text that were added with its reference code."""

from __future__ import annotations

from markupsafe import Markup

from alerts.content import SOURCE_LABELS
from console.i18n import _
from models import sources


def label_sources(text: Markup) -> Markup:
    """Show each source mark of an escaped text as its label in the reader's language."""
    html = str(text)
    for character, source in sources.MARKS.items():
        label = Markup('<span class="source source-{}">[{}]</span>').format(
            source, _(SOURCE_LABELS[source])
        )
        html = html.replace(character, str(label))
    # Built from text escaped piece by piece and from labels escaped by format().
    return Markup(html)  # noqa: S704
