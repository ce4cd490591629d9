"""Placeholder blueprint: filled in by the step that builds it."""

from __future__ import annotations

from flask import Blueprint, render_template

from console.auth import role_required

bp = Blueprint("stats", __name__, url_prefix="/console")


@bp.get("/stats")
@role_required("onac")
def index() -> str:
    """Placeholder page."""
    return render_template("placeholder.html")
