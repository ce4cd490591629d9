"""The service's Runtime as the console's views reach it (the app factory puts it there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # the console sits below `raporto` in the layers; only the type is needed
    from raporto.runtime import Runtime


def runtime() -> Runtime:
    """Return the Runtime the application was built with."""
    value: Runtime = current_app.extensions["raporto"]
    return value
