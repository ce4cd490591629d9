"""Fault injection for the fakes: rules, their matching, and the HTTP endpoints.

Owns `POST|GET|DELETE /sandbox/faults` and `GET|PUT /sandbox/config`. A rule makes a
provider method answer late ("latency"), with a rate limit ("429"), with a server
error ("5xx"), with another chosen error ("error", "blocked"), or not at all ("drop").
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

if TYPE_CHECKING:
    from sandbox.state import SandboxState

PROVIDERS = ("telegram", "twilio")
MODES = ("latency", "429", "5xx", "drop", "error", "blocked")


class DropConnection(ConnectionAbortedError):
    """Raised after the socket is shut, so werkzeug drops the request silently."""


@dataclasses.dataclass
class FaultRule:
    """One fault rule as posted to /sandbox/faults."""

    id: int
    provider: str
    mode: str
    method: str | None = None
    match: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float | None = None
    count: int | None = None
    duration: float | None = None
    status: int | None = None
    description: str | None = None
    code: int | None = None
    hits: int = 0
    expires_at: float | None = None

    def matches(self, provider: str, method: str, params: dict[str, Any]) -> bool:
        """Tell whether this rule applies to one provider call."""
        if self.provider != provider:
            return False
        if self.expires_at is not None and time.monotonic() > self.expires_at:
            return False
        if self.method and not _method_matches(self.method, method):
            return False
        return all(str(params.get(key)) == value for key, value in self.match.items())

    def to_json(self) -> dict[str, Any]:
        """Return the rule as JSON."""
        data = dataclasses.asdict(self)
        data.pop("expires_at")
        return data


def _method_matches(wanted: str, method: str) -> bool:
    # "Messages" matches "messages.create"; Telegram names compare case-insensitively.
    wanted, method = wanted.lower(), method.lower()
    return method == wanted or method.split(".", 1)[0] == wanted


def parse_rule(data: dict[str, Any], rule_id: int) -> FaultRule:
    """Validate a posted rule; raise ValueError with a readable reason."""
    provider = data.get("provider")
    mode = str(data.get("mode", ""))
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {PROVIDERS}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    match = data.get("match") or {}
    if not isinstance(match, dict):
        raise ValueError("match must be an object")
    duration = data.get("duration")
    return FaultRule(
        id=rule_id,
        provider=provider,
        mode=mode,
        method=data.get("method"),
        match={str(k): str(v) for k, v in match.items()},
        seconds=None if data.get("seconds") is None else float(data["seconds"]),
        count=None if data.get("count") is None else int(data["count"]),
        duration=None if duration is None else float(duration),
        status=None if data.get("status") is None else int(data["status"]),
        description=data.get("description"),
        code=None if data.get("code") is None else int(data["code"]),
        expires_at=None if duration is None else time.monotonic() + float(duration),
    )


class FaultBook:
    """The active fault rules, guarded by the state's condition lock."""

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, data: dict[str, Any]) -> FaultRule:
        """Validate and add a rule; return it."""
        with self._cond:
            rule = parse_rule(data, self._next_id)
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._cond:
            self._rules = []

    def remove(self, rule_id: int) -> bool:
        """Remove one rule; tell whether it existed."""
        with self._cond:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def rules(self) -> list[FaultRule]:
        """Return the live rules (expired and used-up ones are pruned)."""
        with self._cond:
            self._prune()
            return list(self._rules)

    def take(self, provider: str, method: str, params: dict[str, Any]) -> list[FaultRule]:
        """Return the rules that fire for this call, consuming one use of each."""
        with self._cond:
            self._prune()
            fired = [r for r in self._rules if r.matches(provider, method, params)]
            for rule in fired:
                rule.hits += 1
            self._prune()
            return fired

    def _prune(self) -> None:
        now = time.monotonic()
        self._rules = [
            r
            for r in self._rules
            if (r.count is None or r.hits < r.count)
            and (r.expires_at is None or now <= r.expires_at)
        ]


def apply_faults(
    state: SandboxState, provider: str, method: str, params: dict[str, Any]
) -> FaultRule | None:
    """Sleep for global and rule latency; return the first failing rule that fires, if any."""
    fired = state.faults.take(provider, method, params)
    delay = state.config.latency + sum(r.seconds or 0.0 for r in fired if r.mode == "latency")
    if delay > 0:
        time.sleep(delay)
    return next((r for r in fired if r.mode != "latency"), None)


def drop_connection(environ: dict[str, Any]) -> DropConnection:
    """Shut the request's socket and return the exception that ends the request."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        # Shutting both ways makes the client see EOF instead of waiting on keep-alive.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return DropConnection("sandbox fault: connection dropped")


def faults_blueprint(state: SandboxState) -> Blueprint:
    """Build the /sandbox/faults and /sandbox/config endpoints."""
    bp = Blueprint("sandbox_faults", __name__)

    @bp.post("/sandbox/faults")
    def add_fault() -> ResponseReturnValue:
        """Add a fault rule."""
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            return jsonify(error="expected a JSON object"), 400
        try:
            rule = state.faults.add(data)
        except (ValueError, TypeError) as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(rule.to_json()), 201

    @bp.get("/sandbox/faults")
    def list_faults() -> ResponseReturnValue:
        """List the live fault rules."""
        return jsonify([r.to_json() for r in state.faults.rules()])

    @bp.delete("/sandbox/faults")
    def clear_faults() -> ResponseReturnValue:
        """Remove every fault rule."""
        state.faults.clear()
        return "", 204

    @bp.delete("/sandbox/faults/<int:rule_id>")
    def remove_fault(rule_id: int) -> ResponseReturnValue:
        """Remove one fault rule."""
        if not state.faults.remove(rule_id):
            return jsonify(error="no such fault rule"), 404
        return "", 204

    @bp.get("/sandbox/config")
    def get_config() -> ResponseReturnValue:
        """Show the settings (secrets masked)."""
        return jsonify(state.config.public())

    @bp.put("/sandbox/config")
    def put_config() -> ResponseReturnValue:
        """Change settings such as latency or public_base_url."""
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict):
            return jsonify(error="expected a JSON object"), 400
        fields = {f.name: f for f in dataclasses.fields(state.config)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            return jsonify(error=f"unknown settings: {unknown}"), 400
        with state.cond:
            for key, value in data.items():
                # JSON has one number type; keep float settings floats.
                if fields[key].type == "float" and value is not None:
                    value = float(value)
                setattr(state.config, key, value)
            state.cond.notify_all()
        return jsonify(state.config.public())

    return bp
