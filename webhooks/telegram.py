"""POST /webhooks/telegram: the secret header first, then the update, then 200 after the commit."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from bot.telegram_adapter import BadUpdate, parse_update
from bot.telegram_flow import enqueue_outcome, handle_event
from webhooks.security import telegram_signed

bp = Blueprint("telegram_webhook", __name__)


@bp.post("/webhooks/telegram")
@telegram_signed
def telegram_update() -> Response | tuple[Response, int]:
    """Take one Telegram update."""
    try:
        data = json.loads(request.get_data(cache=False))
        event = parse_update(data)
    except (ValueError, BadUpdate) as exc:
        message = str(exc) if isinstance(exc, BadUpdate) else "body is not JSON"
        return jsonify(error=message), 400
    ctx = current_app.extensions["raporto.intake"]
    outcome = handle_event(ctx, event)
    enqueue_outcome(ctx, outcome)
    return jsonify(ok=True)
