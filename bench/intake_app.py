"""The production app plus one bare endpoint, so both are measured on the same server."""

from __future__ import annotations

from flask import Flask

from raporto.app import create_app


def app() -> Flask:
    """Return Raporto's app with a bare /bench/bare endpoint beside the webhooks."""
    application = create_app()

    @application.post("/bench/bare")
    def bare() -> str:
        return '<?xml version="1.0" encoding="UTF-8"?><Response />'

    return application
