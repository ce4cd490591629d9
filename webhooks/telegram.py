"""POST /webhooks/telegram: the secret header first, then the update, then 200 after the commit.

An official's button press is answered in the 200's body (`answerCallbackQuery` as a method in
the response), which Telegram runs as if we had called it.

Any update is answered 200 once handled or recorded as failed (bot/telegram_intake.py): a 500
would make Telegram send it again and again. 400 is only for a body that is no update at all,
and a database that cannot be reached spools the update (webhooks/spooling.py); only a spool
that cannot take it either answers 503, which Telegram retries.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from bot.telegram_adapter import update_id_of
from bot.telegram_flow import enqueue_outcome
from bot.telegram_intake import BadUpdate, take_update
from models.untrusted import load_json
from webhooks.security import telegram_signed
from webhooks.spooling import Spooled, take_or_spool

bp = Blueprint("telegram_webhook", __name__)


@bp.post("/webhooks/telegram")
@telegram_signed
def telegram_update() -> Response | tuple[Response, int]:
    """Take one Telegram update."""
    try:
        data = load_json(request.get_data(cache=False))
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    ctx = current_app.extensions["raporto.intake"]
    try:
        update_id = update_id_of(data)
        result = take_or_spool(
            lambda: take_update(ctx, data),
            channel="telegram",
            kind="update",
            event_id=str(update_id),
            payload={"update": data},
        )
    except BadUpdate as exc:
        return jsonify(error=str(exc)), 400
    if isinstance(result, Spooled):  # a spooled update's replies follow its replay
        return jsonify(ok=True)
    outcome = result[1]
    enqueue_outcome(ctx, outcome)
    if outcome.answer is not None:
        # Telegram calls a method given in the webhook's response (Bot API, "Making requests
        # when getting updates"): the press is answered with no call of ours, nothing stored.
        return jsonify(outcome.answer.webhook_reply())
    return jsonify(ok=True)
