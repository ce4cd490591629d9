"""The simulator (development and the embedded default only): play a reporter, watch the officials.

One page shows a reporter's phone (Telegram, SMS, voice keypad) and the demo roster's phones. Every
action goes to the sandbox's control endpoints, which call the real webhooks as Telegram and
Twilio would; the phones show what the real code then sent through the fake providers. The
blueprint is registered only when the sandbox is on (see raporto/app.py).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from console.auth import role_required
from console.i18n import _, current_language
from console.loopback import from_loopback
from console.runtime import runtime
from console.simulator_phones import (
    Memory,
    Sandbox,
    SandboxError,
    demo_officials,
    phone_lines,
    telegram_chat,
)

bp = Blueprint("simulator", __name__, url_prefix="/console")
# Never onac: the simulated phones show the text of tips.
ROLES = ("official", "admin")
MAX_TEXT = 2000
RECORD_SECONDS = 8
KEYS = set("0123456789*#")


@bp.before_request
def loopback_only() -> None:
    """Refuse (404) every simulator request that does not come from this machine itself."""
    # The simulated phones show reporters' and officials' messages; a laptop's console exposed
    # on a network or through a tunnel must not show them to anyone who finds it.
    if not from_loopback():
        abort(404)


def _sandbox() -> Sandbox:
    """Return the sandbox this app talks to: the embedded or injected one, else the configured."""
    server = current_app.extensions.get("raporto.sandbox")
    url = getattr(server, "url", None) or runtime().settings.telegram_api_url
    if not url:
        abort(404)
    return Sandbox(str(url))


def _memory() -> Memory:
    memory: Memory = current_app.extensions.setdefault("raporto.simulator", Memory())
    return memory


def _reporter() -> int:
    """Return this session's simulated reporter (a Telegram user id, and the root of a number)."""
    reporter = session.get("simulator_reporter")
    if not isinstance(reporter, int):
        # Away from the demo roster's 900001-900007 and from any real Telegram id in use here.
        reporter = 1_000_000 + secrets.randbelow(8_000_000)
        session["simulator_reporter"] = reporter
    return reporter


def _number(reporter: int) -> str:
    return f"+35569{reporter:07d}"


def _now() -> str:
    # The sandbox's own timestamp format, so the reporter's input sorts among its log.
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    return request.form.to_dict()


def _answer(result: dict[str, Any]) -> BaseResponse | tuple[Response, int]:
    """Answer the page's script with JSON; a form posted without script goes back to the page."""
    if not request.is_json:
        return redirect(url_for("simulator.index"))
    # The page needs only the outcome; the sandbox's answer stays on the server.
    answer = {key: result[key] for key in ("ok", "error") if key in result}
    return jsonify(answer), 200 if result.get("ok") else int(result.get("status", 502))


def _refuse(message: str) -> BaseResponse | tuple[Response, int]:
    """Answer a request the simulated phone cannot carry out (400)."""
    return _answer({"ok": False, "error": message, "status": 400})


def _control(path: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"ok": True, "result": _sandbox().post(path, body)}
    except SandboxError as exc:
        current_app.logger.warning("simulator: sandbox control failed (%s)", exc)
        return {"ok": False, "error": _("The sandbox did not answer. Try again.")}


@bp.get("/simulator")
@role_required(*ROLES)
def index() -> str:
    """Show the reporter's phone and the officials' phones."""
    _sandbox()
    reporter = _reporter()
    return render_template(
        "simulator.html",
        officials=demo_officials(with_onac=True),
        reporter_number=_number(reporter),
    )


@bp.get("/simulator/state")
@role_required(*ROLES)
def state() -> tuple[Response, int]:
    """Return every phone's screen as JSON, for the page to poll."""
    reporter = _reporter()
    try:
        log = _sandbox().messages()
    except SandboxError:
        return jsonify(ok=False, error=_("The sandbox did not answer. Try again.")), 502
    inputs = _memory().get(reporter)
    mine = {
        c: [e for e in inputs.entries if e["channel"] == c]
        for c in ("telegram", "sms", "whatsapp", "voice")
    }
    number = _number(reporter)
    officials = [
        {
            "chat": official.chat,
            "telegram": telegram_chat(log, official.chat),
            "phone": phone_lines(log, "sms", official.phone)
            + phone_lines(log, "voice", official.phone),
        }
        for official in demo_officials(with_onac=True)
    ]
    return jsonify(
        ok=True,
        reporter_chat=reporter,
        reporter={
            "telegram": telegram_chat(log, reporter, mine["telegram"]),
            "sms": phone_lines(log, "sms", number, mine["sms"]),
            "whatsapp": phone_lines(log, "whatsapp", number, mine["whatsapp"]),
            "voice": phone_lines(log, "voice", number, mine["voice"]),
            "call": {"active": inputs.call_sid is not None, "waiting": inputs.waiting},
        },
        officials=officials,
    ), 200


@bp.post("/simulator/telegram")
@role_required(*ROLES)
def telegram() -> BaseResponse | tuple[Response, int]:
    """The reporter writes to the bot: a Telegram update through the sandbox."""
    text = str(_body().get("text", "")).strip()[:MAX_TEXT]
    if not text:
        return _refuse(_("Write a message first."))
    reporter = _reporter()
    sent = _control(
        "/sandbox/telegram/updates",
        {"user_id": reporter, "text": text, "language_code": current_language()},
    )
    if sent["ok"]:
        message_id = sent["result"]["update"]["message"]["message_id"]
        entry = {"channel": "telegram", "text": text, "time": _now(), "message_id": message_id}
        _memory().add(reporter, entry)
    return _answer(sent)


@bp.post("/simulator/sms")
@role_required(*ROLES)
def sms() -> BaseResponse | tuple[Response, int]:
    """The reporter texts the service: a signed Twilio SMS webhook through the sandbox."""
    text = str(_body().get("text", "")).strip()[:MAX_TEXT]
    if not text:
        return _refuse(_("Write a message first."))
    reporter = _reporter()
    _memory().add(reporter, {"channel": "sms", "text": text, "time": _now()})
    return _answer(_control("/sandbox/twilio/sms", {"from": _number(reporter), "body": text}))


@bp.post("/simulator/whatsapp")
@role_required(*ROLES)
def whatsapp() -> BaseResponse | tuple[Response, int]:
    """The reporter writes on WhatsApp: a signed Twilio WhatsApp webhook through the sandbox."""
    text = str(_body().get("text", "")).strip()[:MAX_TEXT]
    if not text:
        return _refuse(_("Write a message first."))
    reporter = _reporter()
    _memory().add(reporter, {"channel": "whatsapp", "text": text, "time": _now()})
    return _answer(_control("/sandbox/twilio/whatsapp", {"from": _number(reporter), "body": text}))


@bp.post("/simulator/voice")
@role_required(*ROLES)
def voice() -> BaseResponse | tuple[Response, int]:
    """The reporter calls the line, presses keys, speaks after the tone or hangs up."""
    data = _body()
    action, key = str(data.get("action", "")), str(data.get("key", ""))
    reporter, memory = _reporter(), _memory()
    call = memory.get(reporter)
    if action == "call":
        memory.add(reporter, {"channel": "voice", "text": _("Calling the line…"), "time": _now()})
        done = _control("/sandbox/twilio/calls", {"from": _number(reporter)})
    elif action == "key" and key in KEYS and call.call_sid and call.waiting == "record":
        memory.add(reporter, {"channel": "voice", "text": _("(a spoken message)"), "time": _now()})
        path = f"/sandbox/twilio/calls/{call.call_sid}/record"
        done = _control(path, {"seconds": RECORD_SECONDS, "digits": key})
    elif action == "key" and key in KEYS and call.call_sid and call.waiting == "gather":
        memory.add(reporter, {"channel": "voice", "text": key, "time": _now()})
        done = _control(f"/sandbox/twilio/calls/{call.call_sid}/digits", {"digits": key})
    elif action == "hangup" and call.call_sid:
        memory.add(reporter, {"channel": "voice", "text": _("You hung up."), "time": _now()})
        memory.set_call(reporter, None, None)
        return _answer(_control(f"/sandbox/twilio/calls/{call.call_sid}/hangup", {}))
    else:
        return _refuse(_("The line is not waiting for that."))
    if done["ok"]:
        result = done["result"]
        waiting = "gather" if result.get("gather") else "record" if result.get("record") else None
        ended = result.get("call_status") == "completed"
        memory.set_call(reporter, None if ended else result.get("call_sid"), waiting)
    return _answer(done)


@bp.post("/simulator/press-button")
@role_required(*ROLES)
def press_button() -> BaseResponse | tuple[Response, int]:
    """Press an inline button on the reporter's or an official's chat: a callback query."""
    data = _body()
    try:
        chat, message_id = int(data.get("chat", "")), int(data.get("message_id", ""))
    except (TypeError, ValueError):
        return _refuse(_("That button is not on a simulated phone."))
    allowed = {_reporter()} | {o.chat for o in demo_officials(with_onac=True)}
    callback = str(data.get("data", ""))[:64]  # Telegram's limit for callback data
    if chat not in allowed or not callback:
        return _refuse(_("That button is not on a simulated phone."))
    return _answer(
        _control(
            "/sandbox/telegram/updates",
            {"user_id": chat, "callback_data": callback, "message_id": message_id},
        )
    )


@bp.post("/simulator/new-reporter")
@role_required(*ROLES)
def new_reporter() -> BaseResponse | tuple[Response, int]:
    """Start again as another reporter (a new Telegram account and phone number)."""
    session.pop("simulator_reporter", None)
    _reporter()
    return _answer({"ok": True})
