"""POST /webhooks/hotline: signed JSON records from the 116 006 call centre."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError

from bot.hotline_intake import HotlineRecord, handle_record
from models.untrusted import load_json
from webhooks.security import hotline_signed
from webhooks.spooling import Spooled, take_or_spool

bp = Blueprint("hotline", __name__)


@bp.post("/webhooks/hotline")
@hotline_signed
def hotline_record() -> tuple[Response, int]:
    """Take one hotline record; 400 names the field that is wrong."""
    try:
        # Depth-bounded, lone surrogates replaced: the call centre's record is kept, not refused.
        data = load_json(request.get_data(cache=True))
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    try:
        record = HotlineRecord.model_validate(data)
    except ValidationError as exc:
        # Name the fields and the problem, never echo the values (they may be tip content).
        errors = [
            {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "problem": err["msg"]}
            for err in exc.errors(include_input=False, include_url=False)
        ]
        return jsonify(error="invalid record", fields=errors), 400
    ctx = current_app.extensions["raporto.intake"]
    result = take_or_spool(
        lambda: handle_record(ctx, record),
        channel="hotline",
        kind=record.contact_type,
        event_id=record.record_id,
        payload={"record": data},
    )
    if isinstance(result, Spooled):
        # Accepted and kept: the record is stored (and its reference made) once the database
        # is back; sending it again then answers with the reference as a duplicate.
        return jsonify(reference=None, queued=True), 202
    reference, created = result
    return jsonify(reference=reference, duplicate=not created), 201 if created else 200
