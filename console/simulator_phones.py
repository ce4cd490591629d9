"""The simulator's phones: what the sandbox providers showed each person, and the reporter's input.

Actions go to the sandbox's control endpoints over HTTP, as a phone would reach Telegram or
Twilio; the screens are rebuilt from the sandbox's message log (sends, edits, deletions), so the
page shows exactly what the real code sent through the provider libraries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE, OFFICIALS

TIMEOUT = 15.0
SENDS = {"sendMessage", "sendPhoto", "sendVoice", "sendDocument"}
EDITS = {"editMessageText", "editMessageReplyMarkup"}
MAX_INPUTS = 200  # per simulated reporter: the page is a demo, not an archive


class SandboxError(RuntimeError):
    """The sandbox could not be reached or refused a control request."""


@dataclass(frozen=True)
class DemoOfficial:
    """One phone of the demo roster."""

    name: str
    agency: str
    role: str
    chat: int
    phone: str


def demo_officials(with_onac: bool = False) -> list[DemoOfficial]:
    """Return the demo roster's phones (ONAC's duty officer last, when asked for)."""
    phones = [
        DemoOfficial(name, agency, role, DEMO_CHAT_BASE + i, f"{DEMO_PHONE_BASE}{i:02d}")
        for i, (name, agency, role, _lang) in enumerate(OFFICIALS, start=1)
    ]
    return [p for p in phones if with_onac or p.role != "onac"]


@dataclass
class Inputs:
    """What one simulated reporter typed or pressed, and their call in progress."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    call_sid: str | None = None
    waiting: str | None = None  # "gather" or "record" while the line waits for the caller


class Memory:
    """The reporters' own inputs: the sandbox logs only what the providers showed to people."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_reporter: dict[int, Inputs] = {}

    def add(self, reporter: int, entry: dict[str, Any]) -> None:
        """Remember one input of a reporter."""
        with self._lock:
            inputs = self._by_reporter.setdefault(reporter, Inputs())
            inputs.entries = [*inputs.entries, entry][-MAX_INPUTS:]

    def get(self, reporter: int) -> Inputs:
        """Return a copy of a reporter's inputs and call."""
        with self._lock:
            inputs = self._by_reporter.get(reporter, Inputs())
            return Inputs(list(inputs.entries), inputs.call_sid, inputs.waiting)

    def set_call(self, reporter: int, call_sid: str | None, waiting: str | None) -> None:
        """Remember the reporter's call and what the line waits for."""
        with self._lock:
            inputs = self._by_reporter.setdefault(reporter, Inputs())
            inputs.call_sid, inputs.waiting = call_sid, waiting


class Sandbox:
    """The sandbox's control endpoints and message log, over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Call a control endpoint; raise SandboxError when it fails."""
        try:
            response = requests.post(self.url + path, json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise SandboxError(type(exc).__name__) from exc
        if response.status_code >= 400:
            raise SandboxError(f"HTTP {response.status_code}")
        result: dict[str, Any] = response.json()
        return result

    def messages(self) -> list[dict[str, Any]]:
        """Return the log of everything the fake providers showed to people."""
        try:
            response = requests.get(self.url + "/sandbox/messages", timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SandboxError(type(exc).__name__) from exc
        found: list[dict[str, Any]] = response.json()
        return found


def _buttons(markup: Any) -> list[list[dict[str, str]]]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [
        [{"text": str(b.get("text", "")), "data": str(b.get("callback_data") or "")} for b in row]
        for row in rows
        if isinstance(row, list)
    ]


def telegram_chat(
    log: Iterable[dict[str, Any]], chat: int, mine: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    """Rebuild one Telegram chat screen: the bot's messages as edited, the person's own, toasts."""
    screen: dict[int, dict[str, Any]] = {
        int(m["message_id"]): {**m, "mine": True} for m in mine if m.get("message_id")
    }
    toast = ""
    for entry in log:
        if entry["channel"] != "telegram" or entry["recipient"] != str(chat):
            continue
        method, mid = entry["method"], entry.get("message_id")
        if method in SENDS and mid is not None:
            markup = (entry.get("extra") or {}).get("reply_markup")
            screen[mid] = {"text": entry["text"], "buttons": _buttons(markup), "mine": False}
            if method != "sendMessage":
                screen[mid]["media"] = method[4:].lower()
        elif method in EDITS and mid in screen:
            markup = (entry.get("extra") or {}).get("reply_markup")
            screen[mid].update(text=entry["text"], buttons=_buttons(markup), edited=True)
        elif method == "deleteMessage" and mid in screen:
            del screen[mid]
        elif method == "answerCallbackQuery" and entry["text"]:
            toast = entry["text"]
    messages = [
        {
            "id": mid,
            "mine": bool(m.get("mine")),
            "text": str(m.get("text") or ""),
            "buttons": m.get("buttons") or [],
            "edited": bool(m.get("edited")),
            "media": m.get("media", ""),
        }
        for mid, m in sorted(screen.items())
    ]
    return {"messages": messages, "toast": toast}


def phone_lines(
    log: Iterable[dict[str, Any]], channel: str, number: str, mine: Iterable[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Return what a phone number received on SMS or voice, merged in time with its own inputs."""
    # The person's own input first: at the same millisecond it came before the answer.
    lines = [{"time": m["time"], "mine": True, "text": m["text"], "kind": "input"} for m in mine]
    lines += [
        {"time": e["time"], "mine": False, "text": e["text"], "kind": e["method"]}
        for e in log
        if e["channel"] == channel and e["recipient"] == number
    ]
    return sorted(lines, key=lambda line: str(line["time"]))
