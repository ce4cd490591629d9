"""One lock for triage's spaCy pipelines, which are not thread-safe."""

from __future__ import annotations

import threading

# Web servers take requests on several threads; triage takes about a millisecond, so
# serialising it (scoring, and the entity extraction that reads the same matches) costs nothing
# measurable.
TRIAGE_LOCK = threading.Lock()
